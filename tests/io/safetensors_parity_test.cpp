// Parity with Python's safetensors both ways, on the files
// tests/reference/make_safetensors_fixture.py writes at test time (every dtype, odd shapes,
// scalars, empty tensors, NaN payloads, all FP8 codes, metadata, a sharded checkpoint): r1 reads
// them bit-exactly; r1 writes the same tensors and tests/reference/check_safetensors.py loads them
// bit-exactly with Python.
#include "r1/io/safetensors.h"
#include "r1/io/safetensors_index.h"
#include "r1/util/fs.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "support/expect.h"

namespace r1::io {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fixture_dir() {
    const char* build = std::getenv("R1_BUILD_DIR");
    return fs::path(build ? build : ".") / "reference" / "safetensors";
}

json expected() {
    return json::parse(util::read_file(fixture_dir() / "expected.json"));
}

// torch's dtype names (str(dtype) without "torch.") as the fixture records them.
c10::ScalarType scalar_type_of(const std::string& torch_name) {
    static const std::map<std::string, c10::ScalarType> kTypes{
        {"float64", at::kDouble},
        {"float32", at::kFloat},
        {"float16", at::kHalf},
        {"bfloat16", at::kBFloat16},
        {"float8_e4m3fn", at::kFloat8_e4m3fn},
        {"float8_e5m2", at::kFloat8_e5m2},
        {"int64", at::kLong},
        {"int32", at::kInt},
        {"int16", at::kShort},
        {"int8", at::kChar},
        {"uint8", at::kByte},
        {"bool", at::kBool}};
    return kTypes.at(torch_name);
}

std::string hex(const at::Tensor& t) {
    static constexpr char kDigits[] = "0123456789abcdef";
    const at::Tensor c = t.contiguous();
    const auto* p = static_cast<const unsigned char*>(c.data_ptr());
    std::string out;
    for (size_t i = 0; i < c.nbytes(); ++i) {
        out += kDigits[p[i] >> 4];
        out += kDigits[p[i] & 15];
    }
    return out;
}

at::Tensor from_expected(const json& e) {
    const std::string h = e["hex"];
    const auto shape = e["shape"].get<std::vector<int64_t>>();
    at::Tensor t = at::empty(shape, scalar_type_of(e["dtype"]));
    auto* p = static_cast<unsigned char*>(t.data_ptr());
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
        p[i / 2] = static_cast<unsigned char>(std::stoi(h.substr(i, 2), nullptr, 16));
    }
    return t;
}

void expect_tensor(const at::Tensor& got, const json& want, const std::string& name) {
    EXPECT_EQ(got.scalar_type(), scalar_type_of(want["dtype"])) << name;
    EXPECT_EQ(got.sizes().vec(), want["shape"].get<std::vector<int64_t>>()) << name;
    EXPECT_EQ(hex(got), want["hex"].get<std::string>())
        << name;  // raw bytes: NaN payloads, FP8 codes
}

TEST(SafetensorsParityTest, PythonFilesLoadBitExactly) {
    const json all = expected();
    for (const std::string stem : {"all_dtypes", "multi_meta", "empty"}) {
        const SafetensorsFile file(fixture_dir() / (stem + ".safetensors"));
        const json& want = all[stem];
        EXPECT_EQ(file.names().size(), want["tensors"].size()) << stem;
        for (const auto& [name, entry] : want["tensors"].items()) {
            expect_tensor(file.tensor(name), entry, stem + "/" + name);
        }
        EXPECT_EQ(file.metadata(), want["metadata"].get<Metadata>()) << stem;
    }
}

TEST(SafetensorsParityTest, PythonShardedCheckpointLoads) {
    const json want = expected()["sharded"];
    const ShardedSafetensors checkpoint(fixture_dir() / "sharded");
    EXPECT_TRUE(checkpoint.sharded());
    checkpoint.verify();
    EXPECT_EQ(checkpoint.total_size(), 16128U);
    EXPECT_EQ(checkpoint.names().size(), want["tensors"].size());
    for (const auto& [file, names] : want["shards"].items()) {
        for (const std::string name : names) {
            EXPECT_EQ(checkpoint.shard_of(name), file);
            expect_tensor(checkpoint.tensor(name), want["tensors"][name], name);
        }
    }
}

// Runs a command, returns its exit status and output.
std::pair<int, std::string> run(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    char buffer[4096];
    while (pipe && std::fgets(buffer, sizeof buffer, pipe)) {
        output += buffer;
    }
    const int status = pipe ? ::pclose(pipe) : -1;
    return {status, output};
}

TEST(SafetensorsParityTest, R1FilesLoadInPythonAndMatchItsBytes) {
    const json all = expected();
    const fs::path out = fs::path(std::getenv("R1_BUILD_DIR") ? std::getenv("R1_BUILD_DIR") : ".") /
                         "reference" / "safetensors_r1";
    for (const std::string stem : {"all_dtypes", "multi_meta", "empty"}) {
        NamedTensors tensors;
        for (const auto& [name, entry] : all[stem]["tensors"].items()) {
            tensors.emplace_back(name, from_expected(entry));
        }
        write_safetensors(out / (stem + ".safetensors"), tensors,
                          all[stem]["metadata"].get<Metadata>());
    }
    const json& sharded = all["sharded"];
    NamedTensors state;  // in the fixture's state-dict order: it decides the shards
    for (const std::string name : sharded["order"]) {
        state.emplace_back(name, from_expected(sharded["tensors"][name]));
    }
    write_sharded_safetensors(out / "sharded", state,
                              {.max_shard_size = sharded["max_shard_size"].get<uint64_t>()});
    // Same bytes as Python where Python's output is deterministic (at most one metadata key).
    for (const std::string file :
         {"all_dtypes.safetensors", "empty.safetensors", "sharded/model.safetensors.index.json",
          "sharded/model-00004-of-00005.safetensors"}) {
        EXPECT_EQ(util::read_file(out / file), util::read_file(fixture_dir() / file)) << file;
    }
    const auto [status, output] =
        run(std::string(R1_PYTHON) + " " + R1_SOURCE_DIR +
            "/tests/reference/check_safetensors.py " + (fixture_dir() / "expected.json").string() +
            " " + out.string() + " " + fixture_dir().string());
    EXPECT_EQ(status, 0) << output;
    test::expect_contains(
        output, {R"("loaded_bit_exact": true)", R"("all_dtypes": true)", R"("sharded": true)"});
    std::printf("check_safetensors.py: %s", output.c_str());
}

}  // namespace
}  // namespace r1::io
