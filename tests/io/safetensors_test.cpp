// SafetensorsFile and write_safetensors on hand-built files: the byte layout against the Rust
// library's own test vectors, aliasing and copying, error messages, dtype tables.
#include "r1/io/safetensors.h"

#include "r1/io/dtype.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "support/expect.h"

namespace r1::io {
namespace {

using test::error_of;
using test::expect_contains;

// 8-byte little-endian length, header, data: a file as any writer could produce it.
std::string file_bytes(const std::string& header, const std::string& data) {
    std::string out(8, '\0');
    const uint64_t n = header.size();
    std::memcpy(out.data(), &n, 8);
    return out + header + data;
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string raw(const at::Tensor& t) {
    const at::Tensor c = t.contiguous();
    return {static_cast<const char*>(c.data_ptr()), c.nbytes()};
}

TEST(DtypeTest, NamesMapToScalarTypesAndSizes) {
    EXPECT_EQ(dtypes().size(), 12U);
    for (const Dtype& d : dtypes()) {
        EXPECT_EQ(d.element_size, static_cast<int64_t>(c10::elementSize(d.scalar_type))) << d.name;
        EXPECT_EQ(&dtype_of(d.name), &d);
        EXPECT_EQ(&dtype_of(d.scalar_type), &d);
    }
    EXPECT_EQ(dtype_of("F8_E4M3").scalar_type, at::kFloat8_e4m3fn);
    EXPECT_EQ(dtype_of("F8_E5M2").scalar_type, at::kFloat8_e5m2);
    EXPECT_EQ(dtype_of("BF16").scalar_type, at::kBFloat16);
    EXPECT_EQ(find_dtype("f32"), nullptr);  // case-sensitive, as in Python
    expect_contains(error_of<util::FormatError>([] { dtype_of("U16"); }),
                    {"unknown dtype 'U16'", "F64", "F8_E4M3", "BOOL"});
    expect_contains(error_of<util::UnsupportedError>([] { dtype_of(at::kComplexFloat); }),
                    {"ComplexFloat"});
}

// The bytes of safetensors' Rust test `test_serialization` (tensor.rs): an F32 [1, 2, 3] "attn.0".
TEST(SafetensorsWriterTest, MatchesRustTestVector) {
    util::TempDir dir;
    const auto path = dir.path() / "a.safetensors";
    write_safetensors(path, {{"attn.0", at::arange(6, at::kFloat).view({1, 2, 3})}});
    const std::string header =
        R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
    EXPECT_EQ(util::read_file(path), file_bytes(header, raw(at::arange(6, at::kFloat))));
    // test_empty: no tensors, then metadata only; the header is padded with spaces to 8 bytes.
    write_safetensors(path, {});
    EXPECT_EQ(util::read_file(path), file_bytes("{}      ", ""));
    write_safetensors(path, {}, {{"framework", "pt"}});
    EXPECT_EQ(util::read_file(path),
              file_bytes(std::string(R"({"__metadata__":{"framework":"pt"}})") + "     ", ""));
}

TEST(SafetensorsWriterTest, OrdersByAlignmentThenNameAndEscapes) {
    util::TempDir dir;
    const auto path = dir.path() / "a.safetensors";
    write_safetensors(path, {{"b", at::ones({2}, at::kByte)},
                             {"a\"\n\x01", at::ones({1}, at::kDouble)},
                             {"c", at::ones({1}, at::kLong)},
                             {"a", at::ones({1}, at::kFloat8_e4m3fn)},
                             {"z", at::ones({1}, at::kFloat8_e5m2)}});
    const std::string header = util::read_file(path).substr(8);
    const std::string expected =
        R"({"c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
        R"("a\"\n\u0001":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},)"
        R"("a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[16,17]},)"
        R"("z":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[17,18]},)"
        R"("b":{"dtype":"U8","shape":[2],"data_offsets":[18,20]}})";
    EXPECT_EQ(header.substr(0, expected.size()), expected);
    const SafetensorsFile file(path);
    EXPECT_EQ(file.names(), (std::vector<std::string>{"a", "a\"\n\x01", "b", "c", "z"}));
}

TEST(SafetensorsWriterTest, RejectsBadNamesAndLeavesNoTemporary) {
    util::TempDir dir;
    const auto path = dir.path() / "a.safetensors";
    const at::Tensor t = at::ones({1});
    expect_contains(error_of<util::FormatError>([&] {
                        write_safetensors(path, {{"x", t}, {"x", t}});
                    }),
                    {"a.safetensors", "tensor 'x': given twice"});
    expect_contains(error_of<util::FormatError>([&] {
                        write_safetensors(path, {{"__metadata__", t}});
                    }),
                    {"reserved"});
    expect_contains(error_of<util::FormatError>([&] {
                        write_safetensors(path, {{"\xff", t}});
                    }),
                    {"not valid UTF-8"});
    expect_contains(error_of<util::UnsupportedError>([&] {
                        write_safetensors(path, {{"c", at::ones({1}, at::kComplexDouble)}});
                    }),
                    {"no dtype for ComplexDouble"});
    expect_contains(error_of<util::UnsupportedError>([&] {
                        write_safetensors(path, {{"s", at::eye(3).to_sparse()}});
                    }),
                    {"tensor 's'", "dense"});
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(SafetensorsFileTest, RoundTripsEveryDtypeWithoutCopy) {
    util::TempDir dir;
    const auto path = dir.path() / "a.safetensors";
    NamedTensors tensors;
    for (const Dtype& d : dtypes()) {
        const at::Tensor bytes = at::randint(0, 256, {3 * 5 * 7 * d.element_size}, at::kByte);
        tensors.emplace_back(std::string(d.name), bytes.view(d.scalar_type).view({3, 5, 7}));
        tensors.emplace_back(std::string(d.name) + ".scalar",
                             at::zeros({}, at::TensorOptions(d.scalar_type)));
        tensors.emplace_back(std::string(d.name) + ".empty", at::empty({0, 3}, d.scalar_type));
    }
    tensors.emplace_back("strided",
                         at::arange(12, at::kInt).view({3, 4}).t());  // written contiguous
    write_safetensors(path, tensors, {{"format", "pt"}, {"step", "7"}});
    at::Tensor kept;
    {
        const SafetensorsFile file(path);
        EXPECT_EQ(file.metadata(), (Metadata{{"format", "pt"}, {"step", "7"}}));
        for (const auto& [name, t] : tensors) {
            const at::Tensor got = file.tensor(name);
            EXPECT_EQ(got.scalar_type(), t.scalar_type()) << name;
            EXPECT_EQ(got.sizes(), t.sizes()) << name;
            EXPECT_EQ(raw(got), raw(t)) << name;
            EXPECT_EQ(file.dtype(name), t.scalar_type());
            if (got.nbytes() > 0) {  // aliasing the mapping, not a copy
                EXPECT_EQ(static_cast<const void*>(got.data_ptr()), file.bytes(name).first) << name;
            }
        }
        kept = file.tensor("F64");
    }
    // The mapping outlives the SafetensorsFile while a tensor uses it; in-place writes are private.
    const std::string f64 = raw(std::find_if(tensors.begin(), tensors.end(), [](const auto& e) {
                                    return e.first == "F64";
                                })->second);
    EXPECT_EQ(raw(kept), f64);
    kept.fill_(1.0);
    EXPECT_TRUE(kept.eq(1.0).all().item<bool>());
    EXPECT_EQ(raw(SafetensorsFile(path).tensor("F64")), f64);
}

TEST(SafetensorsFileTest, CopiesUnalignedTensors) {
    // A U8 [3] then an F32 [2] at byte 3: legal layout, not aligned for float -> copied.
    util::TempDir dir;
    const auto path = dir.path() / "u.safetensors";
    const float values[2] = {1.5F, -2.25F};
    std::string data = "abc" + std::string(reinterpret_cast<const char*>(values), 8);
    write_bytes(path, file_bytes(R"({"u":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
                                 R"("f":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}})",
                                 data));
    const SafetensorsFile file(path);
    const at::Tensor f = file.tensor("f");
    EXPECT_NE(static_cast<const void*>(f.data_ptr()), file.bytes("f").first);
    EXPECT_EQ(f[0].item<float>(), 1.5F);
    EXPECT_EQ(f[1].item<float>(), -2.25F);
}

TEST(SafetensorsFileTest, AcceptsWhatPythonAccepts) {
    // Python's reader takes a null __metadata__ as none and ignores unknown keys in an entry.
    util::TempDir dir;
    const auto path = dir.path() / "x.safetensors";
    write_bytes(path, file_bytes(R"({"__metadata__":null,"a":{"dtype":"U8","shape":[1],)"
                                 R"("data_offsets":[0,1],"extra":1}})",
                                 "\x05"));
    const SafetensorsFile file(path);
    EXPECT_TRUE(file.metadata().empty());
    EXPECT_EQ(file.tensor("a").item<uint8_t>(), 5);
}

TEST(SafetensorsFileTest, ErrorsNameFileTensorAndRange) {
    util::TempDir dir;
    const auto path = dir.path() / "model.safetensors";
    write_bytes(path, file_bytes(R"({"model.norm.weight":{"dtype":"BF16","shape":[512],)"
                                 R"("data_offsets":[8192,9216]}})",
                                 std::string(9000, '\0')));
    EXPECT_EQ(error_of<util::FormatError>([&] { SafetensorsFile{path}; }),
              path.string() +
                  ": tensor 'model.norm.weight': bytes [8192, 9216) end past the data "
                  "section (9000)");
    write_safetensors(path, {{"model.norm.weight", at::ones({4})}});
    const SafetensorsFile file(path);
    expect_contains(
        error_of<util::FormatError>([&] { file.tensor("model.norm.weights"); }),
        {path.string(), "no tensor 'model.norm.weights'", "did you mean 'model.norm.weight'"});
    expect_contains(error_of<util::IoError>([&] { SafetensorsFile{dir.path() / "nope"}; }),
                    {"nope", "cannot open"});
    expect_contains(error_of<util::IoError>([&] { SafetensorsFile{dir.path()}; }),
                    {"not a regular file"});
}

}  // namespace
}  // namespace r1::io
