// DeepSeek-V3's fine-grained FP8 quantisation (model-spec §5.2-5.4): activations per 1x128 tile
// along K, weights per 128x128 block, scale = amax/448 (optionally rounded up to a power of two,
// UE8M0), and the inverse maps. Scales are stored as DeepSeek's `weight_scale_inv` stores them:
// the dequantisation multiplier, so x ≈ float(q) · scale.
#pragma once

#include "r1/fp8/format.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string_view>

namespace r1::fp8 {

inline constexpr float kAmaxFloor =
    1e-4f;  // act_quant's floor: an all-zero tile gets scale 1e-4/448

enum class ScaleFormat {
    fp32,   ///< s = amax / 448, as DeepSeek-V3 (SM90)
    ue8m0,  ///< s = 2^ceil(log2(amax / 448)): power-of-two scales, as V3.1 / SM100 (exact ceil)
};

/// An E4M3 tensor with its block scales. Tiles: data [..., K], scale [..., ceil(K/128)].
/// Blocks: data [N, K], scale [ceil(N/128), ceil(K/128)] (a checkpoint's weight and
/// weight_scale_inv).
struct Quantized {
    at::Tensor data;   // dtype at::kFloat8_e4m3fn
    at::Tensor scale;  // float32 dequantisation multipliers
};

/// Per 1x128 tile along the last dim (DeepSeek's act_quant, plus tails: a partial tile's scale
/// comes from its valid elements, as if zero-padded). q = e4m3(x / s), s = max(amax, 1e-4) / 448.
Quantized quantize_tiles(const at::Tensor& x, ScaleFormat scale_format = ScaleFormat::fp32);

/// Per 128x128 block of a 2-D [N, K] weight; same rule for s, same handling of partial blocks.
Quantized quantize_blocks(const at::Tensor& w, ScaleFormat scale_format = ScaleFormat::fp32);

/// float32 x[..., k] = float(q[..., k]) · scale[..., k / 128].
at::Tensor dequantize_tiles(const Quantized& q);

/// float32 w[r, c] = float(q[r, c]) · scale[r / 128, c / 128] (DeepSeek's weight_dequant).
at::Tensor dequantize_blocks(const Quantized& q);

/// Throw (c10::Error, naming `what` and the shapes) unless `q` is a valid tile or block
/// quantisation.
void check_tiles(const Quantized& q, std::string_view what);
void check_blocks(const Quantized& q, std::string_view what);

}  // namespace r1::fp8
