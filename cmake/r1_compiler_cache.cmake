# ccache as the compiler launcher when present: on 2 cores a warm cache turns a clean rebuild into a relink.
# base_dir makes paths relative, so clones and worktrees at other paths share cache entries; the
# sloppiness settings let precompiled headers (-include cmake_pch.hxx) still hit.
find_program(R1_CCACHE ccache)
if(R1_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
    ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
    "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
    ${R1_CCACHE})
  message(STATUS "r1: using ccache (${R1_CCACHE})")
endif()
