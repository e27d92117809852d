#include "r1/model/options.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace r1::model {

using nlohmann::json;
using util::ConfigError;
using util::str;

namespace {

// Typed reads of one key: absent or null keeps the default; a wrong type names file and key.
class Reader {
  public:
    Reader(const json& object, std::string source, std::string prefix)
        : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {}

    bool has(const char* key) const { return object_.contains(key) && !object_.at(key).is_null(); }

    void require(const char* key) const {
        if (!has(key)) {
            throw ConfigError(str("missing key '", prefix_, key, "'"), {source_});
        }
    }

    void get(const char* key, int64_t& out) const {
        if (has(key)) {
            const json& v = object_.at(key);
            if (!v.is_number_integer()) {
                fail(key, "an integer", v);
            }
            out = v.get<int64_t>();
        }
    }

    void get(const char* key, double& out) const {
        if (has(key)) {
            const json& v = object_.at(key);
            if (!v.is_number()) {
                fail(key, "a number", v);
            }
            out = v.get<double>();
        }
    }

    void get(const char* key, bool& out) const {
        if (has(key)) {
            const json& v = object_.at(key);
            if (!v.is_boolean()) {
                fail(key, "true or false", v);
            }
            out = v.get<bool>();
        }
    }

    void get(const char* key, std::string& out) const {
        if (has(key)) {
            const json& v = object_.at(key);
            if (!v.is_string()) {
                fail(key, "a string", v);
            }
            out = v.get<std::string>();
        }
    }

    template <class T>
    void get(const char* key, std::optional<T>& out) const {
        if (has(key)) {
            T value{};
            get(key, value);
            out = value;
        } else {
            out.reset();
        }
    }

  private:
    [[noreturn]] void fail(const char* key, const char* expected, const json& found) const {
        throw ConfigError(
            str("key '", prefix_, key, "': expected ", expected, ", found ", found.dump()),
            {source_});
    }

    const json& object_;
    std::string source_;
    std::string prefix_;
};

// rope_scaling (v4: "type" or "rope_type") or rope_parameters (v5, which also carries rope_theta).
std::optional<RopeScaling> parse_rope(const json& config,
                                      const std::string& source,
                                      double& theta) {
    const char* key = config.contains("rope_parameters") && !config.at("rope_parameters").is_null()
                          ? "rope_parameters"
                          : "rope_scaling";
    if (!config.contains(key) || config.at(key).is_null()) {
        return std::nullopt;
    }
    const json& object = config.at(key);
    if (!object.is_object()) {
        throw ConfigError(str("key '", key, "': expected an object, found ", object.dump()),
                          {source});
    }
    const Reader r(object, source, str(key, "."));
    r.get("rope_theta", theta);
    RopeScaling s;
    r.get("type", s.rope_type);
    r.get("rope_type", s.rope_type);
    if (s.rope_type.empty() || s.rope_type == "default") {
        return std::nullopt;
    }
    r.get("factor", s.factor);
    r.get("original_max_position_embeddings", s.original_max_position_embeddings);
    r.get("beta_fast", s.beta_fast);
    r.get("beta_slow", s.beta_slow);
    r.get("mscale", s.mscale);
    r.get("mscale_all_dim", s.mscale_all_dim);
    r.get("attention_factor", s.attention_factor);
    r.get("truncate", s.truncate);
    r.get("low_freq_factor", s.low_freq_factor);
    r.get("high_freq_factor", s.high_freq_factor);
    if (s.rope_type != "yarn" && s.rope_type != "llama3") {
        throw ConfigError(str("key '", key, ".rope_type': '", s.rope_type,
                              "' is not supported; expected yarn, llama3 or default"),
                          {source});
    }
    r.require("factor");
    r.require("original_max_position_embeddings");
    return s;
}

void parse_deepseek(const Reader& r, ModelOptions& o) {
    for (const char* key :
         {"moe_intermediate_size", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim",
          "v_head_dim", "n_routed_experts", "num_experts_per_tok"}) {
        r.require(key);
    }
    r.get("moe_intermediate_size", o.moe_intermediate_size);
    r.get("first_k_dense_replace", o.first_k_dense_replace);
    r.get("moe_layer_freq", o.moe_layer_freq);
    r.get("q_lora_rank", o.q_lora_rank);
    r.get("kv_lora_rank", o.kv_lora_rank);
    r.get("qk_nope_head_dim", o.qk_nope_head_dim);
    r.get("qk_rope_head_dim", o.qk_rope_head_dim);
    r.get("v_head_dim", o.v_head_dim);
    r.get("n_routed_experts", o.n_routed_experts);
    r.get("n_shared_experts", o.n_shared_experts);
    r.get("num_experts_per_tok", o.num_experts_per_tok);
    r.get("n_group", o.n_group);
    r.get("topk_group", o.topk_group);
    r.get("topk_method", o.topk_method);
    r.get("scoring_func", o.scoring_func);
    r.get("norm_topk_prob", o.norm_topk_prob);
    r.get("routed_scaling_factor", o.routed_scaling_factor);
    r.get("aux_loss_alpha", o.aux_loss_alpha);
    r.get("seq_aux", o.seq_aux);
    r.get("num_nextn_predict_layers", o.num_nextn_predict_layers);
    r.get("rope_interleave", o.rope_interleave);
}

}  // namespace

ModelOptions parse_model_options(const json& config, const std::string& source) {
    if (!config.is_object()) {
        throw ConfigError("expected a JSON object (a config.json)", {source});
    }
    const Reader r(config, source, "");
    ModelOptions o;
    r.require("model_type");
    r.get("model_type", o.model_type);
    if (o.model_type != "deepseek_v3" && o.model_type != "qwen2" && o.model_type != "llama") {
        throw ConfigError(str("key 'model_type': '", o.model_type,
                              "' is not supported; expected deepseek_v3, qwen2 or llama"),
                          {source});
    }
    for (const char* key : {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                            "num_attention_heads"}) {
        r.require(key);
    }
    r.get("vocab_size", o.vocab_size);
    r.get("hidden_size", o.hidden_size);
    r.get("intermediate_size", o.intermediate_size);
    r.get("num_hidden_layers", o.num_hidden_layers);
    r.get("num_attention_heads", o.num_attention_heads);
    o.num_key_value_heads = o.num_attention_heads;
    r.get("num_key_value_heads", o.num_key_value_heads);
    r.get("head_dim", o.head_dim);
    r.get("max_position_embeddings", o.max_position_embeddings);
    r.get("rms_norm_eps", o.rms_norm_eps);
    r.get("rope_theta", o.rope_theta);
    r.get("tie_word_embeddings", o.tie_word_embeddings);
    o.attention_bias = o.model_type == "qwen2";  // Qwen2 hard-codes q/k/v biases
    r.get("attention_bias", o.attention_bias);
    r.get("mlp_bias", o.mlp_bias);
    r.get("hidden_act", o.hidden_act);
    r.get("initializer_range", o.initializer_range);
    o.rope_scaling = parse_rope(config, source, o.rope_theta);
    if (o.is_deepseek()) {
        parse_deepseek(r, o);
    }
    validate(o, source);
    return o;
}

ModelOptions load_model_options(const std::string& path) {
    const std::string text = util::read_file(path);
    json config;
    try {
        config = json::parse(text);
    } catch (const json::parse_error& e) {
        throw util::FormatError(str("invalid JSON: ", e.what()), {path});
    }
    return parse_model_options(config, path);
}

namespace {

void check(bool ok, const std::string& source, const std::string& message) {
    if (!ok) {
        throw ConfigError(message, {source});
    }
}

void validate_deepseek(const ModelOptions& o, const std::string& src) {
    const int64_t E = o.n_routed_experts;
    const int64_t G = o.n_group;
    check(o.kv_lora_rank > 0 && o.qk_nope_head_dim > 0 && o.v_head_dim > 0 &&
              o.moe_intermediate_size > 0,
          src, "kv_lora_rank, qk_nope_head_dim, v_head_dim and moe_intermediate_size must be > 0");
    check(o.qk_rope_head_dim > 0 && o.qk_rope_head_dim % 2 == 0, src,
          str("qk_rope_head_dim (", o.qk_rope_head_dim, ") must be positive and even"));
    check(!o.q_lora_rank || *o.q_lora_rank > 0, src,
          str("q_lora_rank (", o.q_lora_rank.value_or(0), ") must be null or > 0"));
    check(E > 0 && G > 0 && E % G == 0, src,
          str("n_routed_experts (", E, ") must be a positive multiple of n_group (", G, ")"));
    check(E / G >= 2, src,
          str("n_routed_experts / n_group (", E / G, ") must be >= 2: a group scores its top-2"));
    check(o.topk_group >= 1 && o.topk_group <= G, src,
          str("topk_group (", o.topk_group, ") must be in [1, n_group (", G, ")]"));
    check(o.num_experts_per_tok >= 1 && o.num_experts_per_tok <= o.topk_group * E / G, src,
          str("num_experts_per_tok (", o.num_experts_per_tok,
              ") must be in [1, topk_group * n_routed_experts / n_group (", o.topk_group * E / G,
              ")]"));
    check(o.first_k_dense_replace >= 0 && o.first_k_dense_replace <= o.num_hidden_layers, src,
          str("first_k_dense_replace (", o.first_k_dense_replace,
              ") must be in [0, num_hidden_layers (", o.num_hidden_layers, ")]"));
    check(o.n_shared_experts >= 0 && o.num_nextn_predict_layers >= 0, src,
          "n_shared_experts and num_nextn_predict_layers must be >= 0");
    check(o.scoring_func == "sigmoid" || o.scoring_func == "softmax", src,
          str("scoring_func '", o.scoring_func, "' is not supported; expected sigmoid or softmax"));
    check(o.topk_method == "noaux_tc", src,
          str("topk_method '", o.topk_method, "' is not supported; expected noaux_tc"));
}

}  // namespace

void validate(const ModelOptions& o, const std::string& src) {
    check(o.vocab_size > 0 && o.hidden_size > 0 && o.intermediate_size > 0 &&
              o.num_hidden_layers > 0 && o.num_attention_heads > 0,
          src,
          "vocab_size, hidden_size, intermediate_size, num_hidden_layers and num_attention_heads "
          "must be > 0");
    check(o.rms_norm_eps > 0 && o.rope_theta > 0, src, "rms_norm_eps and rope_theta must be > 0");
    check(o.hidden_act == "silu", src,
          str("hidden_act '", o.hidden_act, "' is not supported; expected silu"));
    if (o.rope_scaling) {
        check(o.rope_scaling->factor > 0 && o.rope_scaling->original_max_position_embeddings > 0,
              src,
              "rope_scaling.factor and rope_scaling.original_max_position_embeddings must be > 0");
    }
    if (o.is_deepseek()) {
        validate_deepseek(o, src);
        return;
    }
    check(o.num_key_value_heads > 0 && o.num_attention_heads % o.num_key_value_heads == 0, src,
          str("num_attention_heads (", o.num_attention_heads,
              ") must be a multiple of num_key_value_heads (", o.num_key_value_heads, ")"));
    check(o.head_dim || o.hidden_size % o.num_attention_heads == 0, src,
          str("hidden_size (", o.hidden_size, ") must be a multiple of num_attention_heads (",
              o.num_attention_heads, ") when head_dim is absent"));
    check(o.dense_head_dim() > 0 && o.dense_head_dim() % 2 == 0, src,
          str("head_dim (", o.dense_head_dim(), ") must be positive and even"));
}

}  // namespace r1::model

namespace r1::model {

namespace {

// transformers 5 form: rope_parameters carries rope_theta and the scaling fields r1 reads.
json rope_json(const ModelOptions& o) {
    json rope = {{"rope_type", "default"}, {"rope_theta", o.rope_theta}};
    if (!o.rope_scaling) {
        return rope;
    }
    const RopeScaling& s = *o.rope_scaling;
    rope["rope_type"] = s.rope_type;
    rope["factor"] = s.factor;
    rope["original_max_position_embeddings"] = s.original_max_position_embeddings;
    if (s.rope_type == "llama3") {
        rope["low_freq_factor"] = s.low_freq_factor;
        rope["high_freq_factor"] = s.high_freq_factor;
        return rope;
    }
    rope["beta_fast"] = s.beta_fast;
    rope["beta_slow"] = s.beta_slow;
    if (s.mscale != 0.0) {  // 0 stands for an absent key (falsy in HF)
        rope["mscale"] = s.mscale;
    }
    if (s.mscale_all_dim != 0.0) {
        rope["mscale_all_dim"] = s.mscale_all_dim;
    }
    if (s.attention_factor) {
        rope["attention_factor"] = *s.attention_factor;
    }
    rope["truncate"] = s.truncate;
    return rope;
}

void deepseek_json(const ModelOptions& o, json& c) {
    c["architectures"] = {"DeepseekV3ForCausalLM"};
    c["moe_intermediate_size"] = o.moe_intermediate_size;
    c["first_k_dense_replace"] = o.first_k_dense_replace;
    c["moe_layer_freq"] = o.moe_layer_freq;
    c["q_lora_rank"] = o.q_lora_rank ? json(*o.q_lora_rank) : json(nullptr);
    c["kv_lora_rank"] = o.kv_lora_rank;
    c["qk_nope_head_dim"] = o.qk_nope_head_dim;
    c["qk_rope_head_dim"] = o.qk_rope_head_dim;
    c["v_head_dim"] = o.v_head_dim;
    c["n_routed_experts"] = o.n_routed_experts;
    c["n_shared_experts"] = o.n_shared_experts;
    c["num_experts_per_tok"] = o.num_experts_per_tok;
    c["n_group"] = o.n_group;
    c["topk_group"] = o.topk_group;
    c["topk_method"] = o.topk_method;
    c["scoring_func"] = o.scoring_func;
    c["norm_topk_prob"] = o.norm_topk_prob;
    c["routed_scaling_factor"] = o.routed_scaling_factor;
    c["aux_loss_alpha"] = o.aux_loss_alpha;
    c["seq_aux"] = o.seq_aux;
    c["num_nextn_predict_layers"] = o.num_nextn_predict_layers;
    c["rope_interleave"] = o.rope_interleave;
}

}  // namespace

json to_config_json(const ModelOptions& o) {
    json c = {{"model_type", o.model_type},
              {"vocab_size", o.vocab_size},
              {"hidden_size", o.hidden_size},
              {"intermediate_size", o.intermediate_size},
              {"num_hidden_layers", o.num_hidden_layers},
              {"num_attention_heads", o.num_attention_heads},
              {"num_key_value_heads", o.num_key_value_heads},
              {"max_position_embeddings", o.max_position_embeddings},
              {"rms_norm_eps", o.rms_norm_eps},
              {"rope_parameters", rope_json(o)},
              {"tie_word_embeddings", o.tie_word_embeddings},
              {"attention_bias", o.attention_bias},
              {"hidden_act", o.hidden_act},
              {"initializer_range", o.initializer_range}};
    if (o.is_deepseek()) {
        deepseek_json(o, c);
        return c;
    }
    if (o.head_dim) {
        c["head_dim"] = *o.head_dim;
    }
    if (o.model_type == "qwen2") {
        c["architectures"] = {"Qwen2ForCausalLM"};
        c["use_sliding_window"] = false;  // r1 has no sliding window (model-spec §7.1)
        c.erase("attention_bias");        // Qwen2 hard-codes its q/k/v biases
    } else {
        c["architectures"] = {"LlamaForCausalLM"};
        c["mlp_bias"] = o.mlp_bias;
    }
    return c;
}

}  // namespace r1::model
