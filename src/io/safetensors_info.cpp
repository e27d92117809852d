// Summaries for `r1 info`: names fold their numeric segments ("model.layers.{3..60}.mlp.experts.
// {0..255}.down_proj.weight") and tensors of one pattern, dtype and shape share a line.
#include "r1/io/safetensors_info.h"

#include "r1/io/safetensors.h"
#include "r1/io/safetensors_index.h"
#include "r1/util/str.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

namespace r1::io {
namespace {

using util::str;

constexpr size_t kMaxGroups = 200;  // lines of the tensor table before "... N more"

std::string with_commas(uint64_t n) {
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
        digits.insert(static_cast<size_t>(i), ",");
    }
    return digits;
}

std::string human_bytes(uint64_t n) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1000 && u < 5) {
        v /= 1000;
        ++u;
    }
    return u == 0 ? str(n, " B") : str(util::fixed(v, 1), " ", units[u]);
}

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        out += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return out + "]";
}

// {0..2,5,7..9}: runs of consecutive values collapsed; a single value stays bare.
std::string fold_values(const std::set<int64_t>& values) {
    if (values.size() == 1) {
        return std::to_string(*values.begin());
    }
    std::string out = "{";
    for (auto it = values.begin(); it != values.end();) {
        const int64_t first = *it;
        int64_t last = first;
        while (++it != values.end() && *it == last + 1) {
            ++last;
        }
        out += (out.size() > 1 ? "," : "") + std::to_string(first);
        out += last == first ? "" : (last == first + 1 ? "," : "..") + std::to_string(last);
    }
    return out + "}";
}

bool is_index(const std::string& segment) {
    return !segment.empty() && segment.size() <= 9 &&
           std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct Group {
    std::vector<std::string> parts;          // name segments, "" where an index was folded
    std::vector<std::set<int64_t>> indices;  // per folded segment
    const TensorInfo* first = nullptr;
    uint64_t count = 0;
};

std::vector<Group> fold(const std::vector<const TensorInfo*>& tensors) {
    std::map<std::tuple<std::string, std::string_view, std::vector<int64_t>>, Group> groups;
    for (const TensorInfo* t : tensors) {
        std::vector<std::string> parts;
        std::vector<int64_t> numbers;
        std::stringstream in(t->name);
        for (std::string seg; std::getline(in, seg, '.');) {
            parts.push_back(is_index(seg) ? "" : seg);
            if (is_index(seg)) {
                numbers.push_back(std::stoll(seg));
            }
        }
        Group& g = groups[{util::join(parts, "."), t->dtype->name, t->shape}];
        if (g.count++ == 0) {
            g.parts = std::move(parts);
            g.indices.resize(numbers.size());
            g.first = t;
        }
        for (size_t i = 0; i < numbers.size(); ++i) {
            g.indices[i].insert(numbers[i]);
        }
    }
    std::vector<Group> out;
    for (auto& entry : groups) {
        out.push_back(std::move(entry.second));
    }
    return out;
}

std::string group_name(const Group& g) {
    std::string out;
    size_t k = 0;
    for (size_t i = 0; i < g.parts.size(); ++i) {
        out += (i ? "." : "") + (g.parts[i].empty() ? fold_values(g.indices[k++]) : g.parts[i]);
    }
    return out;
}

std::string tensor_table(const std::vector<const TensorInfo*>& tensors) {
    std::ostringstream out;
    uint64_t params = 0;
    uint64_t bytes = 0;
    std::map<std::string_view, std::pair<uint64_t, uint64_t>> by_dtype;  // dtype -> tensors, params
    for (const TensorInfo* t : tensors) {
        params += static_cast<uint64_t>(t->numel());
        bytes += t->nbytes();
        by_dtype[t->dtype->name].first += 1;
        by_dtype[t->dtype->name].second += static_cast<uint64_t>(t->numel());
    }
    out << "tensors: " << with_commas(tensors.size()) << ", parameters: " << with_commas(params)
        << ", data: " << human_bytes(bytes) << " (" << with_commas(bytes) << " bytes)\n";
    for (const auto& [dtype, counts] : by_dtype) {
        out << "  " << dtype << ": " << with_commas(counts.first) << " tensors, "
            << with_commas(counts.second) << " parameters\n";
    }
    const std::vector<Group> groups = fold(tensors);
    std::vector<std::string> names;
    size_t width = 0;
    for (const Group& g : groups) {
        names.push_back(group_name(g));
        width = std::max(width, std::min<size_t>(names.back().size(), 72));
    }
    for (size_t i = 0; i < groups.size() && i < kMaxGroups; ++i) {
        const Group& g = groups[i];
        std::string line = "  " + names[i];
        line.append(names[i].size() < width ? width - names[i].size() : 0, ' ');
        line += str("  ", g.first->dtype->name);
        line.append(g.first->dtype->name.size() < 8 ? 8 - g.first->dtype->name.size() : 0, ' ');
        line += shape_text(g.first->shape) + (g.count > 1 ? str("  x", g.count) : "");
        out << line << "\n";
    }
    if (groups.size() > kMaxGroups) {
        uint64_t rest = 0;
        for (size_t i = kMaxGroups; i < groups.size(); ++i) {
            rest += groups[i].count;
        }
        out << "  ... " << groups.size() - kMaxGroups << " more lines (" << with_commas(rest)
            << " tensors)\n";
    }
    return out.str();
}

std::string metadata_lines(const Metadata& metadata) {
    if (metadata.empty()) {
        return "metadata: none\n";
    }
    std::string out = "metadata:\n";
    for (const auto& [key, value] : metadata) {
        out +=
            "  " + key + ": " + (value.size() > 200 ? value.substr(0, 200) + "..." : value) + "\n";
    }
    return out;
}

}  // namespace

std::string describe_safetensors(const std::filesystem::path& path) {
    const SafetensorsFile file(path);
    std::vector<const TensorInfo*> tensors;
    for (const TensorInfo& t : file.tensors()) {
        tensors.push_back(&t);
    }
    std::ostringstream out;
    out << path.string() << ": safetensors, "
        << human_bytes(8 + file.header_size() + file.data_size()) << " (header "
        << with_commas(file.header_size()) << " bytes)\n"
        << metadata_lines(file.metadata()) << tensor_table(tensors);
    return out.str();
}

std::string describe_checkpoint(const std::filesystem::path& dir) {
    const ShardedSafetensors checkpoint(dir);
    checkpoint.verify();
    std::ostringstream out;
    std::vector<const TensorInfo*> tensors;
    uint64_t bytes = 0;
    out << dir.string() << ": safetensors checkpoint, " << checkpoint.shard_names().size()
        << (checkpoint.shard_names().size() == 1 ? " shard" : " shards")
        << (checkpoint.sharded() ? " (" + checkpoint.index_path().filename().string() + ")" : "")
        << "\n";
    for (const std::string& name : checkpoint.shard_names()) {
        const SafetensorsFile& shard = checkpoint.shard(name);
        out << "  " << name << ": " << with_commas(shard.tensors().size()) << " tensors, "
            << human_bytes(shard.data_size()) << "\n";
        for (const TensorInfo& t : shard.tensors()) {
            tensors.push_back(&t);
            bytes += t.nbytes();
        }
    }
    if (checkpoint.total_size()) {
        out << "index total_size: " << with_commas(*checkpoint.total_size())
            << (*checkpoint.total_size() == bytes ? " (matches the shards)"
                                                  : " (the shards hold " + with_commas(bytes) + ")")
            << "\n";
    }
    if (!checkpoint.shard_names().empty()) {
        out << "first shard's "
            << metadata_lines(checkpoint.shard(checkpoint.shard_names()[0]).metadata());
    }
    out << tensor_table(tensors);
    return out.str();
}

}  // namespace r1::io
