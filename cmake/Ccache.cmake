# Uses ccache for every compile when it is installed; rebuilds on a 2-core machine depend on it.
# Paths are made relative to the source tree (and the working directory is left out of the
# hash), so that another clone of the repository, such as CI's, reuses the same cache.
find_program(CCACHE_PROGRAM ccache)
find_program(ENV_PROGRAM env)
if(CCACHE_PROGRAM AND ENV_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${ENV_PROGRAM}" "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}"
                                  "CCACHE_NOHASHDIR=true" "${CCACHE_PROGRAM}")
elseif(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()
