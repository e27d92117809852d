# ccache as the compiler launcher when present: on 2 cores a warm cache turns a clean rebuild into a relink.
find_program(R1_CCACHE ccache)
if(R1_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${R1_CCACHE})
  # Precompiled headers change the preprocessed text ccache hashes; these settings let it still hit.
  set(ENV{CCACHE_SLOPPINESS} "pch_defines,time_macros,include_file_mtime,include_file_ctime")
  message(STATUS "r1: using ccache (${R1_CCACHE})")
endif()
