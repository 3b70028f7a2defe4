# Install.cmake - what `cmake --install` (and so the Debian package) puts on a
# machine: the descent program, libdescent.so.MAJOR and libdescent.a,
# libdescent-mpi.so.MAJOR (the MPI collectives, descent/dist.h), the headers
# under include/descent/, descent.pc and descent-mpi.pc, the CMake package
# (find_package(descent) -> descent::descent, descent::descent_mpi), the
# man page descent.1, the API guide and the examples' sources. Included from the top CMakeLists.txt
# after src/, so the targets exist.
include(CMakePackageConfigHelpers)

set(DS_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(DS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/descent)
set(DS_GENERATED_INCLUDE ${PROJECT_BINARY_DIR}/include)

# The version header: generated from project(VERSION) so the version is
# written in one place; the build and the installed tree both see it.
configure_file(${DS_CMAKE_DIR}/version.h.in ${DS_GENERATED_INCLUDE}/descent/version.h @ONLY)
foreach(t descent_objects descent descent_static)
  target_include_directories(${t} PUBLIC $<BUILD_INTERFACE:${DS_GENERATED_INCLUDE}>)
endforeach()

# Libraries and program; with the namespace below, the CMake package's
# targets are descent::descent (shared), descent::descent_static and
# descent::descent_mpi. The program-side descent_app is linked into the
# program and not installed.
# Three install components, one Debian package each (Packaging.cmake):
# lib (libdescent, its headers, .pc, CMake package, docs and examples), mpi
# (libdescent-mpi, dist.h, descent-mpi.pc and its CMake targets) and program
# (the descent program and its man page), so that a user of the library
# installs no MPI.
install(TARGETS descent descent_static EXPORT descentTargets COMPONENT lib
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS descent_mpi EXPORT descentMpiTargets COMPONENT mpi
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS descent_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT program)

# Headers: every public header (a glob, so a new concept's header ships
# without an edit here) plus the generated ones.
file(GLOB DS_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/descent/*.h)
list(REMOVE_ITEM DS_PUBLIC_HEADERS ${PROJECT_SOURCE_DIR}/include/descent/dist.h)
install(FILES ${DS_PUBLIC_HEADERS} ${DS_GENERATED_INCLUDE}/descent/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/descent COMPONENT lib)
install(FILES ${PROJECT_SOURCE_DIR}/include/descent/dist.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/descent COMPONENT mpi)

# CMake package: targets, config (re-finds the dependencies) and version.
install(EXPORT descentTargets NAMESPACE descent:: DESTINATION ${DS_INSTALL_CMAKEDIR}
        COMPONENT lib)
install(EXPORT descentMpiTargets NAMESPACE descent:: DESTINATION ${DS_INSTALL_CMAKEDIR}
        COMPONENT mpi)
configure_package_config_file(${DS_CMAKE_DIR}/descentConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/descentConfig.cmake
                              INSTALL_DESTINATION ${DS_INSTALL_CMAKEDIR})
# Same major version = same SONAME = compatible, as the library promises.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/descentConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/descentConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/descentConfigVersion.cmake
        DESTINATION ${DS_INSTALL_CMAKEDIR} COMPONENT lib)

# descent.pc: configured now except for the prefix, which is only known at
# install time (--prefix, CPack's /usr); the second pass runs in the install
# script. Libs.private lists what a static link needs beyond the .pc files of
# openblas and zlib: the OpenMP runtime CMake found (libgomp with gcc) and
# libm. libdescent links no MPI; descent-mpi.pc is for libdescent-mpi.
set(DS_PC_REQUIRES_PRIVATE "openblas zlib libcjson")
set(DS_PC_LIBS_PRIVATE "")
if(DESCENT_BACKEND STREQUAL "onednn")
  set(DS_PC_LIBS_PRIVATE "-ldnnl ") # oneDNN ships no .pc file on Debian
endif()
foreach(lib IN LISTS OpenMP_C_LIB_NAMES)
  string(APPEND DS_PC_LIBS_PRIVATE "-l${lib} ")
endforeach()
string(APPEND DS_PC_LIBS_PRIVATE "-lm")
set(DS_PC_PREFIX "@DS_PC_PREFIX@") # kept for the install-time pass
foreach(pc descent:lib descent-mpi:mpi)
  string(REPLACE ":" ";" pc ${pc})
  list(GET pc 1 component)
  list(GET pc 0 pc)
  configure_file(${DS_CMAKE_DIR}/${pc}.pc.in ${PROJECT_BINARY_DIR}/cmake/${pc}.pc.in @ONLY)
  install(CODE "set(DS_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
    configure_file(\"${PROJECT_BINARY_DIR}/cmake/${pc}.pc.in\"
                   \"${PROJECT_BINARY_DIR}/cmake/${pc}.pc\" @ONLY)" COMPONENT ${component})
  install(FILES ${PROJECT_BINARY_DIR}/cmake/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
          COMPONENT ${component})
endforeach()

# The man page: doc/descent.1.scd is the source, scdoc (Debian: scdoc) turns
# it into roff. Without scdoc the build still works but ships no page.
find_program(SCDOC_EXECUTABLE scdoc)
set(DS_MANPAGE_SRC ${PROJECT_SOURCE_DIR}/doc/descent.1.scd)
if(SCDOC_EXECUTABLE AND EXISTS ${DS_MANPAGE_SRC})
  set(DS_MANPAGE ${PROJECT_BINARY_DIR}/doc/descent.1)
  add_custom_command(OUTPUT ${DS_MANPAGE}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/doc
    COMMAND sh -c "\"$0\" < \"$1\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
            ${SCDOC_EXECUTABLE} ${DS_MANPAGE_SRC} ${DS_MANPAGE}
    DEPENDS ${DS_MANPAGE_SRC} COMMENT "scdoc: doc/descent.1.scd -> descent.1" VERBATIM)
  add_custom_target(manpage ALL DEPENDS ${DS_MANPAGE})
  install(FILES ${DS_MANPAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT program)
else()
  message(WARNING "scdoc not found (apt-get install scdoc): the man page is not built")
endif()

# Documentation and the examples' sources, for users to read and copy.
file(GLOB DS_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/doc/*.md)
install(FILES ${DS_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT lib)
file(GLOB DS_EXAMPLE_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/*.c)
install(FILES ${DS_EXAMPLE_SOURCES} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT lib)
