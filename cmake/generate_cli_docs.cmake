# cmake -DPROGRAM=<path> -DNAME=<name> -DOUT=<dir> -P generate_cli_docs.cmake
# Writes <dir>/man/NAME.1 (and NAME.1.gz), <dir>/bash/NAME and <dir>/zsh/_NAME from
# `PROGRAM --generate man|bash|zsh` (clidoc/generate.hpp). Any failure fails the build.
foreach(format man bash zsh)
  if(format STREQUAL "man")
    set(file "${OUT}/man/${NAME}.1")
  elseif(format STREQUAL "bash")
    set(file "${OUT}/bash/${NAME}")
  else()
    set(file "${OUT}/zsh/_${NAME}")
  endif()
  get_filename_component(dir "${file}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  execute_process(COMMAND "${PROGRAM}" --generate ${format} OUTPUT_FILE "${file}.tmp"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NAME} --generate ${format} failed (${rc})")
  endif()
  file(RENAME "${file}.tmp" "${file}")
endforeach()
# Debian keeps man pages gzipped; -n leaves the name and time out, so the bytes are reproducible.
execute_process(COMMAND gzip -9nf -k "${OUT}/man/${NAME}.1" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${OUT}/man/${NAME}.1 failed (${rc})")
endif()
