# Locates the third-party pieces afinar builds on.
#  - LibTorch and Arrow C++ come from the torch / pyarrow wheels installed in the dev venv
#    (tools/setup.sh). Their site-packages folders hold headers, shared libraries and, for torch,
#    a CMake config; we wire them by hand because torch's config insists on a CUDA toolkit that
#    matches its build, while afinar links the CPU libraries and loads libtorch_cuda.so on demand.
#  - Everything else comes from Debian packages.
set(AFINAR_PYTHON "$ENV{HOME}/.cache/afinar/venv/bin/python3" CACHE FILEPATH
    "Python of the dev venv that holds the torch and pyarrow wheels")

function(afinar_site_dir out module)
  execute_process(
    COMMAND ${AFINAR_PYTHON} -c "import importlib.util,os;s=importlib.util.find_spec('${module}');print(os.path.dirname(s.origin))"
    OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "afinar: cannot find the '${module}' wheel with ${AFINAR_PYTHON}. "
                        "HINT: run tools/setup.sh, or pass -DAFINAR_PYTHON=/path/to/venv/bin/python3")
  endif()
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()

# ---- LibTorch (torch wheel) ----
afinar_site_dir(TORCH_DIR torch)
if(NOT EXISTS "${TORCH_DIR}/lib/libtorch_cpu.so")
  message(FATAL_ERROR "afinar: ${TORCH_DIR}/lib/libtorch_cpu.so missing")
endif()
add_library(afinar_libtorch INTERFACE)
target_include_directories(afinar_libtorch SYSTEM INTERFACE
  "${TORCH_DIR}/include" "${TORCH_DIR}/include/torch/csrc/api/include")
target_link_libraries(afinar_libtorch INTERFACE
  "${TORCH_DIR}/lib/libtorch_cpu.so" "${TORCH_DIR}/lib/libc10.so")
target_compile_definitions(afinar_libtorch INTERFACE _GLIBCXX_USE_CXX11_ABI=1)
set(AFINAR_TORCH_LIB_DIR "${TORCH_DIR}/lib" CACHE INTERNAL "")

# ---- Arrow / Parquet (pyarrow wheel) ----
afinar_site_dir(PYARROW_DIR pyarrow)
file(GLOB _arrow_so "${PYARROW_DIR}/libarrow.so.*")
file(GLOB _arrow_compute_so "${PYARROW_DIR}/libarrow_compute.so.*")
file(GLOB _parquet_so "${PYARROW_DIR}/libparquet.so.*")
if(NOT _arrow_so OR NOT _parquet_so)
  message(FATAL_ERROR "afinar: libarrow/libparquet not found in ${PYARROW_DIR}")
endif()
add_library(afinar_arrow INTERFACE)
target_include_directories(afinar_arrow SYSTEM INTERFACE "${PYARROW_DIR}/include")
target_link_libraries(afinar_arrow INTERFACE ${_arrow_so} ${_arrow_compute_so} ${_parquet_so})
set(AFINAR_ARROW_LIB_DIR "${PYARROW_DIR}" CACHE INTERNAL "")

# ---- Debian packages ----
find_package(PkgConfig REQUIRED)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(ONIG REQUIRED IMPORTED_TARGET oniguruma)
# Arguments files in YAML (`afinar train args.yaml`).
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
# Audio (wav/flac/ogg) and image (png/jpeg) decoding for the Audio and Image features.
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
add_library(afinar_media INTERFACE)
target_link_libraries(afinar_media INTERFACE PkgConfig::SNDFILE PNG::PNG JPEG::JPEG)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(GTest REQUIRED)
find_package(Threads REQUIRED)

# Runtime search path: the wheels' shared libraries are found without LD_LIBRARY_PATH.
set(CMAKE_BUILD_RPATH "${AFINAR_TORCH_LIB_DIR};${AFINAR_ARROW_LIB_DIR}")
