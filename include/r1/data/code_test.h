// One test of a code row: the struct that datasets read (data/sample.h) and the code reward runs
// (rewards/code.h), so a row's tests reach the sandbox unchanged.
#pragma once

#include <string>

namespace r1::data {

/// stdin -> expected stdout (`input`, `output`), or, when `assertion` is set, Python code run after
/// the completion's program (`assert f(2) == 4`; JSON key "assert").
struct CodeTest {
    std::string input;
    std::string output;
    std::string assertion;
    double weight = 1.0;  // its share of the partial score (the code reward's score: partial)
};

}  // namespace r1::data
