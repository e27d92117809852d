# Install and export rules: headers, libr1, the r1 CLI, and a package config for find_package(r1).
include(CMakePackageConfigHelpers)

install(TARGETS r1 EXPORT r1Targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/r1 DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/r1/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/r1)

set(R1_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/r1)
install(EXPORT r1Targets NAMESPACE r1:: DESTINATION ${R1_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/r1Config.cmake.in
  ${PROJECT_BINARY_DIR}/r1Config.cmake INSTALL_DESTINATION ${R1_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/r1ConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/r1Config.cmake ${PROJECT_BINARY_DIR}/r1ConfigVersion.cmake
  DESTINATION ${R1_CMAKE_DIR})

# Build-tree export: find_package(r1) works against the build directory too.
export(EXPORT r1Targets NAMESPACE r1:: FILE ${PROJECT_BINARY_DIR}/r1Targets.cmake)
