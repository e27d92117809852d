// The GEMM driver: validates operands, cuts C into (rows, columns) work items and runs the chosen
// kernel on them in LibTorch's intra-op thread pool.
#include "r1/fp8/gemm.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "fp8/kernel_table.h"

namespace r1::fp8 {
namespace {

constexpr int64_t kItemsPerThread =
    4;  // enough work items to even out the threads' finishing times

int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

/// Columns per work item: a 128-row scale block, halved (down to the kernels' alignment) while
/// there are too few items for the threads.
int64_t column_chunk(int64_t N, int64_t threads) {
    int64_t chunk = kBlockSize;
    while (chunk > detail::kNAlign && ceil_div(N, chunk) < kItemsPerThread * threads) {
        chunk /= 2;
    }
    return chunk;
}

/// Rows per work item: all of M, unless the column items alone are too few (large M, small N).
int64_t row_chunk(int64_t M, int64_t column_items, int64_t threads) {
    constexpr int64_t kMinRows = 64;  // below this a row split costs more B traffic than it gains
    const int64_t wanted = ceil_div(kItemsPerThread * threads, column_items);
    if (wanted <= 1 || M <= kMinRows) {
        return M;
    }
    return std::max(kMinRows, ceil_div(M, wanted));
}

/// UNTESTED (no GPU here; docs/fp8.md): the same product through torch's cuBLASLt blockwise
/// scaled matmul (SM90, CUDA >= 12.9), whose layouts are: A [M, K] row-major with scales [M, K/128]
/// column-major; B = Wᵀ [K, N] column-major with scales [round_up(K/128, 4), N/128] column-major
/// (pytorch/pytorch#166752). K and N must be multiples of 128.
at::Tensor scaled_mm_cuda(const at::Tensor& x, const Quantized& w, at::ScalarType out_dtype) {
    const int64_t M = x.size(0), K = x.size(1), N = w.data.size(0);
    TORCH_CHECK(K % kBlockSize == 0 && N % kBlockSize == 0, "fp8::linear on CUDA: K (", K,
                ") and N (", N, ") must be multiples of 128");
    const int64_t KB = K / kBlockSize, KB4 = (KB + 3) / 4 * 4;
    // act_quant with torch ops on the device (quantize_tiles is a CPU kernel)
    const at::Tensor tiles = x.to(at::kFloat).view({M, KB, kBlockSize});
    const at::Tensor s = tiles.abs().amax(-1).clamp_min(kAmaxFloor) / kE4m3Max;  // [M, KB]
    const Quantized a{(tiles / s.unsqueeze(-1)).view({M, K}).to(at::kFloat8_e4m3fn), s};
    const at::Tensor scale_a = a.scale.t().contiguous().t();  // [M, KB], stride [1, M]
    const at::Tensor scale_b =
        at::constant_pad_nd(w.scale.to(a.data.device()), {0, KB4 - KB}).contiguous().t();
    return at::_scaled_mm(a.data, w.data.to(a.data.device()).t(), scale_a, scale_b, std::nullopt,
                          std::nullopt, out_dtype);
}

}  // namespace

void gemm_out(const at::Tensor& out, const Quantized& a, const Quantized& b, Kernel kernel) {
    check_tiles(a, "fp8::gemm: a");
    check_blocks(b, "fp8::gemm: b");
    TORCH_CHECK(a.data.dim() == 2, "fp8::gemm: a must be [M, K], got ", a.data.sizes());
    const int64_t M = a.data.size(0), K = a.data.size(1), N = b.data.size(0);
    TORCH_CHECK(b.data.size(1) == K, "fp8::gemm: a ", a.data.sizes(), " and b ", b.data.sizes(),
                " disagree on K");
    TORCH_CHECK(out.scalar_type() == at::kFloat && out.is_contiguous() && out.dim() == 2 &&
                    out.size(0) == M && out.size(1) == N,
                "fp8::gemm: out must be a contiguous float32 [", M, ", ", N, "] tensor, got ",
                out.scalar_type(), " ", out.sizes());
    const at::Tensor ad = a.data.contiguous(), as = a.scale.contiguous();
    const at::Tensor bd = b.data.contiguous(), bs = b.scale.contiguous();
    const detail::KernelTable& table = detail::kernel_table(kernel);
    if (M == 0 || N == 0) {
        return;
    }
    const int64_t KB = num_blocks(K);
    const detail::GemmView g{static_cast<const uint8_t*>(ad.const_data_ptr()),
                             as.const_data_ptr<float>(),
                             static_cast<const uint8_t*>(bd.const_data_ptr()),
                             bs.const_data_ptr<float>(),
                             out.mutable_data_ptr<float>(),
                             M,
                             N,
                             K,
                             K,
                             KB,
                             K,
                             KB,
                             N};
    const int64_t threads = at::get_num_threads();
    const int64_t n_chunk = column_chunk(N, threads), n_items = ceil_div(N, n_chunk);
    const int64_t m_chunk = row_chunk(M, n_items, threads), m_items = ceil_div(M, m_chunk);
    at::parallel_for(0, n_items * m_items, 1, [&](int64_t begin, int64_t end) {
        for (int64_t item = begin; item < end; ++item) {
            const int64_t n0 = (item % n_items) * n_chunk, m0 = (item / n_items) * m_chunk;
            table.gemm(g, m0, std::min(M, m0 + m_chunk), n0, std::min(N, n0 + n_chunk));
        }
    });
}

at::Tensor gemm(const Quantized& a, const Quantized& b, const GemmOptions& options) {
    TORCH_CHECK(options.out_dtype == at::kFloat || options.out_dtype == at::kBFloat16,
                "fp8::gemm: out_dtype must be float32 or bfloat16, got ", options.out_dtype);
    TORCH_CHECK(a.data.defined() && b.data.defined() && a.data.dim() == 2 && b.data.dim() == 2,
                "fp8::gemm: expected a [M, K] and b [N, K]");
    at::Tensor out =
        at::empty({a.data.size(0), b.data.size(0)}, a.data.options().dtype(at::kFloat));
    gemm_out(out, a, b, options.kernel);
    return options.out_dtype == at::kFloat ? out : out.to(options.out_dtype);
}

at::Tensor linear(const at::Tensor& x, const Quantized& weight, const GemmOptions& options) {
    check_blocks(weight, "fp8::linear: weight");
    const int64_t K = weight.data.size(1);
    TORCH_CHECK(x.dim() >= 1 && x.size(-1) == K, "fp8::linear: x ", x.sizes(),
                " does not end in K = ", K, " of weight ", weight.data.sizes());
    auto out_sizes = x.sizes().vec();
    out_sizes.back() = weight.data.size(0);
    if (x.is_cuda()) {
        return scaled_mm_cuda(x.reshape({-1, K}), weight, options.out_dtype).view(out_sizes);
    }
    return gemm(quantize_tiles(x.reshape({-1, K})), weight, options).view(out_sizes);
}

}  // namespace r1::fp8
