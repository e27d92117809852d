// Precompiled for r1's sources and tests: the LibTorch headers that cost the most to parse.
// Private to the build; public headers include narrow LibTorch headers themselves.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>
