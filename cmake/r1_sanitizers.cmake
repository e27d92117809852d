# R1_SANITIZE=address,undefined builds every target with those sanitizers (the fuzz-style tests use it).
if(R1_SANITIZE)
  add_compile_options(-fsanitize=${R1_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${R1_SANITIZE})
endif()
