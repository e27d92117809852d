# Runs one r1 command and checks its exit code and output, for the CLI tests:
#   cmake -DR1=<r1> -DARGS="a::b" -DCODE=2 -DMATCH="regex" [-DWORKDIR=dir] -P expect.cmake
# MATCH is searched in stdout and stderr together; several regexes may be given, separated by '|||'.
string(REPLACE "::" ";" args "${ARGS}")
execute_process(COMMAND ${R1} ${args}
  WORKING_DIRECTORY ${WORKDIR}
  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(NOT "${code}" STREQUAL "${CODE}")
  message(FATAL_ERROR "exit code ${code}, expected ${CODE}\n--- output ---\n${all}")
endif()
string(REPLACE "|||" ";" patterns "${MATCH}")
foreach(pattern IN LISTS patterns)
  if(NOT all MATCHES "${pattern}")
    message(FATAL_ERROR "output does not match '${pattern}'\n--- output ---\n${all}")
  endif()
endforeach()
message(STATUS "ok: exit ${code}")
