// Sharded checkpoints: reading model.safetensors.index.json and writing shards like transformers.
#include "r1/io/safetensors_index.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <set>

namespace r1::io {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using util::str;

constexpr const char* kIndexName = "model.safetensors.index.json";
constexpr const char* kSingleName = "model.safetensors";

// A shard name must stay inside the checkpoint directory: no separators, no "..".
bool plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos;
}

// total_size is an integer in transformers' files; tolerate an integral float (older writers).
std::optional<uint64_t> count_of(const json& meta, const char* key, const util::Location& where) {
    if (!meta.contains(key)) {
        return std::nullopt;
    }
    const json& v = meta[key];
    if (v.is_number_unsigned()) {
        return v.get<uint64_t>();
    }
    if (v.is_number_float() && v.get<double>() >= 0 && v.get<double>() < 1.8e19 &&
        std::floor(v.get<double>()) == v.get<double>()) {
        return static_cast<uint64_t>(v.get<double>());
    }
    throw util::FormatError(
        str("metadata.", key, ": expected a non-negative integer, found ", v.dump()), where);
}

}  // namespace

ShardedSafetensors::ShardedSafetensors(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        dir_ = path;
        if (fs::exists(path / kIndexName, ec)) {
            read_index(path / kIndexName);
        } else if (fs::exists(path / kSingleName, ec)) {
            shard_names_ = {kSingleName};
        } else {
            throw util::IoError(path.string() + ": no " + kIndexName + " or " + kSingleName +
                                " in this directory");
        }
    } else if (path.string().ends_with(".index.json")) {
        dir_ = path.parent_path();
        read_index(path);
    } else {
        dir_ = path.parent_path();
        shard_names_ = {path.filename().string()};
    }
    if (!sharded()) {  // one file: its header is the weight map
        for (const std::string& name : shard(shard_names_[0]).names()) {
            weight_map_.emplace(name, shard_names_[0]);
        }
    }
}

void ShardedSafetensors::read_index(const fs::path& index) {
    index_path_ = index;
    const util::Location where{.source = index.string()};
    json root;
    try {
        root = json::parse(util::read_file(index));
    } catch (const json::exception& e) {
        throw util::FormatError(str("not valid JSON: ", e.what()), where);
    }
    if (!root.is_object() || !root.contains("weight_map") || !root["weight_map"].is_object()) {
        throw util::FormatError("expected an object with a 'weight_map' object", where);
    }
    if (root.contains("metadata")) {
        if (!root["metadata"].is_object()) {
            throw util::FormatError("metadata: expected an object", where);
        }
        total_size_ = count_of(root["metadata"], "total_size", where);
        total_parameters_ = count_of(root["metadata"], "total_parameters", where);
    }
    std::set<std::string> seen;
    for (const auto& [name, file] : root["weight_map"].items()) {
        if (!file.is_string() || !plain_file_name(file.get<std::string>())) {
            throw util::FormatError("weight_map['" + name +
                                        "']: expected a file name in the "
                                        "checkpoint directory, found " +
                                        file.dump(),
                                    where);
        }
        weight_map_.emplace(name, file.get<std::string>());
        if (seen.insert(file.get<std::string>()).second) {
            shard_names_.push_back(file.get<std::string>());
        }
    }
    std::sort(shard_names_.begin(), shard_names_.end());
    for (const std::string& file : shard_names_) {
        std::error_code ec;
        if (!fs::is_regular_file(dir_ / file, ec)) {
            const auto it = std::find_if(weight_map_.begin(), weight_map_.end(),
                                         [&](const auto& e) { return e.second == file; });
            throw util::IoError(index.string() + ": shard '" + file + "' (holding tensor '" +
                                it->first + "') is missing from " + dir_.string());
        }
    }
}

std::vector<std::string> ShardedSafetensors::names() const {
    std::vector<std::string> out;
    out.reserve(weight_map_.size());
    for (const auto& entry : weight_map_) {
        out.push_back(entry.first);
    }
    return out;
}

const std::string& ShardedSafetensors::shard_of(std::string_view name) const {
    const auto it = weight_map_.find(name);
    if (it == weight_map_.end()) {
        const fs::path& where = sharded() ? index_path_ : dir_ / shard_names_[0];
        throw util::FormatError("no tensor '" + std::string(name) + "' in the checkpoint",
                                {.source = where.string()});
    }
    return it->second;
}

const SafetensorsFile& ShardedSafetensors::shard(const std::string& file_name) const {
    std::lock_guard lock(*mutex_);
    auto& slot = open_[file_name];
    if (!slot) {
        slot = std::make_unique<SafetensorsFile>(dir_ / file_name);
    }
    return *slot;
}

const TensorInfo& ShardedSafetensors::info(std::string_view name) const {
    const std::string& file = shard_of(name);
    const SafetensorsFile& f = shard(file);
    if (!f.contains(name)) {
        throw util::FormatError("tensor '" + std::string(name) + "' is mapped to shard '" + file +
                                    "', which has no such tensor",
                                {.source = index_path_.string()});
    }
    return f.info(name);
}

at::Tensor ShardedSafetensors::tensor(std::string_view name) const {
    info(name);  // the index's error if the shard lacks it
    return shard(shard_of(name)).tensor(name);
}

void ShardedSafetensors::verify() const {
    for (const auto& [name, file] : weight_map_) {
        info(name);
    }
    for (const std::string& file : shard_names_) {
        for (const TensorInfo& t : shard(file).tensors()) {
            const auto it = weight_map_.find(t.name);
            if (it == weight_map_.end() || it->second != file) {
                throw util::FormatError(
                    "shard '" + file + "' holds tensor '" + t.name + "', which the index maps " +
                        (it == weight_map_.end() ? "nowhere" : "to '" + it->second + "'"),
                    {.source = index_path_.string()});
            }
        }
    }
}

}  // namespace r1::io

namespace r1::io {
namespace {

// huggingface_hub's split_state_dict_into_shards_factory: fill shards in order; a tensor larger
// than the limit gets a shard of its own, appended at once (before the shard being filled).
std::vector<std::vector<size_t>> split_into_shards(const NamedTensors& tensors,
                                                   uint64_t max_bytes) {
    std::vector<std::vector<size_t>> shards;
    std::vector<size_t> current;
    uint64_t current_bytes = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const uint64_t bytes = tensors[i].second.defined() ? tensors[i].second.nbytes() : 0;
        if (bytes > max_bytes) {
            shards.push_back({i});
            continue;
        }
        if (current_bytes + bytes > max_bytes) {
            shards.push_back(std::move(current));
            current = {};
            current_bytes = 0;
        }
        current.push_back(i);
        current_bytes += bytes;
    }
    if (!current.empty() || shards.empty()) {
        shards.push_back(std::move(current));
    }
    return shards;
}

std::string shard_file_name(const std::string& stem, size_t k, size_t n) {
    char suffix[40];
    std::snprintf(suffix, sizeof suffix, "-%05zu-of-%05zu", k + 1, n);
    return stem + suffix + ".safetensors";
}

// A file of a layout this writer could have made for `stem`: <stem>-NNNNN-of-NNNNN.safetensors or
// <stem>.safetensors.index.json (transformers' cleanup rule).
bool is_layout_file(const std::string& name, const std::string& stem) {
    if (name == stem + ".safetensors.index.json") {
        return true;
    }
    const std::string shape = "-00000-of-00000.safetensors";
    if (name.size() != stem.size() + shape.size() || !name.starts_with(stem)) {
        return false;
    }
    for (size_t i = 0; i < shape.size(); ++i) {
        const char c = name[stem.size() + i];
        if (shape[i] == '0' ? (c < '0' || c > '9') : c != shape[i]) {
            return false;
        }
    }
    return true;
}

void remove_stale(const fs::path& dir, const std::string& stem, const std::set<std::string>& keep) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (!keep.count(name) && is_layout_file(name, stem)) {
            fs::remove(entry.path(), ec);
        }
    }
}

}  // namespace

void write_sharded_safetensors(const fs::path& dir,
                               const NamedTensors& tensors,
                               const ShardOptions& options) {
    const auto shards = split_into_shards(tensors, options.max_shard_size);
    std::set<std::string> written;
    json weight_map = json::object();
    uint64_t total_size = 0;
    uint64_t total_parameters = 0;
    for (size_t k = 0; k < shards.size(); ++k) {
        const std::string file = shards.size() == 1
                                     ? options.stem + ".safetensors"
                                     : shard_file_name(options.stem, k, shards.size());
        NamedTensors part;
        for (const size_t i : shards[k]) {
            part.push_back(tensors[i]);
            weight_map[tensors[i].first] = file;
            total_size += tensors[i].second.defined() ? tensors[i].second.nbytes() : 0;
            total_parameters += tensors[i].second.defined() ? tensors[i].second.numel() : 0;
        }
        write_safetensors(dir / file, part, options.metadata);
        written.insert(file);
    }
    if (shards.size() > 1) {
        const std::string index_name = options.stem + ".safetensors.index.json";
        const json index = {
            {"metadata", {{"total_parameters", total_parameters}, {"total_size", total_size}}},
            {"weight_map", weight_map}};
        // json.dumps(index, indent=2, sort_keys=True) + "\n": ASCII-escaped like Python's default.
        util::atomic_write_file(dir / index_name, index.dump(2, ' ', true) + "\n");
        written.insert(index_name);
    }
    remove_stale(dir, options.stem, written);
}

}  // namespace r1::io
