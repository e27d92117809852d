// Private: typed access to tokenizer.json members, with the JSON key path in every error, and the
// readers of its pipeline sections (pre_tokenizer, decoder, post_processor).
#pragma once

#include "r1/tokenizer/tokenizer.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <nlohmann/json.hpp>

#include <string>

namespace r1::tokenizer {

using nlohmann::json;

inline constexpr int64_t kMaxTokenId =
    (1 << 24) - 1;  // far above any real vocabulary; bounds allocations

// Typed access to JSON members with key paths in every error.
class Reader {
  public:
    explicit Reader(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        throw util::FormatError("key '" + path + "': " + what, util::Location{.source = source_});
    }

    void expect(const json& v,
                json::value_t type,
                const std::string& path,
                const char* expected) const {
        if (v.type() != type) {
            fail(path, util::str("expected ", expected, ", got ", v.type_name()));
        }
    }

    const json* find(const json& obj, const char* key, const std::string& path) const {
        expect(obj, json::value_t::object, path.empty() ? "(root)" : path, "an object");
        auto it = obj.find(key);
        return it == obj.end() || it->is_null() ? nullptr : &*it;
    }

    const json& member(const json& obj, const char* key, const std::string& path) const {
        const json* v = find(obj, key, path);
        if (v == nullptr) {
            fail(join(path, key), "missing");
        }
        return *v;
    }

    std::string string(const json& obj, const char* key, const std::string& path) const {
        const json& v = member(obj, key, path);
        expect(v, json::value_t::string, join(path, key), "a string");
        return v.get<std::string>();
    }

    bool boolean(const json& obj, const char* key, const std::string& path, bool fallback) const {
        const json* v = find(obj, key, path);
        if (v == nullptr) {
            return fallback;
        }
        expect(*v, json::value_t::boolean, join(path, key), "true or false");
        return v->get<bool>();
    }

    TokenId id(const json& v, const std::string& path) const {
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > kMaxTokenId) {
            fail(path, util::str("expected a token id in [0, ", kMaxTokenId, "], got ", v.dump()));
        }
        return static_cast<TokenId>(v.get<int64_t>());
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

    static std::string at(const std::string& path, size_t i) {
        return util::str(path, "[", i, "]");
    }

  private:
    std::string source_;
};

/// Fills the pre-tokenizer, decoder and post-processor of `t` (the model and added tokens are
/// read).
void read_pipeline(const Reader& r, const json& root, Tokenizer::Impl& t);

}  // namespace r1::tokenizer
