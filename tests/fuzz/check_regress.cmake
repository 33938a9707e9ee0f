# SPDX-License-Identifier: MIT
# Run `wasmem validate INPUT` (cmake -DWM_CLI=... -DINPUT=... -P this file)
# and require a clean rejection: exit status 1 or 2, exactly one stderr line
# starting "wasmem:", nothing from a sanitizer.
execute_process(COMMAND ${WM_CLI} validate ${INPUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT (rc STREQUAL "1" OR rc STREQUAL "2"))
  message(FATAL_ERROR "exit status '${rc}', expected 1 or 2\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "^wasmem: [^\n]*\n$")
  message(FATAL_ERROR "expected one 'wasmem:' error line, got:\n${err}")
endif()
if(err MATCHES "Sanitizer|runtime error" OR out MATCHES "Sanitizer|runtime error")
  message(FATAL_ERROR "sanitizer report:\n${out}${err}")
endif()
