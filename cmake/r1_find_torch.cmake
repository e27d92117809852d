# Finds LibTorch: through the Python wheel (torch.utils.cmake_prefix_path) unless Torch_DIR is given.
# The imported `torch` target carries the ABI flag; never copy TORCH_CXX_FLAGS into global flags.
if(NOT Torch_DIR)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  execute_process(
    COMMAND ${Python3_EXECUTABLE} -c "import torch; print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE R1_TORCH_PREFIX
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE R1_TORCH_FOUND)
  if(NOT R1_TORCH_FOUND EQUAL 0)
    message(FATAL_ERROR "r1: cannot import torch with ${Python3_EXECUTABLE}; run scripts/setup first "
                        "(it installs torch==2.13.0), or pass -DTorch_DIR=<libtorch>/share/cmake/Torch")
  endif()
  list(APPEND CMAKE_PREFIX_PATH ${R1_TORCH_PREFIX})
endif()

# TorchConfig looks for CUDA when its build has it; a CPU build must not go hunting for nvcc.
if(NOT R1_CUDA)
  set(CAFFE2_USE_CUDA OFF)
endif()
find_package(Torch REQUIRED CONFIG)
message(STATUS "r1: LibTorch ${Torch_VERSION} from ${Torch_DIR}")

if(R1_CUDA AND NOT TORCH_CUDA_LIBRARIES)
  message(FATAL_ERROR "r1: R1_CUDA=ON but this LibTorch (${Torch_DIR}) was built without CUDA")
endif()
