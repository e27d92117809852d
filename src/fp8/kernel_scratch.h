// Private: small helpers the SIMD kernel files share. They sit in an anonymous namespace on
// purpose: each kernel file is compiled with its own -m flags, and a shared (weak) out-of-line copy
// could hand AVX-512 code to a portable caller. For the same reason those files avoid std
// templates.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace r1::fp8::detail {
namespace {  // NOLINT(google-build-namespaces): one copy per kernel file, see above

inline int64_t imin(int64_t a, int64_t b) {
    return a < b ? a : b;
}

inline int64_t iclamp(int64_t x, int64_t lo, int64_t hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

/// 64-byte aligned scratch owned by one kernel call.
class Scratch {
  public:
    explicit Scratch(int64_t bytes)
        : p_(std::aligned_alloc(64, static_cast<size_t>((bytes + 63) / 64 * 64))) {}

    ~Scratch() { std::free(p_); }

    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    template <class T>
    T* as() const {
        return static_cast<T*>(p_);
    }

  private:
    void* p_;
};

}  // namespace
}  // namespace r1::fp8::detail
