# Regenerates the key tables of docs/config.md from `r1 info --schema` and fails if they differ.
# Fix with: scripts/gen_config_doc build/r1 > docs/config.md
file(READ ${DOC} doc)
execute_process(COMMAND ${CMAKE_CURRENT_LIST_DIR}/../../scripts/gen_config_doc ${R1}
  OUTPUT_VARIABLE expected RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "scripts/gen_config_doc failed")
endif()
if(NOT doc STREQUAL expected)
  message(FATAL_ERROR "docs/config.md is out of date: run scripts/gen_config_doc build/r1 > docs/config.md")
endif()
