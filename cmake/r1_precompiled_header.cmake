# r1_shared_precompiled_header(<target> <group> <headers...>): the first target of <group> builds
# the precompiled header, later ones reuse it. Each LibTorch PCH is over 500 MB: one per binary
# (17 of them) filled a CI disk. The targets of a group must share their compile flags.
function(r1_shared_precompiled_header target group)
  get_property(owner GLOBAL PROPERTY R1_PCH_OWNER_${group})
  if(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${target} PRIVATE ${ARGN})
    set_property(GLOBAL PROPERTY R1_PCH_OWNER_${group} ${target})
  endif()
endfunction()
