# Build time is a feature: lld, ccache when present, one link job at a time
# (links of MLIR tools are memory hungry; compiles still run in parallel).
find_program(SPARSEC_CCACHE ccache)
if(SPARSEC_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${SPARSEC_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${SPARSEC_CCACHE})
endif()

find_program(SPARSEC_LLD NAMES ld.lld-22 ld.lld)
if(SPARSEC_LLD)
  add_link_options(-fuse-ld=lld)
endif()

set_property(GLOBAL APPEND PROPERTY JOB_POOLS sparsec_link=1)
set(CMAKE_JOB_POOL_LINK sparsec_link)
