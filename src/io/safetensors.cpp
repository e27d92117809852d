// The safetensors reader: map, validate the whole header, then hand out aliasing tensors.
#include "r1/io/safetensors.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <limits>
#include <set>

#include "io/mapped_file.h"
#include "io/utf8.h"

namespace r1::io {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

using nlohmann::json;
using util::str;

// A safetensors header nests at most 3 deep (object -> entry -> shape); refusing deeper input
// before parsing keeps a hostile 100 MB "[[[[..." from costing a deep DOM.
constexpr int kMaxDepth = 3;

std::string range_str(uint64_t begin, uint64_t end) {
    return str("[", begin, ", ", end, ")");
}

std::string shape_str(const std::vector<int64_t>& shape) {
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        out += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return out + "]";
}

// Where a structural byte sits: depth outside strings, checked without building anything.
void check_nesting(std::string_view header, const std::function<void(const std::string&)>& fail) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (size_t i = 0; i < header.size(); ++i) {
        const char c = header[i];
        if (in_string) {
            escaped = !escaped && c == '\\';
            in_string = escaped || c != '"';
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > kMaxDepth) {
                fail(str("header nests deeper than ", kMaxDepth, " levels at byte ", i));
            }
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
}

// A JSON number that is a non-negative integer fitting in int64 (the shape and offset rule).
bool as_count(const json& value, uint64_t& out) {
    if (value.is_number_unsigned()) {
        out = value.get<uint64_t>();
    } else if (value.is_number_integer() && value.get<int64_t>() >= 0) {
        out = static_cast<uint64_t>(value.get<int64_t>());
    } else {
        return false;
    }
    return out <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
}

struct EntryChecker {
    const std::filesystem::path& path;
    uint64_t data_size;

    [[noreturn]] void fail(const std::string& name, const std::string& what) const {
        throw util::FormatError("tensor '" + name + "': " + what, {.source = path.string()});
    }

    TensorInfo check(const std::string& name, const json& entry) const;
    void check_shape(TensorInfo& info, const json& shape) const;
    void check_offsets(TensorInfo& info, const json& offsets) const;
};

TensorInfo EntryChecker::check(const std::string& name, const json& entry) const {
    if (!entry.is_object()) {
        fail(name, str("expected an object with dtype, shape and data_offsets, found ",
                       entry.type_name()));
    }
    TensorInfo info{.name = name};
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
        if (!entry.contains(key)) {
            fail(name, str("missing key '", key, "'"));
        }
    }
    const json& dtype = entry["dtype"];
    if (!dtype.is_string()) {
        fail(name, str("dtype: expected a string, found ", dtype.type_name()));
    }
    try {
        info.dtype = &dtype_of(dtype.get_ref<const std::string&>());
    } catch (const util::FormatError& e) {
        fail(name, e.what());
    }
    check_shape(info, entry["shape"]);
    check_offsets(info, entry["data_offsets"]);
    return info;
}

void EntryChecker::check_shape(TensorInfo& info, const json& shape) const {
    if (!shape.is_array()) {
        fail(info.name, str("shape: expected an array, found ", shape.type_name()));
    }
    uint64_t numel = 1;
    for (const json& dim : shape) {
        uint64_t n = 0;
        if (!as_count(dim, n)) {
            fail(info.name, "shape " + shape.dump() + ": expected non-negative integers");
        }
        info.shape.push_back(static_cast<int64_t>(n));
        if (__builtin_mul_overflow(numel, n, &numel)) {
            fail(info.name, "shape " + shape.dump() + ": element count overflows 64 bits");
        }
    }
    uint64_t nbytes = 0;
    if (numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        __builtin_mul_overflow(numel, static_cast<uint64_t>(info.dtype->element_size), &nbytes)) {
        fail(info.name, "shape " + shape.dump() + ": byte size overflows 64 bits");
    }
    info.end = nbytes;  // the expected length until check_offsets() places it
}

void EntryChecker::check_offsets(TensorInfo& info, const json& offsets) const {
    const uint64_t expected = info.end;
    uint64_t begin = 0;
    uint64_t end = 0;
    if (!offsets.is_array() || offsets.size() != 2 || !as_count(offsets[0], begin) ||
        !as_count(offsets[1], end)) {
        fail(info.name, "data_offsets " + offsets.dump() +
                            ": expected [begin, end], two "
                            "non-negative integers");
    }
    if (end < begin) {
        fail(info.name, "bytes " + range_str(begin, end) + " end before they begin");
    }
    if (end > data_size) {
        fail(info.name, "bytes " + range_str(begin, end) + " end past the data section (" +
                            std::to_string(data_size) + ")");
    }
    if (end - begin != expected) {
        fail(info.name, str(info.dtype->name, " ", shape_str(info.shape), " needs ", expected,
                            " bytes, data_offsets ", range_str(begin, end), " hold ", end - begin));
    }
    info.begin = begin;
    info.end = end;
}

Metadata parse_metadata(const std::filesystem::path& path, const json& value) {
    const util::Location where{.source = path.string()};
    if (value.is_null()) {  // Python reads `"__metadata__": null` as no metadata
        return {};
    }
    if (!value.is_object()) {
        throw util::FormatError(
            str("__metadata__: expected an object of strings, found ", value.type_name()), where);
    }
    Metadata out;
    for (const auto& [key, item] : value.items()) {
        if (!item.is_string()) {
            throw util::FormatError(
                str("__metadata__ key '", key, "': expected a string, found ", item.type_name()),
                where);
        }
        out.emplace(key, item.get<std::string>());
    }
    return out;
}

}  // namespace

int64_t TensorInfo::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) {
        n *= d;  // validated not to overflow
    }
    return n;
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path)
    : path_(path), file_(std::make_shared<const MappedFile>(path)) {
    const util::Location where{.source = path_.string()};
    const uint64_t size = file_->size();
    if (size < 8) {
        throw util::FormatError(str("file of ", size,
                                    " bytes is shorter than the 8-byte header "
                                    "length"),
                                where);
    }
    uint64_t n = 0;
    std::memcpy(&n, file_->data(), 8);
    if (n > kMaxHeaderSize) {
        throw util::FormatError(
            str("header length ", n, " exceeds the limit of ", kMaxHeaderSize, " bytes"), where);
    }
    if (n > size - 8) {
        throw util::FormatError(
            str("header length ", n, " runs past the end of the file (", size, " bytes)"), where);
    }
    header_size_ = n;
    data_size_ = size - 8 - n;
    parse_header({reinterpret_cast<const char*>(file_->data()) + 8, n});
}

void SafetensorsFile::parse_header(std::string_view header) {
    const util::Location where{.source = path_.string()};
    const auto fail = [&](const std::string& what) { throw util::FormatError(what, where); };
    if (const auto bad = first_invalid_utf8(header)) {
        fail(str("header is not valid UTF-8 (byte ", *bad, ")"));
    }
    // nlohmann's lexer takes a NUL byte for the end of input: "{}\0garbage" would parse.
    if (const size_t nul = header.find('\0'); nul != std::string_view::npos) {
        fail(str("header contains a NUL byte (byte ", nul, ")"));
    }
    check_nesting(header, fail);
    std::set<std::string> seen;
    std::string duplicate;
    json root;
    try {
        root = json::parse(header, [&](int depth, json::parse_event_t event, json& parsed) {
            if (event == json::parse_event_t::key && depth == 1 &&
                !seen.insert(parsed.get<std::string>()).second && duplicate.empty()) {
                duplicate = parsed.get<std::string>();
            }
            return true;
        });
    } catch (const json::exception& e) {
        fail(str("header is not valid JSON: ", e.what()));
    }
    if (!root.is_object()) {
        fail(str("header: expected a JSON object, found ", root.type_name()));
    }
    if (!duplicate.empty()) {
        fail("tensor '" + duplicate + "': appears twice in the header");
    }
    const EntryChecker checker{.path = path_, .data_size = data_size_};
    for (const auto& [name, entry] : root.items()) {
        if (name == "__metadata__") {
            metadata_ = parse_metadata(path_, entry);
        } else {
            tensors_.push_back(checker.check(name, entry));
        }
    }
    check_layout();
}

}  // namespace r1::io

namespace r1::io {

// Python's rule (Metadata::validate): sorted by offsets, every tensor starts where the previous one
// ended and the last ends at the end of the file. No gaps, no overlaps, no trailing bytes.
void SafetensorsFile::check_layout() {
    std::sort(tensors_.begin(), tensors_.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
    });
    const util::Location where{.source = path_.string()};
    uint64_t at = 0;
    const TensorInfo* previous = nullptr;
    for (const TensorInfo& t : tensors_) {
        const std::string range = "tensor '" + t.name + "': bytes " + range_str(t.begin, t.end);
        if (t.begin < at) {
            throw util::FormatError(range + " overlap tensor '" + previous->name + "' " +
                                        range_str(previous->begin, previous->end),
                                    where);
        }
        if (t.begin > at) {
            throw util::FormatError(range + " leave bytes " + range_str(at, t.begin) +
                                        " unused; safetensors packs tensors without gaps",
                                    where);
        }
        at = t.end;
        previous = &t;
    }
    if (at != data_size_) {
        throw util::FormatError(str("tensors cover ", at, " bytes of a data section of ",
                                    data_size_, "; the file has trailing bytes"),
                                where);
    }
    for (size_t i = 0; i < tensors_.size(); ++i) {
        index_.emplace(tensors_[i].name, i);
    }
}

std::vector<std::string> SafetensorsFile::names() const {
    std::vector<std::string> out;
    out.reserve(index_.size());
    for (const auto& entry : index_) {
        out.push_back(entry.first);
    }
    return out;
}

bool SafetensorsFile::contains(std::string_view name) const {
    return index_.find(name) != index_.end();
}

const TensorInfo& SafetensorsFile::info(std::string_view name) const {
    const auto it = index_.find(name);
    if (it != index_.end()) {
        return tensors_[it->second];
    }
    std::string nearest;
    int64_t best = std::numeric_limits<int64_t>::max();
    for (const auto& entry : index_) {
        const int64_t d = util::edit_distance(name, entry.first);
        if (d < best) {
            best = d;
            nearest = entry.first;
        }
    }
    std::string message = "no tensor '" + std::string(name) + "'";
    if (!nearest.empty() && best <= static_cast<int64_t>(name.size() / 3 + 2)) {
        message += "; did you mean '" + nearest + "'?";
    }
    throw util::FormatError(message, {.source = path_.string()});
}

std::pair<const std::byte*, uint64_t> SafetensorsFile::bytes(std::string_view name) const {
    const TensorInfo& t = info(name);
    return {file_->data() + 8 + header_size_ + t.begin, t.nbytes()};
}

at::Tensor SafetensorsFile::tensor(std::string_view name) const {
    const TensorInfo& t = info(name);
    const auto options = at::TensorOptions().dtype(t.dtype->scalar_type);
    const auto [data, nbytes] = bytes(name);
    if (nbytes == 0) {
        return at::empty(t.shape, options);
    }
    if (reinterpret_cast<uintptr_t>(data) % static_cast<uintptr_t>(t.dtype->element_size) == 0) {
        // The deleter holds the mapping: it outlives this SafetensorsFile if the tensor does.
        std::shared_ptr<const MappedFile> keep = file_;
        return at::from_blob(
            const_cast<std::byte*>(data), t.shape, [keep](void*) mutable { keep.reset(); },
            options);
    }
    at::Tensor copy = at::empty(t.shape, options);
    std::memcpy(copy.data_ptr(), data, nbytes);
    return copy;
}

}  // namespace r1::io
