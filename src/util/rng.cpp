#include "r1/util/rng.h"

#include <ATen/CPUGeneratorImpl.h>

namespace r1::util {
namespace {

uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

uint64_t derive_seed(uint64_t seed, std::initializer_list<uint64_t> path) {
    uint64_t state = splitmix64(seed);
    for (const uint64_t part : path) {
        state = splitmix64(state ^ splitmix64(part + 0x632be59bd9b4e019ULL));
    }
    return state;
}

at::Generator make_generator(uint64_t seed) {
    return at::make_generator<at::CPUGeneratorImpl>(seed);
}

}  // namespace r1::util
