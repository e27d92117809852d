// The number format a model runs its projections in, chosen per run (`precision:` in the eval and
// pretrain options, `r1 generate --precision`). FP8 covers exactly what DeepSeek-V3 stores and
// trains in FP8 (model-spec §5.2-5.3): model::Linear layers (linear.h). Free of LibTorch so
// options headers can carry it.
#pragma once

#include <array>
#include <utility>

namespace r1::model {

enum class Precision {
    float32,  ///< float32 weights and GEMMs
    bf16,     ///< inference: weights cast to bfloat16; training: CPU autocast to bfloat16
    fp8,      ///< inference: E4M3 weights + block scales; training: FP8 GEMMs, float32 masters
};

constexpr auto enum_names(Precision) {
    return std::array{std::pair{Precision::float32, "float32"}, std::pair{Precision::bf16, "bf16"},
                      std::pair{Precision::fp8, "fp8"}};
}

}  // namespace r1::model
