// Every random stream of a run derives from the run seed: derive_seed(seed, {stage, step, prompt,
// sample}) names a stream, make_generator() turns it into a LibTorch CPU generator. Nothing in r1
// draws from the global generator except module initialisation at stage start.
#pragma once

#include <ATen/core/Generator.h>

#include <cstdint>
#include <initializer_list>

namespace r1::util {

/// A seed for the stream named by `path` under `seed` (splitmix64 over the path): distinct paths
/// give independent-looking seeds, the same path always the same seed.
uint64_t derive_seed(uint64_t seed, std::initializer_list<uint64_t> path);

/// A CPU generator seeded with `seed`.
at::Generator make_generator(uint64_t seed);

}  // namespace r1::util
