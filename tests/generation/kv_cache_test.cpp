#include "r1/generation/kv_cache.h"

#include <gtest/gtest.h>

#include "model/support.h"

namespace r1::generation {
namespace {

// DeepSeek-V3's attention shapes (model-spec §1.1), built by hand: only the cache fields matter.
model::ModelOptions v3_attention() {
    model::ModelOptions o;
    o.model_type = "deepseek_v3";
    o.num_hidden_layers = 61;
    o.num_attention_heads = 128;
    o.kv_lora_rank = 512;
    o.qk_rope_head_dim = 64;
    o.qk_nope_head_dim = 128;
    o.v_head_dim = 128;
    return o;
}

// Multi-head attention with V3's 128 heads of width 128 (model-spec §2.5's MHA row).
model::ModelOptions mha_same_heads() {
    model::ModelOptions o;
    o.model_type = "llama";
    o.num_hidden_layers = 61;
    o.num_attention_heads = 128;
    o.num_key_value_heads = 128;
    o.head_dim = 128;
    return o;
}

TEST(KvCacheTest, BytesPerTokenFollowModelSpecTable) {
    const auto mla = v3_attention();
    const auto mha = mha_same_heads();
    EXPECT_EQ(cache_elements_per_token(mla), 512 + 64);
    EXPECT_EQ(cache_elements_per_token(mha), 2 * 128 * 128);
    EXPECT_EQ(cache_bytes_per_token(mla, torch::kBFloat16), 70272);  // 68.6 KiB
    EXPECT_EQ(cache_bytes_per_token(mha, torch::kBFloat16), 61 * 65536);
    const double ratio = static_cast<double>(cache_bytes_per_token(mha, torch::kBFloat16)) /
                         static_cast<double>(cache_bytes_per_token(mla, torch::kBFloat16));
    EXPECT_NEAR(ratio, 56.9, 0.05);  // MLA is 98.24% smaller
}

TEST(KvCacheTest, AllocatesWhatTheFormulaSays) {
    for (const auto& options : {test::tiny_deepseek(), test::tiny_qwen2()}) {
        KvCache cache(options, torch::kFloat32);
        cache.reserve(3, 10);
        EXPECT_EQ(cache.allocated_bytes(), 3 * 10 * cache_bytes_per_token(options, torch::kFloat32))
            << options.model_type;
        EXPECT_EQ(cache.layers().size(), static_cast<size_t>(options.num_hidden_layers));
    }
    // the latent cache of the tiny V3: c_kv [B, T, 16] and k_pe [B, T, 8] per layer
    KvCache latent(test::tiny_deepseek(), torch::kFloat32);
    latent.reserve(2, 5);
    const auto& slots = std::get<model::LatentSlots>(latent.layers()[0]);
    EXPECT_EQ(slots.c_kv.sizes(), (std::vector<int64_t>{2, 5, 16}));
    EXPECT_EQ(slots.k_pe.sizes(), (std::vector<int64_t>{2, 5, 8}));
}

TEST(KvCacheTest, ReserveReusesBuffersThatAreLargeEnough) {
    KvCache cache(test::tiny_qwen2(), torch::kFloat32);
    cache.reserve(4, 12);
    const auto* data = std::get<model::KvSlots>(cache.layers()[1]).k.data_ptr();
    const int64_t bytes = cache.allocated_bytes();
    cache.reserve(2, 8);
    EXPECT_EQ(std::get<model::KvSlots>(cache.layers()[1]).k.data_ptr(), data);
    EXPECT_EQ(cache.allocated_bytes(), bytes);
    EXPECT_EQ(std::get<model::KvSlots>(cache.layers()[1]).k.size(0), 2);
    cache.reserve(2, 20);  // longer: new buffers
    EXPECT_EQ(std::get<model::KvSlots>(cache.layers()[1]).k.size(2), 20);
}

TEST(KvCacheTest, CompactMovesKeptRowsToTheFrontInPlace) {
    KvCache cache(test::tiny_deepseek(), torch::kFloat32);
    cache.reserve(4, 6);
    const auto& before = std::get<model::LatentSlots>(cache.layers()[1]);
    const auto* data = before.c_kv.data_ptr();
    for (int64_t b = 0; b < 4; ++b) {
        before.c_kv[b].fill_(static_cast<double>(b));
        before.k_pe[b].fill_(10.0 + static_cast<double>(b));
    }
    cache.compact(torch::tensor({1, 3}, torch::kInt64), 4);
    const auto& after = std::get<model::LatentSlots>(cache.layers()[1]);
    EXPECT_EQ(cache.batch(), 2);
    EXPECT_EQ(after.c_kv.data_ptr(), data);
    EXPECT_TRUE(after.c_kv[0].narrow(0, 0, 4).eq(1.0).all().item<bool>());
    EXPECT_TRUE(after.c_kv[1].narrow(0, 0, 4).eq(3.0).all().item<bool>());
    EXPECT_TRUE(after.k_pe[1].narrow(0, 0, 4).eq(13.0).all().item<bool>());
}

TEST(KvCacheTest, GatherCopiesRowsOutToALargerBatch) {
    KvCache cache(test::tiny_deepseek(), torch::kFloat32);
    cache.reserve(4, 6);
    cache.reserve(2, 6);  // two rows prefilled, then spread to four
    const auto& before = std::get<model::LatentSlots>(cache.layers()[1]);
    for (int64_t b = 0; b < 2; ++b) {
        before.joint[b].fill_(static_cast<double>(b + 1));
    }
    cache.gather(torch::tensor({0, 0, 1, 0}, torch::kInt64), 3);
    const auto& after = std::get<model::LatentSlots>(cache.layers()[1]);
    EXPECT_EQ(cache.batch(), 4);
    for (const auto& [row, value] : {std::pair{0, 1.0}, {1, 1.0}, {2, 2.0}, {3, 1.0}}) {
        EXPECT_TRUE(after.joint[row].narrow(0, 0, 3).eq(value).all().item<bool>()) << row;
    }
    EXPECT_THROW(cache.gather(torch::tensor({0, 4}, torch::kInt64), 3), c10::Error);  // not active
    EXPECT_THROW(cache.gather(torch::zeros({5}, torch::kInt64), 3), c10::Error);  // over capacity
}

}  // namespace
}  // namespace r1::generation
