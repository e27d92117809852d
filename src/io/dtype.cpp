#include "r1/io/dtype.h"

#include "r1/util/error.h"

#include <array>
#include <string>

namespace r1::io {
namespace {

// `order` follows the declaration order of safetensors' Rust `Dtype` enum (BOOL < U8 < I8 < F8_E5M2
// < F8_E4M3 < I16 < U16 < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64): save_file sorts by it,
// descending, so the writer needs it to produce the same bytes.
constexpr std::array<Dtype, 12> kDtypes{{
    {"BOOL", c10::ScalarType::Bool, 1, 0},
    {"U8", c10::ScalarType::Byte, 1, 1},
    {"I8", c10::ScalarType::Char, 1, 2},
    {"F8_E5M2", c10::ScalarType::Float8_e5m2, 1, 3},
    {"F8_E4M3", c10::ScalarType::Float8_e4m3fn, 1, 4},
    {"I16", c10::ScalarType::Short, 2, 5},
    {"F16", c10::ScalarType::Half, 2, 7},
    {"BF16", c10::ScalarType::BFloat16, 2, 8},
    {"I32", c10::ScalarType::Int, 4, 9},
    {"F32", c10::ScalarType::Float, 4, 11},
    {"F64", c10::ScalarType::Double, 8, 12},
    {"I64", c10::ScalarType::Long, 8, 13},
}};

std::string known_names() {
    std::string out;
    for (const Dtype& d : kDtypes) {
        out += (out.empty() ? "" : ", ") + std::string(d.name);
    }
    return out;
}

}  // namespace

std::span<const Dtype> dtypes() {
    return kDtypes;
}

const Dtype* find_dtype(std::string_view name) {
    for (const Dtype& d : kDtypes) {
        if (d.name == name) {
            return &d;
        }
    }
    return nullptr;
}

const Dtype& dtype_of(std::string_view name) {
    if (const Dtype* d = find_dtype(name)) {
        return *d;
    }
    throw util::FormatError("unknown dtype '" + std::string(name) + "'; expected one of " +
                            known_names());
}

const Dtype& dtype_of(c10::ScalarType scalar_type) {
    for (const Dtype& d : kDtypes) {
        if (d.scalar_type == scalar_type) {
            return d;
        }
    }
    throw util::UnsupportedError(std::string("safetensors: no dtype for ") +
                                 c10::toString(scalar_type) + "; expected one of " + known_names());
}

}  // namespace r1::io
