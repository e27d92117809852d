// E4M3 / E5M2 conversions: scalar calls go straight to convert.h; bulk calls go through the kernel
// table, whose loops each instruction set compiles (and vectorises) on its own.
#include "r1/fp8/format.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "fp8/kernel_table.h"

namespace r1::fp8 {
namespace {

constexpr int64_t kGrain = 1 << 16;  // elements per parallel task: well above thread start-up cost

}  // namespace

std::string_view name(Format format) {
    return format == Format::e4m3 ? "e4m3" : "e5m2";
}

uint8_t encode_e4m3(float x, Overflow overflow) {
    return detail::encode_bits(std::bit_cast<uint32_t>(x), detail::kE4m3,
                               detail::overflow_code(detail::kE4m3, overflow));
}

uint8_t encode_e5m2(float x, Overflow overflow) {
    return detail::encode_bits(std::bit_cast<uint32_t>(x), detail::kE5m2,
                               detail::overflow_code(detail::kE5m2, overflow));
}

float decode_e4m3(uint8_t code) {
    return detail::kE4m3Table[code];
}

float decode_e5m2(uint8_t code) {
    return detail::kE5m2Table[code];
}

void encode(Format format, std::span<const float> in, std::span<uint8_t> out, Overflow overflow) {
    TORCH_CHECK(in.size() == out.size(), "fp8::encode: ", in.size(), " inputs but ", out.size(),
                " outputs");
    const detail::Layout& layout = detail::layout(format);
    const uint32_t code = detail::overflow_code(layout, overflow);
    const auto& table = detail::kernel_table(Kernel::automatic);
    at::parallel_for(0, static_cast<int64_t>(in.size()), kGrain, [&](int64_t begin, int64_t end) {
        table.encode(in.data() + begin, out.data() + begin, end - begin, layout, code);
    });
}

void decode(Format format, std::span<const uint8_t> in, std::span<float> out) {
    TORCH_CHECK(in.size() == out.size(), "fp8::decode: ", in.size(), " inputs but ", out.size(),
                " outputs");
    const auto& table = detail::kernel_table(Kernel::automatic);
    at::parallel_for(0, static_cast<int64_t>(in.size()), kGrain, [&](int64_t begin, int64_t end) {
        table.decode(in.data() + begin, out.data() + begin, end - begin, format);
    });
}

at::ScalarType dtype(Format format) {
    return format == Format::e4m3 ? at::kFloat8_e4m3fn : at::kFloat8_e5m2;
}

at::Tensor to_fp8(const at::Tensor& x, Format format, Overflow overflow) {
    TORCH_CHECK(at::isFloatingType(x.scalar_type()),
                "fp8::to_fp8: expected a floating tensor, got ", x.scalar_type());
    const at::Tensor in = x.to(at::kFloat).contiguous();
    at::Tensor out = at::empty(in.sizes(), in.options().dtype(dtype(format)));
    const auto n = static_cast<size_t>(in.numel());
    encode(format, {in.const_data_ptr<float>(), n},
           {static_cast<uint8_t*>(out.mutable_data_ptr()), n}, overflow);
    return out;
}

at::Tensor to_float(const at::Tensor& q, Format format) {
    TORCH_CHECK(q.scalar_type() == at::kByte || q.scalar_type() == dtype(format),
                "fp8::to_float: expected ", dtype(format), " or uint8 codes, got ",
                q.scalar_type());
    const at::Tensor in = q.contiguous();
    at::Tensor out = at::empty(in.sizes(), in.options().dtype(at::kFloat));
    const auto n = static_cast<size_t>(in.numel());
    decode(format, {static_cast<const uint8_t*>(in.const_data_ptr()), n},
           {out.mutable_data_ptr<float>(), n});
    return out;
}

at::Tensor to_float(const at::Tensor& q) {
    TORCH_CHECK(q.scalar_type() == at::kFloat8_e4m3fn || q.scalar_type() == at::kFloat8_e5m2,
                "fp8::to_float: expected a float8_e4m3fn or float8_e5m2 tensor, got ",
                q.scalar_type(), " (pass the format for uint8 codes)");
    return to_float(q, q.scalar_type() == at::kFloat8_e4m3fn ? Format::e4m3 : Format::e5m2);
}

}  // namespace r1::fp8
