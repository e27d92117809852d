// The two FP8 formats of DeepSeek-V3 and PyTorch: E4M3 (e4m3fn) and E5M2, encoded from and decoded
// to float32 bit for bit as torch.float8_e4m3fn / torch.float8_e5m2 do (model-spec §5.1), one value
// at a time or in bulk (vectorised for the CPU at hand), on raw bytes or on tensors.
#pragma once

#include "r1/fp8/types.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <span>
#include <string_view>

namespace r1::fp8 {

std::string_view name(Format format);  // "e4m3", "e5m2"

/// One value; round-to-nearest-even, subnormals kept, NaN keeps its sign.
uint8_t encode_e4m3(float x, Overflow overflow = Overflow::like_torch);
uint8_t encode_e5m2(float x, Overflow overflow = Overflow::like_torch);
float decode_e4m3(uint8_t code);  // exact; NaN codes give torch's NaN payloads
float decode_e5m2(uint8_t code);

/// Bulk conversion of raw bytes with the fastest kernel this CPU runs (kernel.h);
/// `out` must be as long as `in`.
void encode(Format format,
            std::span<const float> in,
            std::span<uint8_t> out,
            Overflow overflow = Overflow::like_torch);
void decode(Format format, std::span<const uint8_t> in, std::span<float> out);

/// Tensor form: any floating tensor → a contiguous tensor of dtype at::kFloat8_e4m3fn or
/// at::kFloat8_e5m2 (the input is first converted to float32, exactly for bf16 and f16).
at::Tensor to_fp8(const at::Tensor& x, Format format, Overflow overflow = Overflow::like_torch);
/// An FP8 tensor (either dtype, or uint8 read as `format`) → float32, exactly.
at::Tensor to_float(const at::Tensor& q);
at::Tensor to_float(const at::Tensor& q, Format format);

/// The ATen dtype of a format.
at::ScalarType dtype(Format format);

}  // namespace r1::fp8
