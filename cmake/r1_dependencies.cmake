# Third-party libraries from the system (scripts/setup installs them from Debian's packages).
find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
find_package(yaml-cpp REQUIRED CONFIG)
find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  find_path(R1_CLI11_INCLUDE CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${R1_CLI11_INCLUDE})
endif()
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
# Chrome's Compact Language Detector 2 (Debian's libcld2-dev, no pkg-config file). libcld2_full
# holds only the full tables (160+ languages); loaded before libcld2 it replaces the small ones
# (83 languages, which call Portuguese English), so it is linked first and kept (--no-as-needed).
find_path(R1_CLD2_INCLUDE cld2/public/compact_lang_det.h REQUIRED)
find_library(R1_CLD2_LIBRARY cld2 REQUIRED)
find_library(R1_CLD2_FULL_LIBRARY cld2_full REQUIRED)
add_library(r1_cld2 INTERFACE IMPORTED)
target_include_directories(r1_cld2 INTERFACE ${R1_CLD2_INCLUDE})
target_link_libraries(r1_cld2 INTERFACE "-Wl,--push-state,--no-as-needed" ${R1_CLD2_FULL_LIBRARY}
                      "-Wl,--pop-state" ${R1_CLD2_LIBRARY})
# yaml-cpp 0.7 exports the plain target name; give it the namespaced one newer releases use.
if(TARGET yaml-cpp AND NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
endif()
