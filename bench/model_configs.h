// The DeepSeek-V3 configs the benches run: spec §1.4's tiny model ("tiny") and the same shape
// widened to about 100M parameters ("100m"), as config.json objects.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace r1::bench {

inline nlohmann::json config_of(const std::string& name) {
    nlohmann::json c = nlohmann::json::parse(R"({
        "model_type": "deepseek_v3", "vocab_size": 1024, "hidden_size": 256, "intermediate_size": 512,
        "moe_intermediate_size": 128, "num_hidden_layers": 4, "first_k_dense_replace": 1,
        "num_nextn_predict_layers": 0, "num_attention_heads": 4, "num_key_value_heads": 4,
        "q_lora_rank": 128, "kv_lora_rank": 128, "qk_nope_head_dim": 32, "qk_rope_head_dim": 16,
        "v_head_dim": 32, "n_routed_experts": 16, "n_shared_experts": 1, "num_experts_per_tok": 4,
        "n_group": 4, "topk_group": 2, "routed_scaling_factor": 2.5, "norm_topk_prob": true,
        "scoring_func": "sigmoid", "topk_method": "noaux_tc", "hidden_act": "silu", "rms_norm_eps": 1e-6,
        "max_position_embeddings": 1024, "rope_theta": 10000.0, "tie_word_embeddings": false})");
    if (name == "100m") {
        c.merge_patch(nlohmann::json::parse(R"({"vocab_size": 32000, "hidden_size": 512,
            "intermediate_size": 1536, "moe_intermediate_size": 256, "num_hidden_layers": 6,
            "num_attention_heads": 8, "num_key_value_heads": 8, "q_lora_rank": 256, "kv_lora_rank": 128,
            "qk_nope_head_dim": 64, "qk_rope_head_dim": 32, "v_head_dim": 64, "n_routed_experts": 32,
            "num_experts_per_tok": 4, "n_group": 4, "topk_group": 2})"));
    }
    return c;
}

}  // namespace r1::bench
