// The portable kernels: the reference every SIMD path is tested against. Plain loops in the exact
// order of DeepSeek's promotion (model-spec §5.2): a float32 sum per 128-wide K block, then
// scaled by a_scale·b_scale and added to the float32 total.
#include "fp8/kernel_table.h"

namespace r1::fp8::detail {
namespace {

void encode_scalar(
    const float* in, uint8_t* out, int64_t n, const Layout& layout, uint32_t overflow) {
    encode_loop(in, out, n, layout, overflow);
}

void decode_scalar(const uint8_t* in, float* out, int64_t n, Format format) {
    decode_loop(in, out, n, table(format));
}

float dot_block(const uint8_t* a, const uint8_t* b, int64_t len) {
    float acc = 0.0f;
    for (int64_t k = 0; k < len; ++k) {
        acc += kE4m3Table[a[k]] * kE4m3Table[b[k]];
    }
    return acc;
}

void gemm_scalar(const GemmView& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const int64_t KB = (g.K + kBlockSize - 1) / kBlockSize;
    for (int64_t m = m0; m < m1; ++m) {
        const uint8_t* a = g.a + m * g.lda;
        for (int64_t n = n0; n < n1; ++n) {
            const uint8_t* b = g.b + n * g.ldb;
            const float* b_scale = g.b_scale + (n / kBlockSize) * g.ldb_scale;
            float total = 0.0f;
            for (int64_t kb = 0; kb < KB; ++kb) {
                const int64_t k0 = kb * kBlockSize;
                const int64_t len = std::min(kBlockSize, g.K - k0);
                const float s = g.a_scale[m * g.lda_scale + kb] * b_scale[kb];
                total += dot_block(a + k0, b + k0, len) * s;
            }
            g.c[m * g.ldc + n] = total;
        }
    }
}

}  // namespace

const KernelTable kScalarTable{encode_scalar, decode_scalar, gemm_scalar};

}  // namespace r1::fp8::detail
