// Corrupted safetensors: more than 1,000 files, each guaranteed invalid by construction
// (truncations, NUL and 0xFF bytes, bad length prefixes, broken JSON, wrong offsets, overlaps,
// gaps, bad shapes and dtypes, invalid UTF-8, bad metadata), must each raise FormatError or IoError
// naming the file; then random mutations must raise an r1 error or load cleanly. Runs under ASan +
// UBSan in the asan preset.
#include "r1/io/safetensors.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <functional>
#include <random>

namespace r1::io {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Case {
    std::string label;
    std::string bytes;
};

std::string with_length(uint64_t n, std::string_view rest) {
    std::string out(8, '\0');
    std::memcpy(out.data(), &n, 8);
    return out.append(rest);
}

std::string padded(std::string header) {
    header.append((8 - header.size() % 8) % 8, ' ');
    return header;
}

// A valid file: every element size, a 0-d scalar, an empty tensor, metadata; the last tensor in
// data order is non-empty, so any truncation loses bytes some entry needs.
struct Base {
    std::string file;
    std::string header;  // unpadded JSON
    std::string data;

    Base() {
        util::TempDir dir;
        write_safetensors(dir.path() / "b.safetensors",
                          {{"a", at::arange(6, at::kFloat).view({2, 3})},
                           {"b", at::ones({5}, at::kBFloat16)},
                           {"c", at::full({}, 7, at::kLong)},
                           {"d", at::empty({0, 2}, at::kByte)},
                           {"e", at::ones({3}, at::kFloat8_e4m3fn)},
                           {"f", at::ones({2}, at::kBool)}},
                          {{"format", "pt"}});
        file = util::read_file(dir.path() / "b.safetensors");
        uint64_t n = 0;
        std::memcpy(&n, file.data(), 8);
        header = file.substr(8, n);
        header.erase(header.find_last_not_of(' ') + 1);
        data = file.substr(8 + n);
    }

    std::string with_header(const std::string& h) const {
        return with_length(padded(h).size(), padded(h) + data);
    }

    std::string with_json(const json& j) const { return with_header(j.dump()); }
};

void add_byte_cases(const Base& base, std::vector<Case>& cases) {
    for (size_t n = 0; n < base.file.size(); ++n) {
        cases.push_back({"truncated to " + std::to_string(n), base.file.substr(0, n)});
    }
    for (size_t k = 1; k <= 16; ++k) {
        cases.push_back({"trailing " + std::to_string(k), base.file + std::string(k, 'x')});
    }
    const std::string padded_header = padded(base.header);
    for (size_t i = 0; i < padded_header.size(); ++i) {
        for (const char bad : {'\0', '\xff'}) {  // NUL is never valid JSON text; 0xFF never UTF-8
            std::string f = base.file;
            f[8 + i] = bad;
            cases.push_back({"header byte " + std::to_string(i) + " = " + std::to_string(+bad), f});
        }
    }
    const uint64_t n = padded_header.size();
    for (int bit = 0; bit < 64; ++bit) {
        cases.push_back({"length bit " + std::to_string(bit),
                         with_length(n ^ (uint64_t{1} << bit), base.file.substr(8))});
    }
    for (const uint64_t len :
         {uint64_t{0}, uint64_t{1}, uint64_t{2}, n - 1, n + 1, n + 8, n - 8,
          uint64_t{base.file.size()}, uint64_t{base.file.size() - 7}, uint64_t{100'000'001},
          uint64_t{1} << 32, uint64_t{1} << 63, ~uint64_t{0}, ~uint64_t{0} - 7}) {
        cases.push_back({"length " + std::to_string(len), with_length(len, base.file.substr(8))});
    }
}

// Deleting a structural character outside strings always breaks the JSON or the layout.
void add_structure_cases(const Base& base, std::vector<Case>& cases) {
    bool in_string = false;
    bool escaped = false;
    for (size_t i = 0; i < base.header.size(); ++i) {
        const char c = base.header[i];
        if (in_string) {
            escaped = !escaped && c == '\\';
            in_string = escaped || c != '"';
        } else if (c == '"') {
            in_string = true;
        }
        if (std::string_view("{}[]:,\"").find(c) != std::string_view::npos &&
            (c == '"' || !in_string)) {
            std::string h = base.header;
            h.erase(i, 1);
            cases.push_back({"deleted '" + std::string(1, c) + "' at " + std::to_string(i),
                             base.with_header(h)});
        }
    }
    for (const std::string& h :
         {std::string("[]"), std::string("\"s\""), std::string("1"), std::string("null"),
          std::string(5000, '[') + std::string(5000, ']'),
          std::string(R"({"a":{"dtype":"F32","shape":[[[[1]]]],"data_offsets":[0,4]}})"),
          std::string(""), base.header + "x", base.header + base.header}) {
        cases.push_back({"header " + h.substr(0, 20), base.with_header(h)});
    }
    const size_t at = base.header.find("\"a\"");
    for (const std::string bad : {"\x80", "\xc0\xaf", "\xc3\x28", "\xed\xa0\x80",
                                  "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xe2\x82"}) {
        std::string h = base.header;
        h.insert(at + 1, bad);
        cases.push_back({"invalid UTF-8 in a name", base.with_header(h)});
    }
    std::string dup = base.header;  // the same tensor twice
    dup.insert(dup.size() - 1, "," + base.header.substr(at, base.header.find('}', at) + 1 - at));
    cases.push_back({"duplicate tensor", base.with_header(dup)});
}

// Entry-level edits of a parsed header; every one breaks a rule.
void add_entry_cases(const Base& base, std::vector<Case>& cases) {
    const json root = json::parse(base.header);
    const auto edit = [&](const std::string& label, const std::function<void(json&)>& f) {
        json j = root;
        f(j);
        cases.push_back({label, base.with_json(j)});
    };
    const std::vector<json> bad_counts{
        -1, 1.5, "0", nullptr, json::array(), uint64_t{1} << 63, ~uint64_t{0}, 1e30};
    for (const auto& [name, entry] : root.items()) {
        if (name == "__metadata__") {
            continue;
        }
        const uint64_t b = entry["data_offsets"][0];
        const uint64_t e = entry["data_offsets"][1];
        const std::string t = "tensor " + name + ": ";
        edit(t + "end + 1", [&](json& j) { j[name]["data_offsets"][1] = e + 1; });
        edit(t + "begin + 1", [&](json& j) { j[name]["data_offsets"][0] = b + 1; });
        edit(t + "both + 1", [&](json& j) { j[name]["data_offsets"] = {b + 1, e + 1}; });
        edit(t + "both + data", [&](json& j) {
            j[name]["data_offsets"] = {b + base.data.size(), e + base.data.size()};
        });
        edit(t + "swapped", [&](json& j) { j[name]["data_offsets"] = {e + 1, b}; });
        edit(t + "three offsets", [&](json& j) { j[name]["data_offsets"].push_back(e); });
        edit(t + "one offset", [&](json& j) { j[name]["data_offsets"].erase(1); });
        edit(t + "offsets object", [&](json& j) { j[name]["data_offsets"] = {{"a", 1}}; });
        for (const json& bad : bad_counts) {
            edit(t + "offset " + bad.dump(), [&](json& j) { j[name]["data_offsets"][1] = bad; });
            edit(t + "dim " + bad.dump(), [&](json& j) { j[name]["shape"].push_back(bad); });
        }
        edit(t + "shape overflow", [&](json& j) {
            j[name]["shape"] = {uint64_t{1} << 62, uint64_t{1} << 62, 4};
        });
        edit(t + "shape bytes overflow", [&](json& j) {
            j[name]["shape"] = {uint64_t{1} << 62, 2};
        });
        edit(t + "shape string", [&](json& j) { j[name]["shape"] = "[2]"; });
        for (const json& dtype :
             {json("F33"), json("f32"), json("U16"), json("F8_E4M3FN"), json(""), json("complex64"),
              json(4), json(nullptr), json::array()}) {
            edit(t + "dtype " + dtype.dump(), [&](json& j) { j[name]["dtype"] = dtype; });
        }
        const int64_t size = dtype_of(entry["dtype"].get<std::string>()).element_size;
        const std::string other = size == 8 ? "F32" : "F64";  // a dtype of another element size
        if (e > b) {  // changes of an empty tensor's shape or dtype can keep it empty, hence valid
            edit(t + "extra dim 2", [&](json& j) { j[name]["shape"].push_back(2); });
            edit(t + "dtype " + other, [&](json& j) { j[name]["dtype"] = other; });
            edit(t + "end - 1", [&](json& j) { j[name]["data_offsets"][1] = e - 1; });
        }
        for (const char* key : {"dtype", "shape", "data_offsets"}) {
            edit(t + "no " + key, [&](json& j) { j[name].erase(key); });
        }
        for (const json& v : {json(1), json("x"), json::array(), json(nullptr)}) {
            edit(t + "entry " + v.dump(), [&](json& j) { j[name] = v; });
        }
        edit(t + "overlaps the first", [&](json& j) {  // same range as the tensor at offset 0
            for (const auto& [other_name, o] : root.items()) {
                if (other_name != name && other_name != "__metadata__" &&
                    o["data_offsets"][0] == 0 && b != 0 &&
                    e - b == o["data_offsets"][1].get<uint64_t>()) {
                    j[name]["data_offsets"] = o["data_offsets"];
                }
            }
            if (j == root) {
                j[name]["data_offsets"] = {b, e + 1};
            }
        });
    }
    for (const json& meta : {json({{"a", 1}}), json::array(), json("x"), json({{"a", nullptr}}),
                             json({{"a", {{"b", "c"}}}}), json(1)}) {
        edit("metadata " + meta.dump(), [&](json& j) { j["__metadata__"] = meta; });
    }
    edit("no tensors", [&](json& j) { j = {{"__metadata__", root["__metadata__"]}}; });
}

std::vector<Case> corrupted_files() {
    const Base base;
    std::vector<Case> cases;
    add_byte_cases(base, cases);
    add_structure_cases(base, cases);
    add_entry_cases(base, cases);
    return cases;
}

// A fresh file per case: rewriting one file with O_TRUNC makes ext4 (auto_da_alloc) flush it to
// disk on every close, which turns a 1-second test into a disk-bound one on a busy machine.
void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Opens the file and reads every byte of every tensor; returns the r1 error message, or "" if none.
std::string load_all(const fs::path& path) {
    try {
        const SafetensorsFile file(path);
        double sum = 0;
        for (const std::string& name : file.names()) {
            sum += file.tensor(name).to(at::kDouble).nan_to_num(0, 0, 0).sum().item<double>();
        }
        return sum == sum ? "" : "";
    } catch (const util::FormatError& e) {
        return e.what();
    } catch (const util::IoError& e) {
        return e.what();
    }
}

TEST(SafetensorsCorruptTest, EveryCorruptedFileIsAnR1Error) {
    const std::vector<Case> cases = corrupted_files();
    ASSERT_GE(cases.size(), 1000U);
    util::TempDir dir;
    size_t errors = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        const fs::path path = dir.path() / ("corrupt" + std::to_string(i) + ".safetensors");
        write_file(path, c.bytes);
        const std::string message = load_all(path);
        EXPECT_FALSE(message.empty()) << c.label << ": loaded without an error";
        EXPECT_NE(message.find(path.string()), std::string::npos) << c.label << ": " << message;
        errors += !message.empty();
        fs::remove(path);
    }
    EXPECT_EQ(errors, cases.size());
    std::printf("%zu corrupted files, %zu r1 errors\n", cases.size(), errors);
}

TEST(SafetensorsCorruptTest, RandomMutationsErrOrLoadCleanly) {
    const Base base;
    std::mt19937_64 rng(1234);
    util::TempDir dir;
    size_t errors = 0;
    for (int i = 0; i < 600; ++i) {
        const fs::path path = dir.path() / ("fuzz" + std::to_string(i) + ".safetensors");
        std::string f = base.file;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < edits; ++k) {
            const size_t at = rng() % f.size();
            switch (rng() % 3) {
                case 0:
                    f[at] = static_cast<char>(rng());
                    break;
                case 1:
                    f.erase(at, 1 + rng() % 3);
                    break;
                default:
                    f.insert(at, 1, static_cast<char>(rng()));
                    break;
            }
        }
        write_file(path, f);
        errors += !load_all(path).empty();  // no crash, no sanitizer report, no other exception
        fs::remove(path);
    }
    std::printf("600 random mutations, %zu r1 errors, %zu loaded\n", errors, 600 - errors);
}

}  // namespace
}  // namespace r1::io
