# r1_set_warnings(target): the warning set every r1 target compiles with.
function(r1_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
    # Designated initializers leave fields at their defaults on purpose.
    -Wno-missing-field-initializers
    # GCC 12 false positives on std::string concatenation at -O2 (GCC bug 105651).
    $<$<CXX_COMPILER_ID:GNU>:-Wno-stringop-overflow -Wno-restrict -Wno-array-bounds>)
  if(R1_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
