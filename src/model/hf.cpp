#include "r1/model/hf.h"

#include "r1/fp8/quantize.h"
#include "r1/io/safetensors_index.h"
#include "r1/model/linear.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/log.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/hf_files.h"

namespace r1::model {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using util::FormatError;

constexpr const char* kScaleSuffix = "_scale_inv";  // FP8: X.weight + X.weight_scale_inv
constexpr const char* kStackedGateUp = "mlp.experts.gate_up_proj";  // transformers 5 in memory
constexpr const char* kStackedDown = "mlp.experts.down_proj";
constexpr int64_t kBlock = 128;  // DeepSeek's weight_block_size (model-spec §5.3)

// Files besides the weights that travel with a model (tokenizer and generation defaults).
constexpr const char* kCompanionFiles[] = {"tokenizer.json", "tokenizer_config.json",
                                           "special_tokens_map.json", "generation_config.json",
                                           "chat_template.jinja"};

// How one checkpoint key maps onto the module.
enum class KeyKind {
    tensor,           // a parameter or buffer of the same name
    scale,            // an FP8 weight's weight_scale_inv, read with its weight
    mtp_copy,         // an MTP layer's copy of embed_tokens or lm_head: checked, then tied
    stacked_gate_up,  // [E, 2mI, H]: experts.{e}.gate_proj rows then up_proj rows
    stacked_down,     // [E, H, mI]: experts.{e}.down_proj
    ignored,          // rotary_emb.inv_freq (old files), lm_head.weight of a tied model
};

bool is_fp8(const at::Tensor& t) {
    return t.scalar_type() == at::kFloat8_e4m3fn;
}

std::string prefix_of(const std::string& key, const char* suffix) {
    return key.substr(0, key.size() - std::string_view(suffix).size()) + "mlp.experts.";
}

// Reads a checkpoint into a module, checking names and shapes before any data moves.
class CheckpointLoader {
  public:
    CheckpointLoader(torch::nn::Module& module,
                     const ModelOptions& options,
                     const fs::path& dir,
                     const KeySelection& keys)
        : options_(options), keys_(keys), checkpoint_(dir) {
        for (auto& [name, tensor] : named_tensors(module)) {
            targets_.emplace(name, tensor);
        }
        const int64_t D = options_.is_deepseek() ? options_.num_nextn_predict_layers : 0;
        const std::string head =
            options_.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight";
        for (int64_t k = 0; k < D; ++k) {
            const std::string prefix =
                util::str("model.layers.", options_.num_hidden_layers + k, ".");
            copies_.emplace(prefix + "embed_tokens.weight", "model.embed_tokens.weight");
            copies_.emplace(prefix + "shared_head.head.weight", head);
        }
    }

    void load() {
        check_names();
        torch::NoGradGuard no_grad;
        for (const std::string& key : checkpoint_.names()) {
            switch (kind_of(key)) {
                case KeyKind::tensor:
                    if (is_fp8(targets_.at(key)) && is_fp8(checkpoint_.tensor(key))) {
                        copy_fp8(key);
                    } else {
                        copy_into(key, read(key), key);
                    }
                    break;
                case KeyKind::stacked_gate_up:
                case KeyKind::stacked_down:
                    load_stacked(key);
                    break;
                default:
                    break;
            }
        }
        check_copies();
    }

  private:
    KeyKind kind_of(const std::string& key) const {
        if (keys_.skip && keys_.skip(key)) {
            return KeyKind::ignored;
        }
        if (key.ends_with(kScaleSuffix)) {
            return KeyKind::scale;
        }
        if (key.ends_with("rotary_emb.inv_freq") ||
            (key == "lm_head.weight" && options_.tie_word_embeddings)) {
            return KeyKind::ignored;  // transformers recomputes / re-ties these too
        }
        if (copies_.contains(key)) {
            return KeyKind::mtp_copy;
        }
        if (options_.is_deepseek() && key.ends_with(util::str(".", kStackedGateUp))) {
            return KeyKind::stacked_gate_up;
        }
        if (options_.is_deepseek() && key.ends_with(util::str(".", kStackedDown))) {
            return KeyKind::stacked_down;
        }
        return KeyKind::tensor;
    }

    // The module tensors a key fills.
    std::vector<std::string> targets_of(const std::string& key, KeyKind kind) const {
        if (kind == KeyKind::tensor) {
            return {key};
        }
        std::vector<std::string> out;
        if (kind == KeyKind::stacked_gate_up || kind == KeyKind::stacked_down) {
            const bool gate_up = kind == KeyKind::stacked_gate_up;
            const std::string prefix = prefix_of(key, gate_up ? kStackedGateUp : kStackedDown);
            for (int64_t e = 0; e < options_.n_routed_experts; ++e) {
                for (const char* proj : gate_up ? std::vector<const char*>{"gate_proj", "up_proj"}
                                                : std::vector<const char*>{"down_proj"}) {
                    out.push_back(util::str(prefix, e, ".", proj, ".weight"));
                }
            }
        }
        return out;
    }

    std::string file_of(const std::string& key) const {
        return (checkpoint_.dir() / checkpoint_.shard_of(key)).string();
    }

    std::string nearest_target(const std::string& key) const {
        std::string best;
        int64_t best_distance = std::numeric_limits<int64_t>::max();
        for (const auto& [name, tensor] : targets_) {
            const int64_t d = util::edit_distance(key, name);
            if (d < best_distance) {
                best_distance = d;
                best = name;
            }
        }
        return best;
    }

    [[noreturn]] void unexpected(const std::string& key, const std::string& why) const {
        throw FormatError(util::str("unexpected tensor '", key, "': ", why), {file_of(key)});
    }

    void check_names() const {
        std::set<std::string> provided;
        for (const std::string& key : checkpoint_.names()) {
            const KeyKind kind = kind_of(key);
            if (kind == KeyKind::scale) {
                const std::string weight = key.substr(0, key.size() - std::strlen(kScaleSuffix));
                if (!checkpoint_.contains(weight)) {
                    unexpected(key, util::str("a scale without its weight '", weight, "'"));
                }
            }
            for (const std::string& target : targets_of(key, kind)) {
                if (!targets_.contains(target)) {
                    unexpected(key, util::str("not a tensor of ", options_.model_type,
                                              " with this config.json; nearest is '",
                                              nearest_target(target), "'"));
                }
                provided.insert(target);
                if (is_fp8(targets_.at(target))) {  // an FP8 Linear: the scale comes with it
                    provided.insert(target + kScaleSuffix);
                }
            }
        }
        std::vector<std::string> missing;
        for (const auto& [name, tensor] : targets_) {
            if (!provided.contains(name) && !keys_.optional.contains(name)) {
                missing.push_back(name);
            }
        }
        if (!missing.empty()) {
            const fs::path where = checkpoint_.sharded()
                                       ? checkpoint_.index_path()
                                       : checkpoint_.dir() / checkpoint_.shard_names()[0];
            const size_t count = missing.size();
            missing.resize(std::min<size_t>(count, 5));
            throw FormatError(util::str("missing tensor '", missing[0], "' (", count, " missing: ",
                                        util::join(missing, ", "), count > 5 ? ", ..." : "", ")"),
                              {where.string()});
        }
    }

    // The tensor as float (FP8 dequantised with its 128x128 weight_scale_inv, model-spec §5.3).
    at::Tensor read(const std::string& key) const {
        const at::Tensor t = checkpoint_.tensor(key);
        const std::string scale_key = key + kScaleSuffix;
        const bool fp8 = t.scalar_type() == at::kFloat8_e4m3fn;
        if (fp8 != checkpoint_.contains(scale_key)) {
            throw FormatError(
                fp8 ? util::str("tensor '", key, "' is F8_E4M3 but '", scale_key, "' is missing")
                    : util::str("tensor '", key, "' has a '", scale_key, "' but is ",
                                t.scalar_type(), ", not F8_E4M3"),
                {file_of(key)});
        }
        if (!fp8) {
            return t;
        }
        return fp8::dequantize_blocks(read_fp8(key));
    }

    // An F8_E4M3 weight and its weight_scale_inv as stored, the scale's shape checked.
    fp8::Quantized read_fp8(const std::string& key) const {
        const at::Tensor t = checkpoint_.tensor(key);
        const std::string scale_key = key + kScaleSuffix;
        if (!checkpoint_.contains(scale_key)) {
            throw FormatError(
                util::str("tensor '", key, "' is F8_E4M3 but '", scale_key, "' is missing"),
                {file_of(key)});
        }
        const at::Tensor scale = checkpoint_.tensor(scale_key).to(at::kFloat);
        const auto blocks = [&](int64_t dim) { return (t.size(dim) + kBlock - 1) / kBlock; };
        if (t.dim() != 2 || scale.dim() != 2 || scale.size(0) != blocks(0) ||
            scale.size(1) != blocks(1)) {
            throw FormatError(
                util::str("tensor '", scale_key, "': shape ", scale.sizes(),
                          " does not give one scale per 128x128 block of '", key, "' ", t.sizes()),
                {file_of(scale_key)});
        }
        return {.data = t, .scale = scale};
    }

    // The file's E4M3 bytes and scales into an FP8 Linear, unconverted (precision fp8).
    void copy_fp8(const std::string& key) {
        const fp8::Quantized q = read_fp8(key);
        at::Tensor& data = targets_.at(key);
        if (data.sizes() != q.data.sizes()) {
            wrong_shape(key, q.data.sizes(), data.sizes(), key);
        }
        data.copy_(q.data);
        targets_.at(key + kScaleSuffix).copy_(q.scale);
    }

    [[noreturn]] void wrong_shape(const std::string& key,
                                  at::IntArrayRef found,
                                  at::IntArrayRef expected,
                                  const std::string& target) const {
        throw FormatError(
            util::str("tensor '", key, "': shape ", found, " but config.json implies ", expected,
                      target == key ? "" : util::str(" for '", target, "'")),
            {file_of(key)});
    }

    void copy_into(const std::string& target, const at::Tensor& value, const std::string& key) {
        at::Tensor& dst = targets_.at(target);
        if (dst.sizes() != value.sizes()) {
            wrong_shape(key, value.sizes(), dst.sizes(), target);
        }
        if (!is_fp8(dst)) {
            dst.copy_(value);  // converts dtype
            return;
        }
        // a float tensor (or a stacked expert slice) for an FP8 Linear: DeepSeek's block rule
        const fp8::Quantized q = fp8::quantize_blocks(value);
        dst.copy_(q.data);
        targets_.at(target + kScaleSuffix).copy_(q.scale);
    }

    void load_stacked(const std::string& key) {
        const bool gate_up = kind_of(key) == KeyKind::stacked_gate_up;
        const std::vector<std::string> names = targets_of(key, kind_of(key));
        const auto one = targets_.at(names[0]).sizes();  // [mI, H] or [H, mI]
        const int64_t E = options_.n_routed_experts;
        const std::vector<int64_t> expected = {E, gate_up ? 2 * one[0] : one[0], one[1]};
        const at::Tensor value = read(key);
        if (value.sizes() != at::IntArrayRef(expected)) {
            wrong_shape(key, value.sizes(), expected, key);
        }
        for (int64_t e = 0; e < E; ++e) {
            if (gate_up) {
                copy_into(names[2 * e], value[e].slice(0, 0, one[0]), key);
                copy_into(names[2 * e + 1], value[e].slice(0, one[0]), key);
            } else {
                copy_into(names[e], value[e], key);
            }
        }
    }

    void check_copies() const {
        for (const auto& [key, main] : copies_) {
            if (!checkpoint_.contains(key)) {
                continue;  // r1's own layout leaves the copies out
            }
            const at::Tensor copy = read(key);
            const at::Tensor& value = targets_.at(main);
            if (copy.sizes() != value.sizes() || !at::equal(copy.to(value.scalar_type()), value)) {
                throw FormatError(util::str("tensor '", key, "' differs from '", main,
                                            "': r1 ties the MTP layer's copy to the main tensor"),
                                  {file_of(key)});
            }
        }
    }

    const ModelOptions& options_;
    const KeySelection& keys_;
    io::ShardedSafetensors checkpoint_;
    std::map<std::string, at::Tensor> targets_;
    std::map<std::string, std::string> copies_;  // MTP copy key -> main tensor name
};

std::string dtype_name(at::ScalarType dtype) {
    switch (dtype) {
        case at::kFloat:
            return "float32";
        case at::kBFloat16:
            return "bfloat16";
        case at::kHalf:
            return "float16";
        default:
            return c10::toString(dtype);
    }
}

}  // namespace

json pretrained_config(const ModelOptions& model_options,
                       const std::optional<fs::path>& source,
                       at::ScalarType dtype) {
    json config = json::object();
    if (source && fs::exists(*source / "config.json")) {
        const fs::path path = *source / "config.json";
        try {
            config = json::parse(util::read_file(path));
        } catch (const json::parse_error& e) {
            throw FormatError(util::str("invalid JSON: ", e.what()), {path.string()});
        }
    }
    for (const char* stale : {"quantization_config", "rope_scaling", "torch_dtype"}) {
        config.erase(stale);  // weights are written dequantised; rope goes to rope_parameters
    }
    config.update(to_config_json(model_options));
    config["dtype"] = dtype_name(dtype);
    return config;
}

ModelOptions without_absent_mtp(ModelOptions options, const fs::path& dir) {
    if (!options.is_deepseek() || options.num_nextn_predict_layers == 0) {
        return options;
    }
    const std::string first_mtp = util::str("model.layers.", options.num_hidden_layers, ".");
    for (const auto& name : io::ShardedSafetensors(dir).names()) {
        if (name.starts_with(first_mtp)) {
            return options;
        }
    }
    log::info(dir.string(), ": config.json has ", options.num_nextn_predict_layers,
              " MTP layer(s) but the weights have none (transformers drops them): MTP is off");
    options.num_nextn_predict_layers = 0;
    return options;
}

void load_checkpoint(torch::nn::Module& module,
                     const ModelOptions& options,
                     const fs::path& dir,
                     const KeySelection& keys) {
    CheckpointLoader(module, options, dir, keys).load();
}

at::Tensor stored_tensor(const std::string& name, const at::Tensor& t, const SaveOptions& options) {
    at::Tensor out = t.detach();
    const bool fp32_always = name.ends_with("e_score_correction_bias");  // as transformers
    // an FP8 layer's bytes are only meaningful with their weight_scale_inv: kept as they are
    if (options.dtype && out.is_floating_point() && !fp32_always && !is_fp8(out)) {
        out = out.to(*options.dtype);
    }
    return out.contiguous();
}

void write_pretrained(const fs::path& dir,
                      const NamedTensors& tensors,
                      const json& config,
                      const SaveOptions& options) {
    util::write_dir_atomically(dir, [&](const fs::path& tmp) {
        io::write_sharded_safetensors(tmp, tensors, {.max_shard_size = options.max_shard_size});
        util::atomic_write_file(tmp / "config.json", config.dump(2) + "\n");
        if (!options.source) {
            return;
        }
        for (const char* name : kCompanionFiles) {
            if (fs::exists(*options.source / name)) {
                fs::copy_file(*options.source / name, tmp / name);
            }
        }
    });
}

CausalLm load_pretrained(const fs::path& dir, const LoadOptions& load_options) {
    const ModelOptions options = without_absent_mtp(load_model_options(dir / "config.json"), dir);
    CausalLm model(options);
    if (load_options.precision == Precision::fp8) {
        set_linear_mode(*model, LinearMode::fp8);  // the loader then copies the file's FP8 bytes
    }
    load_checkpoint(*model, options, dir);
    if (load_options.precision == Precision::bf16) {
        to_inference_precision(*model, Precision::bf16);
    }
    model->eval();
    return model;
}

NamedTensors pretrained_tensors(CausalLmImpl& model, const SaveOptions& options) {
    auto stored = [&options](const std::string& name, const at::Tensor& t) {
        return stored_tensor(name, t, options);
    };
    NamedTensors out;
    for (const auto& [name, tensor] : named_tensors(model)) {
        out.emplace_back(name, stored(name, tensor));
    }
    const ModelOptions& o = model.options;
    if (options.layout == Layout::hf && o.is_deepseek()) {
        const at::Tensor& embed = model.model->embed_tokens->weight;
        const at::Tensor& head = model.lm_head ? model.lm_head->weight : embed;
        for (int64_t k = 0; k < o.num_nextn_predict_layers; ++k) {
            const std::string prefix = util::str("model.layers.", o.num_hidden_layers + k, ".");
            out.emplace_back(prefix + "embed_tokens.weight", stored("", embed));
            out.emplace_back(prefix + "shared_head.head.weight", stored("", head));
        }
    }
    return out;
}

void save_pretrained(CausalLmImpl& model, const fs::path& dir, const SaveOptions& options) {
    const auto tensors = pretrained_tensors(model, options);
    write_pretrained(
        dir, tensors,
        pretrained_config(model.options, options.source, tensors.front().second.scalar_type()),
        options);
}

}  // namespace r1::model
