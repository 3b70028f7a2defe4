# explore.cmake - the explorer (doc/explorer.md): the optimizer core (core's
# error, number, spec and rng code, optim, schedule, functions) and
# src/explore/engine.c compiled to WebAssembly with clang's wasm32-wasi
# target (Debian: clang, lld, wasi-libc, libclang-rt-14-dev-wasm32), then
# embedded with the page (page.html, page.css, page.js) into the program by
# cmake/embed.cmake, for `descent explore`. Without the toolchain the
# program is built without the command (it then says how to get it).
# Included from src/CMakeLists.txt after descent_cli is defined.
set(DS_EXPLORE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/explore)
set(DS_EXPLORE_WASM ${PROJECT_BINARY_DIR}/explorer.wasm)
set(DS_WASM_FLAGS --target=wasm32-wasi -O2 -std=c11 -D_DEFAULT_SOURCE -ffp-contract=off
    -Wall -Wextra -Werror -Wno-unknown-pragmas -mexec-model=reactor -Wl,--strip-all)

# Can clang build a wasm32-wasi module with libc and libm?
find_program(DS_WASM_CC NAMES clang clang-14)
set(DS_EXPLORE_OK FALSE)
if(DS_WASM_CC)
  set(probe ${CMAKE_CURRENT_BINARY_DIR}/explore_probe)
  file(WRITE ${probe}.c "#include <math.h>\n#include <stdio.h>\n"
       "__attribute__((export_name(\"f\"))) int f(char *b, double x)\n"
       "{ return snprintf(b, 32, \"%.17g\", exp(x)); }\n")
  execute_process(COMMAND ${DS_WASM_CC} ${DS_WASM_FLAGS} ${probe}.c -o ${probe}.wasm
                  RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_VARIABLE probe_err)
  if(probe_rc EQUAL 0)
    set(DS_EXPLORE_OK TRUE)
  endif()
endif()

if(NOT DS_EXPLORE_OK)
  message(STATUS "explore: no clang wasm32-wasi toolchain, `descent explore` left out "
                 "(apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32; "
                 "tools/deps.sh does)")
else()
  file(GLOB DS_EXPLORE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/optim/*.c
       ${CMAKE_CURRENT_SOURCE_DIR}/schedule/*.c ${CMAKE_CURRENT_SOURCE_DIR}/functions/*.c)
  list(APPEND DS_EXPLORE_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/core/error.c
       ${CMAKE_CURRENT_SOURCE_DIR}/core/parse.c ${CMAKE_CURRENT_SOURCE_DIR}/core/spec.c
       ${CMAKE_CURRENT_SOURCE_DIR}/core/rng.c
       ${DS_EXPLORE_DIR}/engine.c)
  file(GLOB DS_EXPLORE_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/descent/*.h
       ${CMAKE_CURRENT_SOURCE_DIR}/core/*.h ${CMAKE_CURRENT_SOURCE_DIR}/optim/*.h)
  add_custom_command(
    OUTPUT ${DS_EXPLORE_WASM}
    COMMAND ${DS_WASM_CC} ${DS_WASM_FLAGS} -I${PROJECT_SOURCE_DIR}/include
            -I${CMAKE_CURRENT_SOURCE_DIR} ${DS_EXPLORE_SOURCES} -o ${DS_EXPLORE_WASM}
    DEPENDS ${DS_EXPLORE_SOURCES} ${DS_EXPLORE_HEADERS}
    COMMENT "explore: the engine to WebAssembly" VERBATIM)
  set(assets ${CMAKE_CURRENT_BINARY_DIR}/explore_assets.c)
  add_custom_command(
    OUTPUT ${assets}
    COMMAND ${CMAKE_COMMAND} -DPAGE_DIR=${DS_EXPLORE_DIR} -DWASM=${DS_EXPLORE_WASM}
            -DOUT=${assets} -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${DS_EXPLORE_WASM} ${DS_EXPLORE_DIR}/page.html ${DS_EXPLORE_DIR}/page.css
            ${DS_EXPLORE_DIR}/page.js ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "explore: embedding the page and the engine" VERBATIM)
  target_sources(descent_cli PRIVATE ${assets})
  target_compile_definitions(descent_cli PRIVATE DS_HAVE_EXPLORER=1)
endif()
