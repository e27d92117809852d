#include "r1/io/checkpoint.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <system_error>

namespace r1::io {
namespace fs = std::filesystem;

namespace {

void remove_quietly(const fs::path& path) {
    std::error_code ec;
    fs::remove_all(path, ec);
}

}  // namespace

Checkpointer::Checkpointer(fs::path dir, int64_t keep)
    : dir_(std::move(dir)), keep_(std::max<int64_t>(keep, 1)) {}

fs::path Checkpointer::name(int64_t step) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "step-%08lld", static_cast<long long>(step));
    return buf;
}

std::optional<int64_t> Checkpointer::step_of(const fs::path& checkpoint) {
    const std::string n = checkpoint.filename().string();
    if (n.size() != 13 || n.rfind("step-", 0) != 0 ||
        !std::all_of(n.begin() + 5, n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::stoll(n.substr(5));
}

fs::path Checkpointer::save(int64_t step, const std::function<void(const fs::path&)>& write) {
    const fs::path final_dir = dir_ / name(step);
    util::write_dir_atomically(final_dir, write);  // re-saving the same step replaces it
    util::atomic_write_file(dir_ / "latest", name(step).string() + "\n");
    const auto all = list();
    for (size_t i = 0; i + keep_ < all.size(); ++i) {
        remove_quietly(all[i]);
    }
    return final_dir;
}

std::vector<fs::path> Checkpointer::list() const {
    std::vector<std::pair<int64_t, fs::path>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        if (const auto step = step_of(entry.path()); step && entry.is_directory()) {
            found.emplace_back(*step, entry.path());
        }
    }
    std::sort(found.begin(), found.end());
    std::vector<fs::path> out;
    for (auto& [step, path] : found) {
        out.push_back(std::move(path));
    }
    return out;
}

std::optional<fs::path> Checkpointer::latest() const {
    // The newest step-N directory is complete by construction (it only ever appears by rename);
    // the `latest` file is for people and scripts.
    const auto all = list();
    if (all.empty()) {
        return std::nullopt;
    }
    return all.back();
}

}  // namespace r1::io
