# What we ship and where it goes: the programs, their man pages and bash completion (generated at
# build time from each program's own --help by packaging/), the documentation, the commit stamp
# of `--version`, and the Debian package (`make package`, CPack DEB). Included last by
# CMakeLists.txt, once every target exists.
#
# To ship another program, add one line at the end of this file:
#     gocker_ship_program(TARGET SUMMARY "what it is, for the man page's NAME line" [IDS "list -q"])
# IDS is the command (after the program and its --root) whose output lists container ids, for
# the completion of commands whose usage line names a <container-id>. The program's --help must
# follow the layout packaging/help.awk reads (a "Usage:" line, a "Commands:" section, indented
# "-x, --flag ARG  text" entries; cxxopts' own help does), and `PROGRAM COMMAND --help` must print
# each command's help.
include(GNUInstallDirs)

# ---- the commit stamp: generated/gocker_commit.h defines GOCKER_COMMIT --------------------------
set(GOCKER_COMMIT "" CACHE STRING "The commit --version names when the source is not a git checkout")
set(GOCKER_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_target(gocker_commit
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${GOCKER_GENERATED_DIR}/gocker_commit.h
          -DFALLBACK=${GOCKER_COMMIT} -P ${CMAKE_SOURCE_DIR}/cmake/GitCommit.cmake
  BYPRODUCTS ${GOCKER_GENERATED_DIR}/gocker_commit.h
  VERBATIM)

# ---- one program: binary, man pages, completion ------------------------------------------------
set(GOCKER_PACKAGING_DIR ${CMAKE_SOURCE_DIR}/packaging)
function(gocker_ship_program target)
  cmake_parse_arguments(SHIP "" "SUMMARY;IDS" "" ${ARGN})
  if(NOT SHIP_SUMMARY)
    message(FATAL_ERROR "gocker_ship_program(${target}): SUMMARY is required")
  endif()
  add_dependencies(${target} gocker_commit)
  target_include_directories(${target} PRIVATE ${GOCKER_GENERATED_DIR})
  install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

  set(man_dir ${CMAKE_BINARY_DIR}/man/${target})
  set(completion ${CMAKE_BINARY_DIR}/completion/${target})
  set(ids_args "")
  if(SHIP_IDS)
    set(ids_args --ids "${SHIP_IDS}")
  endif()
  add_custom_command(OUTPUT ${man_dir}.stamp ${completion}
    COMMAND ${GOCKER_PACKAGING_DIR}/gen-man.sh --program $<TARGET_FILE:${target}> --name ${target}
            --summary "${SHIP_SUMMARY}" --version ${PROJECT_VERSION} --out ${man_dir}
    COMMAND ${CMAKE_COMMAND} -E touch ${man_dir}.stamp
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/completion
    COMMAND ${GOCKER_PACKAGING_DIR}/gen-completion.sh --program $<TARGET_FILE:${target}> --name ${target}
            --out ${completion} ${ids_args}
    DEPENDS ${target} ${GOCKER_PACKAGING_DIR}/help.awk ${GOCKER_PACKAGING_DIR}/gen-man.sh
            ${GOCKER_PACKAGING_DIR}/gen-completion.sh ${GOCKER_PACKAGING_DIR}/gen-args.sh
    COMMENT "Man pages and bash completion of ${target} from its --help"
    VERBATIM)
  add_custom_target(${target}_docs ALL DEPENDS ${man_dir}.stamp ${completion})
  install(DIRECTORY ${man_dir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${completion} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
endfunction()

# ---- documentation: /usr/share/doc/gocker-runtime ----------------------------------------------
install(FILES README.md CONTRIBUTING.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB GOCKER_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${GOCKER_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(FILES hooks/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs RENAME gocker-net.md)

# ---- the Debian package: `make package` --------------------------------------------------------
set(GOCKER_PACKAGE_MAINTAINER "Seed 849286b6 maintainers <maintainers@users.noreply.r-seed-849286b6.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gocker-runtime)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "${GOCKER_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GOCKER_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)          # gocker-runtime_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# gocker-runtime is static; gocker-net links libc and libmnl (dpkg-shlibdeps names their
# packages, libc6 and libmnl0: dpkg-dev), libnftnl and libnl statically (their archives), and
# loads libnftables with dlopen when it makes or lists its table, which shlibdeps cannot see.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libnftables1 (>= 1.0.6)")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OCI container runtime written in C++20")
# The first line of the control field is the summary; CPack indents the rest and writes the
# empty line as " .".
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "gocker-runtime runs containers from OCI bundles (a config.json and a root
filesystem) with the command line of runc, so that containerd, docker,
podman and Kubernetes (through containerd's CRI plugin) can use it in place
of runc or crun. It is one static binary.

The package also holds gocker-net, an OCI hook that gives a container an
address on a bridge with NAT, the man pages, bash completion and the
documentation, including how to configure each container engine to use it
(/usr/share/doc/gocker-runtime/docs/integrations.md).")
include(CPack)

# ---- the programs we ship ----------------------------------------------------------------------
gocker_ship_program(gocker-runtime SUMMARY "run OCI containers (a runc-compatible runtime)" IDS "list -q")
gocker_ship_program(gocker-net SUMMARY "OCI hook giving a container an address on a bridge, with NAT")
gocker_ship_program(gocker SUMMARY "run containers from a root filesystem directory (the seed's command line)" IDS "ps -q")
