# Every dependency comes from Debian. A missing one stops the configure step with the name of the
# package that provides it (scripts/install-deps installs them all).
find_package(PkgConfig)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config' (or run scripts/install-deps)")
endif()

macro(gocker_require_pkg var module debpkg)
  pkg_check_modules(${var} IMPORTED_TARGET ${module})
  if(NOT ${var}_FOUND)
    message(FATAL_ERROR "${module} not found: install the Debian package '${debpkg}' (or run scripts/install-deps)")
  endif()
endmacro()

gocker_require_pkg(SECCOMP libseccomp libseccomp-dev)
gocker_require_pkg(LIBCAP libcap libcap-dev)
if(GOCKER_STATIC)
  # The static runtime links the archives that the same -dev packages ship.
  find_library(SECCOMP_STATIC_LIBRARY NAMES libseccomp.a HINTS ${SECCOMP_LIBRARY_DIRS})
  find_library(LIBCAP_STATIC_LIBRARY NAMES libcap.a HINTS ${LIBCAP_LIBRARY_DIRS})
  if(NOT SECCOMP_STATIC_LIBRARY OR NOT LIBCAP_STATIC_LIBRARY)
    message(FATAL_ERROR "libseccomp.a or libcap.a not found (Debian packages 'libseccomp-dev', 'libcap-dev'); or configure with -DGOCKER_STATIC=OFF")
  endif()
  set(GOCKER_SYSTEM_LIBS ${SECCOMP_STATIC_LIBRARY} ${LIBCAP_STATIC_LIBRARY})
else()
  set(GOCKER_SYSTEM_LIBS PkgConfig::SECCOMP PkgConfig::LIBCAP)
endif()

# gocker-net (hooks/): netlink for links, addresses and routes (libnl-route-3); nftables for NAT:
# the table made and listed through libnftables, a container's elements added and removed as
# one batch of libnftnl's messages sent over a libmnl socket. gocker-net is dynamically linked
# (bookworm has no static libnftables or libmnl); a static build links libnl's and libnftnl's
# archives into it (CMakeLists.txt).
gocker_require_pkg(LIBNL_ROUTE libnl-route-3.0 libnl-route-3-dev)
gocker_require_pkg(LIBNFTABLES libnftables libnftables-dev)
gocker_require_pkg(LIBMNL libmnl libmnl-dev)   # first: libnftnl's .pc requires it
gocker_require_pkg(LIBNFTNL libnftnl libnftnl-dev)
# gocker gui (gocker/gui): the web console's HTTP server.
gocker_require_pkg(CPP_HTTPLIB cpp-httplib libcpp-httplib-dev)

find_path(RAPIDJSON_INCLUDE_DIRS rapidjson/document.h)
if(NOT RAPIDJSON_INCLUDE_DIRS)
  message(FATAL_ERROR "rapidjson/document.h not found: install the Debian package 'rapidjson-dev' (or run scripts/install-deps)")
endif()

find_path(CXXOPTS_INCLUDE_DIRS cxxopts.hpp)
if(NOT CXXOPTS_INCLUDE_DIRS)
  message(FATAL_ERROR "cxxopts.hpp not found: install the Debian package 'libcxxopts-dev' (or run scripts/install-deps)")
endif()

if(GOCKER_BUILD_TESTS)
  find_package(GTest)
  if(NOT GTest_FOUND)
    message(FATAL_ERROR "GoogleTest not found: install the Debian package 'libgtest-dev' (or run scripts/install-deps)")
  endif()
endif()
if(GOCKER_BUILD_BENCH)
  find_package(benchmark)
  if(NOT benchmark_FOUND)
    message(FATAL_ERROR "Google Benchmark not found: install the Debian package 'libbenchmark-dev' (or run scripts/install-deps)")
  endif()
endif()
