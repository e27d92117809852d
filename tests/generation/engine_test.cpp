#include "r1/generation/engine.h"

#include "r1/generation/kv_cache.h"
#include "r1/generation/stop.h"
#include "r1/model/causal_lm.h"
#include "r1/tokenizer/tokenizer.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "generation/support.h"
#include "model/support.h"
#include "support/expect.h"

namespace r1::generation {
namespace {

using test::full_logits;
using test::greedy_reference;
using test::Ids;
using test::make_model;

// The configs the cached path must reproduce: MLA + MoE with and without the low-rank query, and
// dense GQA (Qwen2 with q/k/v biases, Llama without, 4 heads over 2 KV heads).
std::vector<std::pair<std::string, model::ModelOptions>> configs() {
    return {{"deepseek_v3", test::tiny_deepseek()},
            {"deepseek_v3 without q_lora", test::tiny_deepseek(R"({"q_lora_rank": null})")},
            // the demo's routing: 4 experts in one group, top-2 (the dense MoE decode path)
            {"deepseek_v3 with 4 experts, 1 group",
             test::tiny_deepseek(R"({"n_routed_experts": 4, "n_group": 1, "topk_group": 1})")},
            {"qwen2", test::tiny_qwen2()},
            {"llama", test::tiny_qwen2(R"({"model_type": "llama", "attention_bias": false})")}};
}

const std::vector<Ids> kPrompts = {{5, 7, 9}, {1, 2, 3, 4, 5, 6}, {11}};

// Left-pads kPrompts and runs them, then `steps` decode steps, through forward_cached; at every
// step each row's logits must equal the full forward of its own unpadded sequence. Returns the
// cached logits of every step (for the absorbed-vs-naive comparison).
std::vector<at::Tensor> check_cached_decode(model::CausalLm& lm, bool absorb, double tol) {
    torch::NoGradGuard no_grad;
    const auto& o = lm->options;
    const int64_t B = 3, P = 6, steps = 4;
    KvCache cache(o, lm->model->embed_tokens->weight.scalar_type());
    cache.reserve(B, P + steps);
    auto ids = torch::zeros({B, P}, torch::kInt64);
    auto mask = torch::zeros({B, P}, torch::kInt64);
    auto positions = torch::zeros({B, P}, torch::kInt64);
    for (int64_t b = 0; b < B; ++b) {
        const auto len = static_cast<int64_t>(kPrompts[b].size());
        ids[b].narrow(0, P - len, len).copy_(torch::tensor(kPrompts[b], torch::kInt64));
        mask[b].narrow(0, P - len, len).fill_(1);
        positions[b].narrow(0, P - len, len).copy_(torch::arange(len));
    }
    std::vector<at::Tensor> all;
    auto logits = lm->forward_cached(
        ids, {.start = 0, .positions = positions, .attention_mask = mask, .absorb = absorb},
        cache.layers());  // [B, P, V]
    all.push_back(logits);
    auto seqs = kPrompts;
    for (int64_t b = 0; b < B; ++b) {
        const auto len = static_cast<int64_t>(kPrompts[b].size());
        R1_EXPECT_CLOSE(logits[b].narrow(0, P - len, len), full_logits(lm, kPrompts[b]), tol, tol);
    }
    for (int64_t t = 0; t < steps; ++t) {
        Ids next, pos;
        for (int64_t b = 0; b < B; ++b) {
            next.push_back((7 * b + 3 * t + 1) % o.vocab_size);
            pos.push_back(static_cast<int64_t>(seqs[b].size()));
            seqs[b].push_back(next.back());
        }
        mask = torch::cat({mask, torch::ones({B, 1}, torch::kInt64)}, 1);
        logits = lm->forward_cached(torch::tensor(next).view({B, 1}),
                                    {.start = P + t,
                                     .positions = torch::tensor(pos).view({B, 1}),
                                     .attention_mask = mask,
                                     .absorb = absorb},
                                    cache.layers());  // [B, 1, V]
        all.push_back(logits);
        for (int64_t b = 0; b < B; ++b) {
            SCOPED_TRACE("decode step " + std::to_string(t) + ", row " + std::to_string(b));
            R1_EXPECT_CLOSE(logits[b][0], full_logits(lm, seqs[b])[-1], tol, tol);
        }
    }
    return all;
}

TEST(CachedForwardTest, EveryDecodeStepMatchesTheFullForward) {
    for (auto& [name, options] : configs()) {
        SCOPED_TRACE(name);
        auto lm = make_model(options, torch::kFloat32);
        for (const bool absorb : {true, false}) {
            SCOPED_TRACE(absorb ? "absorbed" : "naive");
            check_cached_decode(lm, absorb, 1e-5);
        }
    }
}

TEST(CachedForwardTest, AbsorbedMlaEqualsNaiveMla) {
    for (const char* q_lora : {"24", "null"}) {
        SCOPED_TRACE(std::string("q_lora_rank ") + q_lora);
        auto lm = make_model(test::tiny_deepseek(std::string(R"({"q_lora_rank": )") + q_lora + "}"),
                             torch::kFloat64);
        const auto absorbed = check_cached_decode(lm, true, 1e-10);
        const auto naive = check_cached_decode(lm, false, 1e-10);
        for (size_t s = 0; s < absorbed.size(); ++s) {
            R1_EXPECT_CLOSE(absorbed[s], naive[s], 1e-12, 1e-12);
        }
    }
}

TEST(EngineTest, HoldsTheTrainersModuleWithoutACopy) {
    auto lm = make_model(test::tiny_qwen2(), torch::kFloat32);
    Engine engine(lm, std::nullopt);
    EXPECT_EQ(engine.model().ptr().get(), lm.ptr().get());
}

TEST(EngineTest, GreedyEqualsAnArgmaxLoopOverFullForwards) {
    for (auto& [name, options] : configs()) {
        SCOPED_TRACE(name);
        auto lm = make_model(options, torch::kFloat32);
        GenerateRequest request{.prompts = kPrompts};
        request.sampling = {.temperature = 0.0, .max_completion_length = 7};
        // one EOS makes rows finish at different steps, so the batch is compacted on the way
        const auto first = greedy_reference(lm, kPrompts[0], 7);
        request.eos_token_ids = {first[3]};
        Engine engine(lm, std::nullopt, {.max_batch_size = 64});
        const auto out = engine.generate(request);
        ASSERT_EQ(out.size(), kPrompts.size());
        for (size_t i = 0; i < kPrompts.size(); ++i) {
            const auto expected = greedy_reference(lm, kPrompts[i], 7, request.eos_token_ids);
            EXPECT_EQ(out[i].tokens, expected) << "prompt " << i;
            const bool hit_eos = expected.back() == first[3];
            EXPECT_EQ(out[i].finish, hit_eos ? FinishReason::eos : FinishReason::length);
            // logp_full of the first token under the full forward (T = 1 when greedy)
            const auto logp = torch::log_softmax(full_logits(lm, kPrompts[i])[-1], -1);
            EXPECT_NEAR(out[i].logp_full[0], logp[expected[0]].item<float>(), 1e-5);
        }
        std::set<size_t> lengths;  // rows that end at different steps: the batch was compacted
        for (const auto& c : out) {
            lengths.insert(c.tokens.size());
        }
        EXPECT_GT(lengths.size(), 1u);
        EXPECT_EQ(engine.last_stats().prompt_tokens, 10);
    }
}

TEST(EngineTest, SamplesOfOnePromptShareItsPrefill) {
    // 3 samples per prompt: the prompts are prefilled once and their cache rows copied to every
    // sample (latent and GQA caches alike); greedy, each sample is its prompt's argmax loop
    for (auto& [name, options] : configs()) {
        SCOPED_TRACE(name);
        auto lm = make_model(options, torch::kFloat32);
        GenerateRequest request{.prompts = kPrompts, .num_samples = 3};
        request.sampling = {.temperature = 0.0, .max_completion_length = 5};
        const auto out = Engine(lm, std::nullopt).generate(request);
        ASSERT_EQ(out.size(), 9u);
        for (size_t s = 0; s < out.size(); ++s) {
            const auto& prompt = kPrompts[s / 3];
            EXPECT_EQ(out[s].tokens, greedy_reference(lm, prompt, 5)) << "sample " << s;
            const auto logp = torch::log_softmax(full_logits(lm, prompt)[-1], -1);
            EXPECT_NEAR(out[s].logp_full[0], logp[out[s].tokens[0]].item<float>(), 1e-5);
        }
    }
}

GenerateRequest sampled_request() {
    GenerateRequest request{.prompts = kPrompts, .num_samples = 2, .seed = 1234};
    request.sampling = {.temperature = 1.5,
                        .top_p = 0.95,
                        .top_k = 40,
                        .repetition_penalty = 1.2,
                        .max_completion_length = 8};
    return request;
}

TEST(EngineTest, SeededSamplingIsReproducibleAndIndependentOfChunking) {
    auto lm = make_model(test::tiny_deepseek(), torch::kFloat32);
    const auto request = sampled_request();
    const auto whole = Engine(lm, std::nullopt, {.max_batch_size = 64}).generate(request);
    ASSERT_EQ(whole.size(), 6u);
    for (const int64_t batch : {1, 4}) {
        const auto chunked = Engine(lm, std::nullopt, {.max_batch_size = batch}).generate(request);
        for (size_t s = 0; s < whole.size(); ++s) {
            EXPECT_EQ(chunked[s].tokens, whole[s].tokens) << "batch " << batch << ", seq " << s;
            EXPECT_EQ(chunked[s].prompt_index, static_cast<int64_t>(s / 2));
        }
    }
    bool samples_differ = false;
    for (size_t s = 0; s < whole.size(); s += 2) {
        samples_differ = samples_differ || whole[s].tokens != whole[s + 1].tokens;
        const auto raw = full_logits(lm, kPrompts[whole[s].prompt_index])[-1];
        const auto logp_full = torch::log_softmax(raw / 1.5, -1)[whole[s].tokens[0]];
        EXPECT_NEAR(whole[s].logp_full[0], logp_full.item<float>(), 1e-5);
        EXPECT_LE(whole[s].logp_full[0], whole[s].logp[0] + 1e-6);  // truncation only adds mass
    }
    EXPECT_TRUE(samples_differ) << "two samples of every prompt are identical";
    auto other = request;
    other.seed = 99;
    EXPECT_NE(Engine(lm, std::nullopt).generate(other)[0].tokens, whole[0].tokens);
}

TEST(EngineTest, StopStringEndsTheCompletionAndIsKept) {
    auto lm = make_model(test::tiny_qwen2(R"({"vocab_size": 256})"), torch::kFloat32);
    const auto tok = tokenizer::Tokenizer::bytes({});
    const auto greedy = greedy_reference(lm, kPrompts[1], 8);
    std::vector<tokenizer::TokenId> ids(greedy.begin(), greedy.end());
    const std::string stop = tok.decode(std::span(ids).subspan(2, 2));  // spans tokens 2 and 3
    size_t end = 1;  // brute force: the shortest prefix whose text contains the stop string
    while (tok.decode(std::span(ids).first(end)).find(stop) == std::string::npos) {
        ++end;
    }
    GenerateRequest request{.prompts = {kPrompts[1]}};
    request.sampling = {.temperature = 0.0, .max_completion_length = 8, .stop = {stop}};
    const auto out = Engine(lm, tok).generate(request);
    EXPECT_EQ(out[0].tokens, Ids(greedy.begin(), greedy.begin() + static_cast<int64_t>(end)));
    EXPECT_EQ(out[0].finish, FinishReason::stop);
    EXPECT_LE(end, 4u);
    const auto error =
        test::error_of<util::Error>([&] { Engine(lm, std::nullopt).generate(request); });
    test::expect_contains(error, {"stop strings need a tokenizer"});
}

TEST(StopMatcherTest, MatchesAcrossTokensOnlyWhenTheLastCompletesIt) {
    const auto tok = tokenizer::Tokenizer::bytes({});
    const StopMatcher stop({"</a>", "xy"}, &tok);
    auto ids = [](const std::string& text) { return Ids(text.begin(), text.end()); };
    EXPECT_FALSE(stop.ends_in_last(ids("ab</a")));
    EXPECT_TRUE(stop.ends_in_last(ids("ab</a>")));
    EXPECT_TRUE(stop.ends_in_last(ids("x</a>")));
    EXPECT_FALSE(stop.ends_in_last(ids("xy</a>z")));  // an earlier match was reported earlier
    EXPECT_TRUE(stop.ends_in_last(ids("xy")));
    EXPECT_FALSE(StopMatcher({}, nullptr).ends_in_last(ids("xy")));
}

TEST(EngineTest, RestoresTrainingModeAndExpertLoad) {
    auto lm = make_model(test::tiny_deepseek(), torch::kFloat32);
    lm->train();
    lm->model->norm->eval();  // a module the trainer keeps in eval mode stays so
    auto moe = lm->model->moe_layers().front();
    const auto load = moe->expert_load().clone();
    GenerateRequest request{.prompts = kPrompts};
    request.sampling.max_completion_length = 3;
    const auto out = Engine(lm, std::nullopt).generate(request);
    EXPECT_EQ(out[1].tokens.size(), 3u);
    EXPECT_TRUE(lm->is_training());
    EXPECT_TRUE(lm->model->layers[0]->is_training());
    EXPECT_FALSE(lm->model->norm->is_training());
    EXPECT_TRUE(moe->expert_load().equal(load));
    EXPECT_TRUE(torch::GradMode::is_enabled());
}

TEST(EngineTest, RejectsBadPrompts) {
    auto lm = make_model(test::tiny_qwen2(), torch::kFloat32);
    Engine engine(lm, std::nullopt);
    GenerateRequest request{.prompts = {{1, 2}, {}}};
    test::expect_contains(test::error_of<util::Error>([&] { engine.generate(request); }),
                          {"prompt 1", "empty"});
    request.prompts = {{1, 2, 3}};
    request.sampling.max_prompt_length = 2;
    test::expect_contains(test::error_of<util::Error>([&] { engine.generate(request); }),
                          {"prompt 0", "sampling.max_prompt_length (2)"});
    request.sampling.max_prompt_length = 8;
    request.prompts = {{1, 64}};
    test::expect_contains(test::error_of<util::Error>([&] { engine.generate(request); }),
                          {"token id 64", "[0, 64)"});
}

}  // namespace
}  // namespace r1::generation
