// load_pretrained / save_pretrained / score on Hugging Face directories written by transformers'
// save_pretrained (tests/reference/make_hf_checkpoints.py): logits and log-probs equal
// transformers', both expert layouts, FP8 dequantisation equal to Python's, the layouts r1 writes,
// and error messages naming the file and the tensor.
#include "r1/model/hf.h"

#include "r1/fp8/quantize.h"
#include "r1/io/safetensors.h"
#include "r1/io/safetensors_index.h"
#include "r1/model/score.h"
#include "r1/model/state.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

namespace fs = std::filesystem;

fs::path hf_dir(const std::string& name) {
    const char* build = std::getenv("R1_BUILD_DIR");
    const fs::path dir = fs::path(build ? build : "build") / "reference" / "hf" / name;
    if (!fs::exists(dir)) {
        ADD_FAILURE() << "missing fixture " << dir
                      << ": run the fixture.hf ctest (tests/reference/make_hf_checkpoints.py)";
    }
    return dir;
}

std::map<std::string, at::Tensor> read_all(const fs::path& file) {
    const io::SafetensorsFile f(file);
    std::map<std::string, at::Tensor> out;
    for (const auto& name : f.names()) {
        out[name] = f.tensor(name).clone();
    }
    return out;
}

std::map<std::string, at::Tensor> io_of(const std::string& name) {
    return read_all(hf_dir(name + ".io") / "io.safetensors");
}

void expect_matches_transformers(const std::string& name, const std::string& io_name) {
    auto model = load_pretrained(hf_dir(name));
    const auto io = io_of(io_name);
    torch::NoGradGuard no_grad;
    const auto& mask = io.at("attention_mask");
    const auto out = model->forward(io.at("input_ids"), mask, {.mtp = true});
    test::expect_logits_match(out.logits, io.at("logits"), mask);
    if (io.contains("mtp_logits_1")) {
        ASSERT_EQ(out.mtp_logits.size(), 1u);
        test::expect_logits_match(out.mtp_logits[0], io.at("mtp_logits_1"), mask.slice(1, 1));
    }
}

void expect_same_tensors(CausalLmImpl& a, CausalLmImpl& b) {
    const auto x = named_tensors(a);
    const auto y = named_tensors(b);
    ASSERT_EQ(x.size(), y.size());
    for (size_t i = 0; i < x.size(); ++i) {
        ASSERT_EQ(x[i].first, y[i].first);
        EXPECT_TRUE(at::equal(x[i].second, y[i].second)) << x[i].first;
    }
}

TEST(HfLoadTest, DeepseekShardedWithoutQLoraMatchesTransformers) {
    expect_matches_transformers("deepseek_q_none", "deepseek_q_none");
}

TEST(HfLoadTest, DeepseekGroupLimitedMatchesTransformers) {
    expect_matches_transformers("deepseek_groups", "deepseek_groups");
}

TEST(HfLoadTest, StackedExpertsLoadAsPerExpert) {
    expect_matches_transformers("deepseek_stacked", "deepseek_groups");
    auto stacked = load_pretrained(hf_dir("deepseek_stacked"));
    auto per_expert = load_pretrained(hf_dir("deepseek_groups"));
    expect_same_tensors(*stacked, *per_expert);
}

TEST(HfLoadTest, TransformersSaveWithoutMtpWeightsLoadsWithMtpOff) {
    auto model = load_pretrained(hf_dir("deepseek_no_mtp"));
    EXPECT_EQ(model->options.num_nextn_predict_layers, 0);
    expect_matches_transformers("deepseek_no_mtp", "deepseek_no_mtp");
}

TEST(HfLoadTest, Qwen2TiedMatchesTransformers) {
    expect_matches_transformers("qwen2", "qwen2");
    EXPECT_FALSE(load_pretrained(hf_dir("qwen2"))->lm_head);
}

TEST(HfLoadTest, Fp8WeightsEqualPythonDequantisation) {
    auto model = load_pretrained(hf_dir("deepseek_fp8"));
    const auto expected = read_all(hf_dir("deepseek_fp8.io") / "dequant.safetensors");
    const auto actual = named_tensors(*model);
    ASSERT_EQ(actual.size(), expected.size());
    int64_t quantised = 0;
    for (const auto& [name, tensor] : actual) {
        ASSERT_TRUE(expected.contains(name)) << name;
        R1_EXPECT_CLOSE(tensor, expected.at(name), 1e-6, 0.0);
        quantised += name.ends_with("_proj.weight") ? 1 : 0;
    }
    EXPECT_GT(quantised, 20);
}

TEST(HfLoadTest, Fp8PrecisionKeepsTheFilesBytes) {
    const io::SafetensorsFile file(hf_dir("deepseek_fp8") / "model.safetensors");
    auto model = load_pretrained(hf_dir("deepseek_fp8"), {.precision = Precision::fp8});
    auto dequantised = load_pretrained(hf_dir("deepseek_fp8"));
    std::map<std::string, at::Tensor> actual;
    for (const auto& [name, tensor] : named_tensors(*model)) {
        actual[name] = tensor;
    }
    int64_t kept = 0;
    for (const auto& name : file.names()) {
        const at::Tensor stored = file.tensor(name);
        if (stored.scalar_type() != at::kFloat8_e4m3fn || !actual.contains(name + "_scale_inv")) {
            continue;  // float tensors, and FP8 ones of float layers (MTP's eh_proj) dequantised
        }
        ASSERT_EQ(actual.at(name).scalar_type(), at::kFloat8_e4m3fn) << name;
        EXPECT_TRUE(at::equal(actual.at(name).view(at::kByte), stored.view(at::kByte))) << name;
        EXPECT_TRUE(at::equal(actual.at(name + "_scale_inv"), file.tensor(name + "_scale_inv")))
            << name;
        ++kept;
    }
    EXPECT_GT(kept, 20);
    const auto eh_proj = "model.layers.2.eh_proj.weight";  // stays float, as DeepSeek keeps it
    if (actual.contains(eh_proj)) {
        EXPECT_EQ(actual.at(eh_proj).scalar_type(), at::kFloat);
    }
    // the second road to the same layers: the dequantised load, quantised in place, gives the
    // same bytes (block quantisation is idempotent) and so exactly the same logits
    set_linear_mode(*dequantised, LinearMode::fp8);
    for (const auto& [name, tensor] : named_tensors(*dequantised)) {
        if (tensor.scalar_type() == at::kFloat8_e4m3fn) {
            EXPECT_TRUE(at::equal(tensor.view(at::kByte), actual.at(name).view(at::kByte))) << name;
        }
    }
    const auto io = io_of("deepseek_fp8");
    torch::NoGradGuard no_grad;
    const at::Tensor got = model->forward(io.at("input_ids"), io.at("attention_mask"), {}).logits;
    const at::Tensor ref =
        dequantised->forward(io.at("input_ids"), io.at("attention_mask"), {}).logits;
    EXPECT_TRUE(at::equal(got, ref));
}

TEST(HfLoadTest, Fp8PrecisionQuantisesAFloatCheckpointPerBlock) {
    auto model = load_pretrained(hf_dir("deepseek_groups"), {.precision = Precision::fp8});
    auto dense = load_pretrained(hf_dir("deepseek_groups"));
    const auto& o_proj = model->model->layer(0).mla->o_proj;
    const auto q = fp8::quantize_blocks(dense->model->layer(0).mla->o_proj->weight);
    EXPECT_TRUE(at::equal(o_proj->weight.view(at::kByte), q.data.view(at::kByte)));
    EXPECT_TRUE(at::equal(o_proj->weight_scale_inv, q.scale));
}

TEST(ScoreTest, TokenLogprobsMatchTransformers) {
    for (const std::string name : {"qwen2", "deepseek_groups"}) {
        SCOPED_TRACE(name);
        auto model = load_pretrained(hf_dir(name));
        const auto io = io_of(name);
        const auto& ids = io.at("input_ids");
        const auto& mask = io.at("attention_mask");
        std::vector<ScoreRequest> requests;
        for (int64_t b = 0; b < ids.size(0); ++b) {
            const int64_t n = mask[b].sum().item<int64_t>();
            const auto row = ids[b].slice(0, 0, n).contiguous();
            requests.push_back({.tokens = {row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + n},
                                .first = b + 1});  // row 1 skips one more token
        }
        const auto scores = score(*model, requests, {.batch_size = 2});
        for (int64_t b = 0; b < ids.size(0); ++b) {
            const int64_t n = mask[b].sum().item<int64_t>();
            const auto expected = io.at("logprobs")[b].slice(0, b, n - 1);
            R1_EXPECT_CLOSE(at::tensor(scores[b]), expected, 1e-4, 1e-5);
        }
    }
}

TEST(ScoreTest, RejectsBadRequests) {
    auto model = load_pretrained(hf_dir("qwen2"));
    test::expect_contains(test::error_of<util::UsageError>([&] {
                              score(*model, {{.tokens = {1, 2}, .first = 0}});
                          }),
                          {"sequence 0", "first scored position 0"});
    test::expect_contains(test::error_of<util::UsageError>([&] {
                              score(*model, {{.tokens = {1, 9999}}});
                          }),
                          {"token id 9999", "[0, 320)"});
    EXPECT_NEAR(perplexity(-2.0 * std::log(4.0), 2), 4.0, 1e-12);
}

TEST(HfSaveTest, LayoutsRoundTripAndDifferInMtpCopies) {
    auto model = load_pretrained(hf_dir("deepseek_q_none"));
    util::TempDir tmp("r1-hf-save");
    save_pretrained(*model, tmp.path() / "hf",
                    {.max_shard_size = 40'000, .source = hf_dir("deepseek_q_none")});
    save_pretrained(*model, tmp.path() / "r1", {.layout = Layout::r1});
    EXPECT_TRUE(fs::exists(tmp.path() / "hf" / "model.safetensors.index.json"));
    EXPECT_TRUE(fs::exists(tmp.path() / "hf" / "generation_config.json"));  // from the source
    EXPECT_TRUE(fs::exists(tmp.path() / "r1" / "model.safetensors"));
    const io::ShardedSafetensors hf(tmp.path() / "hf");
    const io::ShardedSafetensors r1(tmp.path() / "r1");
    EXPECT_TRUE(hf.contains("model.layers.2.embed_tokens.weight"));
    EXPECT_TRUE(hf.contains("model.layers.2.shared_head.head.weight"));
    EXPECT_FALSE(r1.contains("model.layers.2.embed_tokens.weight"));
    EXPECT_EQ(hf.names().size(), r1.names().size() + 2);
    for (const char* layout : {"hf", "r1"}) {
        SCOPED_TRACE(layout);
        auto again = load_pretrained(tmp.path() / layout);
        expect_same_tensors(*model, *again);
    }
    save_pretrained(*model, tmp.path() / "r1", {.layout = Layout::r1, .dtype = at::kBFloat16});
    auto bf16 = load_pretrained(tmp.path() / "r1");  // replaced in place
    const auto& bias = bf16->model->moe_layers()[0]->gate->e_score_correction_bias;
    EXPECT_TRUE(at::equal(bias, model->model->moe_layers()[0]->gate->e_score_correction_bias));
    EXPECT_EQ(io::ShardedSafetensors(tmp.path() / "r1").info("model.norm.weight").dtype->name,
              "BF16");
}

// A copy of fixture `name` in a temporary directory whose single model.safetensors `edit` changes.
struct EditedCheckpoint {
    util::TempDir tmp{"r1-hf-edit"};
    fs::path dir;
    fs::path file;

    EditedCheckpoint(const std::string& name,
                     const std::function<void(std::map<std::string, at::Tensor>&)>& edit) {
        dir = tmp.path() / name;
        fs::copy(hf_dir(name), dir);
        file = dir / "model.safetensors";
        auto tensors = read_all(file);
        edit(tensors);
        io::write_safetensors(file, {tensors.begin(), tensors.end()});
    }
};

std::string load_error(const EditedCheckpoint& c) {
    return test::error_of<util::FormatError>([&] { load_pretrained(c.dir); });
}

TEST(HfLoadTest, ErrorsNameTheFileAndTensor) {
    const EditedCheckpoint missing("qwen2", [](auto& t) { t.erase("model.norm.weight"); });
    test::expect_contains(load_error(missing),
                          {missing.file.string(), "missing tensor 'model.norm.weight'"});
    const EditedCheckpoint shape("qwen2", [](auto& t) { t["model.norm.weight"] = at::ones({3}); });
    test::expect_contains(
        load_error(shape),
        {shape.file.string(), "tensor 'model.norm.weight': shape [3]", "config.json implies [64]"});
    const EditedCheckpoint unknown(
        "qwen2", [](auto& t) { t["model.layers.0.mlp.gate_prj.weight"] = at::ones({3}); });
    test::expect_contains(
        load_error(unknown),
        {unknown.file.string(), "unexpected tensor 'model.layers.0.mlp.gate_prj.weight'",
         "nearest is 'model.layers.0.mlp.gate_proj.weight'"});
}

TEST(HfLoadTest, Fp8AndMtpErrorsNameTheTensor) {
    const std::string weight = "model.layers.0.self_attn.o_proj.weight";
    const EditedCheckpoint no_scale("deepseek_fp8",
                                    [&](auto& t) { t.erase(weight + "_scale_inv"); });
    test::expect_contains(load_error(no_scale),
                          {no_scale.file.string(), "'" + weight + "' is F8_E4M3 but '" + weight +
                                                       "_scale_inv' is missing"});
    const EditedCheckpoint bad_scale("deepseek_fp8", [&](auto& t) {
        t[weight + "_scale_inv"] = at::ones({1, 1});
    });
    test::expect_contains(load_error(bad_scale), {weight + "_scale_inv': shape [1, 1]"});
    for (const EditedCheckpoint* c : {&no_scale, &bad_scale}) {  // the direct FP8 path checks too
        const auto fp8_error = test::error_of<util::FormatError>(
            [&] { load_pretrained(c->dir, {.precision = Precision::fp8}); });
        test::expect_contains(fp8_error, {weight + "_scale_inv"});
    }
    const EditedCheckpoint copy("deepseek_groups",
                                [](auto& t) { t["model.layers.2.embed_tokens.weight"].add_(1.0); });
    test::expect_contains(load_error(copy), {copy.file.string(),
                                             "'model.layers.2.embed_tokens.weight' differs from "
                                             "'model.embed_tokens.weight'"});
}

}  // namespace
}  // namespace r1::model
