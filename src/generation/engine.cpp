// PLACEHOLDER until the cached engine lands (branch gen): a full forward per step.
#include "r1/generation/engine.h"

#include "r1/generation/sampling.h"
#include "r1/util/rng.h"

#include <chrono>

namespace r1::generation {

Engine::Engine(model::CausalLm model, std::optional<tokenizer::Tokenizer> tokenizer, EngineOptions options)
    : model_(std::move(model)), tokenizer_(std::move(tokenizer)), options_(options) {}

std::vector<Completion> Engine::generate(const GenerateRequest& request) {
    torch::NoGradGuard no_grad;
    const bool was_training = model_->is_training();
    model_->eval();
    stats_ = {};
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Completion> out;
    const int64_t P = static_cast<int64_t>(request.prompts.size());
    for (int64_t i = 0; i < P; ++i) {
        for (int64_t j = 0; j < request.num_samples; ++j) {
            out.push_back({.prompt_index = i});
        }
    }
    const int64_t N = static_cast<int64_t>(out.size());
    for (int64_t begin = 0; begin < N; begin += options_.max_batch_size) {
        const int64_t end = std::min(N, begin + options_.max_batch_size);
        std::vector<at::Generator> gens;
        std::vector<int64_t> active;
        for (int64_t r = begin; r < end; ++r) {
            gens.push_back(util::make_generator(util::derive_seed(request.seed, {static_cast<uint64_t>(out[r].prompt_index), static_cast<uint64_t>((r) % request.num_samples)})));
            active.push_back(r);
        }
        for (int64_t t = 0; t < request.sampling.max_completion_length && !active.empty(); ++t) {
            int64_t T = 0;
            for (int64_t r : active) {
                T = std::max<int64_t>(T, request.prompts[out[r].prompt_index].size() + out[r].tokens.size());
            }
            const int64_t n = active.size();
            auto ids = torch::zeros({n, T}, torch::kInt64);
            auto mask = torch::zeros({n, T}, torch::kInt64);
            std::vector<int64_t> last(n);
            for (int64_t a = 0; a < n; ++a) {
                auto seq = request.prompts[out[active[a]].prompt_index];
                seq.insert(seq.end(), out[active[a]].tokens.begin(), out[active[a]].tokens.end());
                ids[a].slice(0, 0, seq.size()).copy_(torch::tensor(seq, torch::kInt64));
                mask[a].slice(0, 0, seq.size()).fill_(1);
                last[a] = seq.size() - 1;
            }
            auto logits = model_->forward(ids, mask).logits;
            auto rows = logits.index({torch::arange(n), torch::tensor(last, torch::kInt64)});
            std::vector<at::Generator> g;
            for (int64_t r : active) g.push_back(gens[r - begin]);
            const auto s = sample(rows, request.sampling, g);
            std::vector<int64_t> still;
            for (int64_t a = 0; a < n; ++a) {
                auto& c = out[active[a]];
                const int64_t tok = s.tokens[a].item<int64_t>();
                c.tokens.push_back(tok);
                c.logp.push_back(s.logp[a].item<float>());
                c.logp_full.push_back(s.logp_full[a].item<float>());
                ++stats_.generated_tokens;
                bool done = false;
                for (int64_t e : request.eos_token_ids) done = done || e == tok;
                if (done) { c.finish = FinishReason::eos; continue; }
                if (tokenizer_ && !request.sampling.stop.empty()) {
                    const std::vector<tokenizer::TokenId> ids32(c.tokens.begin(), c.tokens.end());
                    const auto text = tokenizer_->decode(ids32);
                    for (const auto& st : request.sampling.stop) {
                        if (text.size() >= st.size() && text.compare(text.size() - st.size(), st.size(), st) == 0) done = true;
                    }
                    if (done) { c.finish = FinishReason::stop; continue; }
                }
                still.push_back(active[a]);
            }
            active = still;
        }
    }
    stats_.decode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (was_training) model_->train();
    return out;
}

}  // namespace r1::generation
