// OpCounter: counts the ATen operators called (top level only: an op's own sub-ops are not
// counted) while it lives, by name, through a RecordFunction observer, the hook LibTorch's profiler
// uses. The benches divide by the decode steps to report dispatches per step.
#pragma once

#include <ATen/record_function.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

class OpCounter {
  public:
    OpCounter() {
        counts() = {};
        handle_ = at::addThreadLocalCallback(
            at::RecordFunctionCallback(&OpCounter::enter, &OpCounter::leave)
                .scopes({at::RecordScope::FUNCTION}));
    }

    OpCounter(const OpCounter&) = delete;
    OpCounter& operator=(const OpCounter&) = delete;

    ~OpCounter() { at::removeCallback(handle_); }

    int64_t total() const {
        int64_t n = 0;
        for (const auto& [name, count] : counts()) {
            n += count;
        }
        return n;
    }

    /// The `n` most called ops, most first.
    std::vector<std::pair<std::string, int64_t>> top(size_t n) const {
        std::vector<std::pair<std::string, int64_t>> all(counts().begin(), counts().end());
        std::sort(all.begin(), all.end(),
                  [](const auto& a, const auto& b) { return a.second > b.second; });
        all.resize(std::min(n, all.size()));
        return all;
    }

  private:
    static std::map<std::string, int64_t>& counts() {
        thread_local std::map<std::string, int64_t> counts;
        return counts;
    }

    static int& depth() {
        thread_local int depth = 0;
        return depth;
    }

    static std::unique_ptr<at::ObserverContext> enter(const at::RecordFunction& fn) {
        if (depth()++ == 0) {
            ++counts()[fn.name()];
        }
        return nullptr;
    }

    static void leave(const at::RecordFunction&, at::ObserverContext*) { --depth(); }

    at::CallbackHandle handle_;
};
