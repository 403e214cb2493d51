# Shared by the top-level build and the standalone kernels/ build (the device machine lacks GSL and
# libyaml, so kernels/ can be configured on its own): warning flags and test registration.

# Strict warnings for all C code of the project (Lua's set plus a few).
set(CS_WARN -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Wstrict-prototypes
    -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wundef -Wvla)

# Labels, timeout and the skip code (77: ctest reports "Skipped", e.g. GPU tests without a GPU).
function(cs_test_properties name labels timeout)
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
  if(labels)
    set_tests_properties(${name} PROPERTIES LABELS "${labels}")
  endif()
  if(timeout)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${timeout})
  endif()
endfunction()

# cs_add_test(NAME SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s] [ARGS ...]): a test program that
# knows where the sources, test data and build tree are (CS_SOURCE_DIR, CS_TEST_DATA, CS_BINARY_DIR).
function(cs_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_compile_options(${name} PRIVATE ${CS_WARN})
  target_compile_definitions(${name} PRIVATE CS_SOURCE_DIR="${CS_SOURCE_ROOT}"
                             CS_TEST_DATA="${CS_SOURCE_ROOT}/tests/data" CS_BINARY_DIR="${CMAKE_BINARY_DIR}")
  target_link_libraries(${name} PRIVATE ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS} WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  cs_test_properties(${name} "${T_LABELS}" "${T_TIMEOUT}")
endfunction()
