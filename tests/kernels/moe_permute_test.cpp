// The token↔slot moves of the routed experts' training path (kernels/moe_permute.h) against ATen's
// index_select and index_add, forward and backward: the same bits, since both add each token's
// slots in ascending sorted position (ascending expert).
#include "r1/kernels/moe_permute.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

namespace r1::kernels {
namespace {

TEST(TokenSlotsTest, GatherAndCombineEqualIndexSelectAndIndexAdd) {
    torch::manual_seed(0);
    const int64_t N = 37, K = 3, E = 6, H = 19;
    const auto indices = torch::randint(0, E, {N, K});  // repeats within a token are allowed here
    const auto order = std::get<1>(indices.reshape({-1}).sort(/*stable=*/true, 0, false));
    const auto token = order.div(K, "floor");
    const auto slots = token_slots(order, K);
    ASSERT_TRUE(slots.token.equal(token));
    for (const auto dtype : {torch::kFloat32, torch::kFloat64}) {
        const auto x = torch::randn({N, H}, dtype).requires_grad_(true);
        const auto x_ref = x.detach().clone().requires_grad_(true);
        const auto xs = gather_slots(x, slots), xs_ref = x_ref.index_select(0, token);
        EXPECT_TRUE(xs.equal(xs_ref));
        const auto w = torch::randn({N * K, H}, dtype);  // a slot-wise map between the two moves
        const auto y = combine_slots(xs * w, slots);
        const auto y_ref = torch::zeros_like(x_ref).index_add(0, token, xs_ref * w);
        EXPECT_TRUE(y.equal(y_ref));
        const auto gy = torch::randn({N, H}, dtype);
        (y * gy).sum().backward();
        (y_ref * gy).sum().backward();
        EXPECT_TRUE(x.grad().equal(x_ref.grad()));
    }
}

TEST(TokenSlotsTest, RejectsOrdersThatAreNoPermutationOfSlots) {
    EXPECT_THROW(token_slots(torch::tensor({0, 1, 2}), 2), c10::Error);     // 3 slots, K = 2
    EXPECT_THROW(token_slots(torch::tensor({0, 1, 5, 2}), 2), c10::Error);  // slot 5 of 4
    EXPECT_THROW(token_slots(torch::tensor({0, 1, 1, 2}), 2), c10::Error);  // slot 1 twice
    const auto slots = token_slots(torch::tensor({1, 0, 3, 2}), 2);
    EXPECT_THROW(combine_slots(torch::randn({3, 4}), slots), c10::Error);  // 3 rows, 4 slots
}

}  // namespace
}  // namespace r1::kernels
