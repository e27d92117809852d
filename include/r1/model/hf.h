// Hugging Face model directories (config.json + model.safetensors or a sharded
// model.safetensors.index.json) for DeepseekV3ForCausalLM, Qwen2ForCausalLM and LlamaForCausalLM:
// load_pretrained() builds a CausalLm from one, save_pretrained() writes one that transformers 5.24
// loads. r1's parameter names are the checkpoint keys; the few exceptions, all DeepSeek's, are:
//   - routed experts may come stacked (mlp.experts.gate_up_proj [E, 2mI, H] = gate rows then up
//     rows, mlp.experts.down_proj [E, H, mI]: transformers 5's in-memory form) instead of per
//     expert (mlp.experts.{e}.{gate,up,down}_proj.weight: DeepSeek's files, transformers 5.24's
//     saves);
//   - F8_E4M3 weights with a `weight_scale_inv` (128x128 blocks) are dequantised to float32, or,
//     with precision fp8, copied byte for byte into FP8 model::Linear layers (float weights of
//     those layers, stacked experts included, are then quantised per 128x128 block at load);
//   - the MTP layer model.layers.{L+k} (transformers drops it; r1 keeps it) carries copies of
//     embed_tokens and lm_head (embed_tokens.weight, shared_head.head.weight): checked equal, tied.
#pragma once

#include "r1/model/causal_lm.h"
#include "r1/model/precision.h"
#include "r1/model/state.h"

#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <optional>

namespace r1::model {

/// What a saved directory holds besides the module's own tensors (docs/cli.md, "Models").
enum class Layout {
    hf,  ///< transformers 5.24's names, plus DeepSeek's copies of embed_tokens / lm_head in each
         ///< MTP layer (as DeepSeek's files, which vLLM and SGLang load MTP from)
    r1,  ///< the module's named tensors only: same names, no duplicated MTP tensors
};

struct LoadOptions {
    Precision precision = Precision::float32;  ///< the projections' format (model/precision.h)
};

/// Reads `dir` (config.json and its safetensors, either Layout, FP8 or not) into a CausalLm in
/// eval mode: float32, or with options.precision bf16 / fp8 (FP8 layers keep the file's bytes).
/// Errors name the file and the tensor: ConfigError for config.json, FormatError for an unexpected
/// tensor (with the nearest expected name), a missing one, a wrong shape, an FP8 weight without its
/// scale, or an MTP copy that differs from the main tensor.
CausalLm load_pretrained(const std::filesystem::path& dir, const LoadOptions& options = {});

struct SaveOptions {
    Layout layout = Layout::hf;
    /// Storage dtype of the floating tensors (default: the parameters' own);
    /// e_score_correction_bias stays float32, as transformers keeps it.
    std::optional<c10::ScalarType> dtype;
    /// Shard above this many bytes (transformers 5's default is 50GB).
    uint64_t max_shard_size = 50'000'000'000;
    /// The directory the model came from, if any: its config.json keys that r1 does not model
    /// (bos_token_id, eos_token_id, ...) are kept (quantization_config is dropped: r1 writes
    /// dequantised weights) and its tokenizer files are copied.
    std::optional<std::filesystem::path> source;
};

/// Writes config.json and model.safetensors (or shards + index) to `dir` atomically
/// (util::write_dir_atomically): a crash never leaves a half-written directory.
void save_pretrained(CausalLmImpl& model,
                     const std::filesystem::path& dir,
                     const SaveOptions& options = {});

/// The tensors save_pretrained writes, by checkpoint name, in module order (shards fill in it).
NamedTensors pretrained_tensors(CausalLmImpl& model, const SaveOptions& options);

}  // namespace r1::model
