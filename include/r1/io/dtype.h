// Safetensors dtype names ("F32", "BF16", "F8_E4M3", ...) <-> c10::ScalarType, element sizes, and
// the order in which Python's safetensors lays tensors out (descending alignment, then name).
#pragma once

#include <c10/core/ScalarType.h>

#include <cstdint>
#include <span>
#include <string_view>

namespace r1::io {

/// One safetensors dtype as r1 supports it.
struct Dtype {
    std::string_view name;        // as written in the header: "F8_E4M3"
    c10::ScalarType scalar_type;  // at::kFloat8_e4m3fn
    int64_t element_size = 0;     // bytes per element
    int order = 0;                // rank in safetensors' Dtype enum (ascending alignment)
};

/// Every dtype r1 reads and writes: F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U8,
/// BOOL.
std::span<const Dtype> dtypes();

/// The dtype spelled `name`, or nullptr if r1 does not know it (names are case-sensitive).
const Dtype* find_dtype(std::string_view name);

/// The dtype spelled `name`; FormatError "unknown dtype 'X'; expected one of F64, F32, ..."
/// otherwise.
const Dtype& dtype_of(std::string_view name);

/// The safetensors dtype of a LibTorch scalar type; UnsupportedError for types safetensors lacks
/// here.
const Dtype& dtype_of(c10::ScalarType scalar_type);

}  // namespace r1::io
