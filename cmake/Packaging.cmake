# Packaging.cmake - installation rules (cmake/Install.cmake) and the Debian
# packages CPack builds from them: `cpack -G DEB` in a build folder gives
# libdescent_, libdescent-mpi_ and descent_<version>_<arch>.deb, installable
# with `apt-get install ./*descent*_*.deb` (or libdescent alone).
# The package version is project(VERSION) in the top CMakeLists.txt.
include(${CMAKE_CURRENT_LIST_DIR}/Install.cmake)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME descent)
set(CPACK_PACKAGE_VENDOR "the descent developers")
set(CPACK_PACKAGE_CONTACT "descent developers <descent@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "descent is a C11 library and command-line program for training models by
gradient descent: SGD, momentum, Nesterov, Adagrad, RMSProp, Adam and their
relatives, learning-rate schedules, multi-layer networks on Fashion-MNIST,
and the pictures of the lectures. The package holds the program, the shared
and static libraries, the headers, descent.pc, the CMake package and the
man page.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# Runtime dependencies (libdnnl2 or libopenblas0 by the backend, zlib1g,
# libgomp1, libc6) come from
# dpkg-shlibdeps reading the installed ELF files, so they match what was
# actually linked. The development files the .pc and CMake package refer to
# are recommended (apt installs recommends by default). libdescent links
# no MPI; with DESCENT_MPI on, libdescent-mpi and the program do, so
# shlibdeps adds libopenmpi3 for them (a library-only split package is
# left for later).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A shlibs file (so packages built against libdescent get their dependency
# on it) and the ldconfig trigger that refreshes the loader cache.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas-dev, zlib1g-dev, pkg-config")
if(DESCENT_BACKEND STREQUAL "onednn")
  string(PREPEND CPACK_DEBIAN_PACKAGE_RECOMMENDS "libdnnl-dev, ")
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake")
# mpirun runs the program's multi-process jobs: suggested, not required.
string(APPEND CPACK_DEBIAN_PACKAGE_SUGGESTS ", openmpi-bin")
# Three packages, one per install component (Install.cmake): libdescent
# (the library for users: no MPI), libdescent-mpi and descent (the program;
# both link Open MPI in a build with MPI). shlibdeps resolves libdescent-mpi's
# need of libdescent.so in the build's lib folder.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL lib mpi program)
set(CPACK_DEBIAN_LIB_PACKAGE_NAME libdescent)
set(CPACK_DEBIAN_MPI_PACKAGE_NAME libdescent-mpi)
set(CPACK_DEBIAN_PROGRAM_PACKAGE_NAME descent)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/lib)
set(CPACK_DEBIAN_MPI_PACKAGE_DEPENDS "libdescent (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_PROGRAM_PACKAGE_RECOMMENDS "openmpi-bin")
set(CPACK_DEBIAN_LIB_PACKAGE_SUGGESTS "cmake")
set(CPACK_COMPONENT_LIB_DESCRIPTION "descent's library: optimizers, schedules, models, data, training
libdescent.so and libdescent.a with their headers, descent.pc, the CMake
package, the API guide and the examples. Links no MPI.")
set(CPACK_COMPONENT_MPI_DESCRIPTION "descent's data-parallel training over MPI
libdescent-mpi.so (descent/dist.h, descent-mpi.pc): the collectives the
trainer takes through ds_train_params.comm.")
set(CPACK_COMPONENT_PROGRAM_DESCRIPTION "descent, the program: train, tune, plot, lectures
The descent command line and its man page.")
include(CPack)
