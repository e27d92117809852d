// ModelOptions: a Hugging Face config.json (model_type deepseek_v3, qwen2 or llama) with its keys
// verbatim, parsed from JSON with errors naming file and key, and validated (model-spec §1, §7).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace r1::model {

/// `rope_scaling` (v4) or `rope_parameters` (transformers v5); absent or "default" = plain RoPE.
struct RopeScaling {
    std::string rope_type;                         // "yarn" or "llama3" ("type" in old files)
    double factor = 1.0;                           // s
    int64_t original_max_position_embeddings = 0;  // pre-extension length
    // YaRN (model-spec §2.2)
    double beta_fast = 32.0;
    double beta_slow = 1.0;
    double mscale = 0.0;                     // 0 = absent (HF treats a missing key as falsy)
    double mscale_all_dim = 0.0;             // 0 = absent: no softmax temperature (HF)
    std::optional<double> attention_factor;  // cos/sin multiplier; derived when absent
    bool truncate = true;                    // floor/ceil the correction range (HF default)
    // Llama 3 (model-spec §7.1)
    double low_freq_factor = 1.0;
    double high_freq_factor = 4.0;
};

/// Every config.json key r1 reads; names are HF's. Fields of the other families keep HF defaults.
struct ModelOptions {
    std::string model_type;  // "deepseek_v3", "qwen2" or "llama"
    int64_t vocab_size = 0;
    int64_t hidden_size = 0;        // H
    int64_t intermediate_size = 0;  // dense FFN width I
    int64_t num_hidden_layers = 0;  // L (MTP layers come after)
    int64_t num_attention_heads = 0;
    int64_t num_key_value_heads = 0;  // GQA (dense); unused by MLA
    std::optional<int64_t> head_dim;  // dense: default hidden_size / num_attention_heads
    int64_t max_position_embeddings = 2048;
    double rms_norm_eps = 1e-6;
    double rope_theta = 10000.0;
    std::optional<RopeScaling> rope_scaling;
    bool tie_word_embeddings = false;
    bool attention_bias = false;  // q/k/v bias (dense; qwen2 always true), q_a/kv_a/o (MLA)
    bool mlp_bias = false;        // llama
    std::string hidden_act = "silu";
    double initializer_range = 0.02;

    // deepseek_v3 only (model-spec §1.1)
    int64_t moe_intermediate_size = 0;  // mI
    int64_t first_k_dense_replace = 0;
    int64_t moe_layer_freq = 1;          // ignored, as HF does
    std::optional<int64_t> q_lora_rank;  // null: plain q_proj
    int64_t kv_lora_rank = 0;
    int64_t qk_nope_head_dim = 0;  // dn
    int64_t qk_rope_head_dim = 0;  // dr
    int64_t v_head_dim = 0;        // dv
    int64_t n_routed_experts = 0;  // E
    int64_t n_shared_experts = 0;
    int64_t num_experts_per_tok = 0;  // K
    int64_t n_group = 1;              // G
    int64_t topk_group = 1;           // TG
    std::string topk_method = "noaux_tc";
    std::string scoring_func = "sigmoid";
    bool norm_topk_prob = true;
    double routed_scaling_factor = 1.0;
    double aux_loss_alpha = 0.001;  // config value; the report trains with 1e-4 (spec §3.4)
    bool seq_aux = true;
    int64_t num_nextn_predict_layers = 0;  // MTP depth D
    bool rope_interleave = true;

    bool is_deepseek() const { return model_type == "deepseek_v3"; }

    /// Layers < first_k_dense_replace use a dense Mlp; the rest a Moe (DeepSeek only).
    bool is_moe_layer(int64_t layer) const {
        return is_deepseek() && layer >= first_k_dense_replace;
    }

    int64_t dense_head_dim() const { return head_dim.value_or(hidden_size / num_attention_heads); }

    int64_t qk_head_dim() const { return qk_nope_head_dim + qk_rope_head_dim; }  // dq
};

/// Parses a config.json document; `source` names it in errors. Validates the result.
ModelOptions parse_model_options(const nlohmann::json& config, const std::string& source);

/// Reads and parses `path` (a config.json file).
ModelOptions load_model_options(const std::string& path);

/// The config.json of `options` with HF's keys, as transformers 5.24 writes them (architectures,
/// rope_parameters with rope_theta inside; DeepSeek's fields only for deepseek_v3): parsing it back
/// gives `options` again.
nlohmann::json to_config_json(const ModelOptions& options);

/// Checks cross-field constraints (E % n_group == 0, ...); throws ConfigError naming the keys.
void validate(const ModelOptions& options, const std::string& source = "config.json");

}  // namespace r1::model
