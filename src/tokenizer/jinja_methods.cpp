// Attribute, item and slice lookup as jinja2's sandbox resolves them, the str and dict methods
// templates call (read-only, as ImmutableSandboxedEnvironment allows), and the global functions.
#include <algorithm>
#include <chrono>
#include <ctime>

#include "tokenizer/jinja_builtins.h"
#include "tokenizer/jinja_text.h"

namespace r1::tokenizer::jinja {

namespace {

constexpr std::string_view kStrMethods[] = {
    "strip",      "lstrip",   "rstrip", "split", "rsplit", "splitlines",
    "startswith", "endswith", "upper",  "lower", "title",  "capitalize",
    "replace",    "find",     "rfind",  "count", "join"};
constexpr std::string_view kDictMethods[] = {"get", "items", "keys", "values"};

// jinja2's range() in the sandbox refuses more than this many items.
constexpr int64_t kMaxRange = 100000;

template <size_t N>
bool among(const std::string_view (&names)[N], std::string_view name) {
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

std::optional<std::string> optional_string(const Args& a, size_t index, std::string_view name) {
    const Value* v = a.find(index, name);
    if (v == nullptr || v->is_none()) {
        return std::nullopt;
    }
    if (!v->is_string()) {
        fail(std::string(name) + " must be a string or None, got " + v->type_name());
    }
    return v->as_string();
}

int64_t int_or(const Args& a, size_t index, std::string_view name, int64_t fallback) {
    const Value* v = a.find(index, name);
    if (v == nullptr) {
        return fallback;
    }
    if (!v->is_int() && !v->is_bool()) {
        fail(std::string(name) + " must be an integer, got " + v->type_name());
    }
    return v->as_int();
}

Value strings(const std::vector<std::string>& parts) {
    std::vector<Value> out(parts.begin(), parts.end());
    return Value::list(std::move(out));
}

// startswith / endswith take one prefix or a tuple of them.
bool affix(const std::string& s, const Value& affixes, bool at_end) {
    std::vector<Value> options =
        affixes.is_array() ? affixes.as_array().items : std::vector<Value>{affixes};
    return std::any_of(options.begin(), options.end(), [&](const Value& o) {
        if (!o.is_string()) {
            fail("startswith/endswith take a string or a tuple of strings, got " + o.type_name());
        }
        const std::string& x = o.as_string();
        return x.size() <= s.size() &&
               s.compare(at_end ? s.size() - x.size() : 0, x.size(), x) == 0;
    });
}

Value str_join(const std::string& separator, const Value& items) {
    std::string out;
    bool first = true;
    for (const Value& item : iterate(items)) {
        if (!item.is_string()) {
            fail("sequence item: expected str instance, " + item.type_name() + " found");
        }
        out += (first ? "" : separator) + item.as_string();
        first = false;
    }
    return out;
}

// The str methods with optional or keyword arguments; nullopt for the others.
std::optional<Value> call_str_method(const std::string& s, std::string_view name, const Args& a) {
    const auto side = name == "lstrip"   ? text::Side::left
                      : name == "rstrip" ? text::Side::right
                                         : text::Side::both;
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
        a.expect(name, 2, {});
        return text::strip(s, optional_string(a, 1, "chars"), side);
    }
    if (name == "split" || name == "rsplit") {
        a.expect(name, 3, {"sep", "maxsplit"});
        const auto sep = optional_string(a, 1, "sep");
        if (sep && sep->empty()) {
            fail("empty separator");
        }
        const int64_t maxsplit = int_or(a, 2, "maxsplit", -1);
        return strings(name == "split" ? text::split(s, sep, maxsplit)
                                       : text::rsplit(s, sep, maxsplit));
    }
    if (name == "startswith" || name == "endswith") {
        a.expect(name, 2, {});
        const Value* affixes = a.find(1, "prefix");
        if (affixes == nullptr) {
            fail(std::string(name) + "() takes one argument");
        }
        return affix(s, *affixes, name == "endswith");
    }
    if (name == "replace") {
        a.expect(name, 4, {"count"});
        const auto old = optional_string(a, 1, "old");
        const auto to = optional_string(a, 2, "new");
        if (!old || !to) {
            fail("replace() takes two strings");
        }
        return text::replace(s, *old, *to, int_or(a, 3, "count", -1));
    }
    return std::nullopt;
}

// The str methods with one string argument or none.
Value call_str_plain(const std::string& s, std::string_view name, const Args& a) {
    const bool takes_one = name == "join" || name == "find" || name == "rfind" || name == "count";
    a.expect(name, takes_one ? 2 : 1, {});
    if (takes_one && a.positional.size() < 2) {
        fail(std::string(name) + "() takes exactly one argument");
    }
    if (name == "join") {
        return str_join(s, a.positional[1]);
    }
    if (takes_one && !a.positional[1].is_string()) {
        fail(std::string(name) + "() needs a string, got " + a.positional[1].type_name());
    }
    if (name == "find" || name == "rfind") {
        return text::find(s, a.positional[1].as_string(), name == "rfind");
    }
    if (name == "count") {
        return text::count(s, a.positional[1].as_string());
    }
    if (name == "splitlines") {
        return strings(text::splitlines(s));
    }
    return name == "upper"   ? text::upper(s)
           : name == "lower" ? text::lower(s)
           : name == "title" ? text::title(s)
                             : text::capitalize(s);
}

Value call_dict_method(const Dict& d, std::string_view name, const Args& a) {
    if (name == "get") {  // get(key, default=None), positional only as in Python
        a.expect(name, 3, {});
        const Value key = a.positional.size() > 1 ? a.positional[1] : Value();
        const Value* found = key.is_string() ? d.find(key.as_string()) : nullptr;
        return found != nullptr ? *found : a.positional.size() > 2 ? a.positional[2] : nullptr;
    }
    a.expect(name, 1, {});
    std::vector<Value> out;
    for (const auto& [k, v] : d.items) {
        out.push_back(name == "keys" ? Value(k) : name == "values" ? v : Value::list({k, v}, true));
    }
    return Value::list(std::move(out));
}

// `a.positional[0]` is `self`.
Value call_method(const Value& self, std::string_view name, const Args& a) {
    if (!self.is_string()) {
        return call_dict_method(self.as_dict(), name, a);
    }
    if (std::optional<Value> v = call_str_method(self.as_string(), name, a)) {
        return *v;
    }
    return call_str_plain(self.as_string(), name, a);
}

Value bound_method(const Value& self, const std::string& name) {
    return Value::function(name, [self, name](const Args& args) {
        Args full{.positional = {self}, .keywords = args.keywords};
        full.positional.insert(full.positional.end(), args.positional.begin(),
                               args.positional.end());
        return call_method(self, name, full);
    });
}

Value no_attribute(const Value& obj, const std::string& name) {
    return Undefined{"'" + obj.type_name() + " object' has no attribute '" + name + "'"};
}

}  // namespace

Value get_attr(const Value& obj, const std::string& name) {
    if (obj.is_undefined()) {
        fail_undefined(obj);
    }
    if (obj.is_string() && among(kStrMethods, name)) {
        return bound_method(obj, name);
    }
    if (obj.is_dict()) {  // Python attributes first: message.items is the method, not a key
        if (among(kDictMethods, name)) {
            return bound_method(obj, name);
        }
        const Value* v = obj.as_dict().find(name);
        return v != nullptr ? *v : no_attribute(obj, name);
    }
    if (obj.is_namespace()) {
        const Value* v = obj.as_namespace().attrs.find(name);
        return v != nullptr ? *v : no_attribute(obj, name);
    }
    return no_attribute(obj, name);
}

Value get_item(const Value& obj, const Value& key) {
    if (obj.is_undefined()) {
        fail_undefined(obj);
    }
    if (obj.is_dict() && key.is_string()) {
        if (const Value* v = obj.as_dict().find(key.as_string())) {
            return *v;
        }
    }
    const bool index = key.is_int() || key.is_bool();
    if (index && (obj.is_array() || obj.is_string())) {
        const std::vector<Value> items = obj.is_array() ? std::vector<Value>{} : iterate(obj);
        const auto& all = obj.is_array() ? obj.as_array().items : items;
        const int64_t n = static_cast<int64_t>(all.size());
        const int64_t i = key.as_int() < 0 ? key.as_int() + n : key.as_int();
        if (i >= 0 && i < n) {
            return all[i];
        }
        return Undefined{obj.type_name() + " index out of range"};
    }
    if (key.is_string()) {  // jinja2 falls back to the attribute
        return get_attr(obj, key.as_string());
    }
    return Undefined{"'" + obj.type_name() + " object' has no item " + repr(key)};
}

Value get_slice(const Value& obj, const Value& start, const Value& stop, const Value& step) {
    if (obj.is_undefined()) {
        fail_undefined(obj);
    }
    const auto bound = [](const Value& v) { return v.is_none() || v.is_int() || v.is_bool(); };
    if (!(obj.is_array() || obj.is_string()) || !bound(start) || !bound(stop) || !bound(step)) {
        return Undefined{"'" + obj.type_name() + "' cannot be sliced with these bounds"};
    }
    const int64_t s = step.is_none() ? 1 : step.as_int();
    if (s == 0) {
        fail("slice step cannot be zero");
    }
    const std::vector<Value> items = iterate(obj);
    const int64_t n = static_cast<int64_t>(items.size());
    // CPython's PySlice_AdjustIndices.
    const auto adjust = [&](const Value& v, int64_t fallback) {
        if (v.is_none()) {
            return fallback;
        }
        int64_t i = v.as_int() < 0 ? v.as_int() + n : v.as_int();
        return s > 0 ? std::clamp<int64_t>(i, 0, n) : std::clamp<int64_t>(i, -1, n - 1);
    };
    const int64_t first = adjust(start, s > 0 ? 0 : n - 1);
    const int64_t last = adjust(stop, s > 0 ? n : -1);
    std::vector<Value> out;
    for (int64_t i = first; s > 0 ? i < last : i > last; i += s) {
        out.push_back(items[i]);
    }
    if (obj.is_array()) {
        return Value::list(std::move(out), obj.as_array().tuple);
    }
    std::string joined;
    for (const Value& c : out) {
        joined += c.as_string();
    }
    return joined;
}

namespace {

Value range(const Args& a) {
    a.expect("range", 3, {});
    std::vector<int64_t> bounds;
    for (const Value& v : a.positional) {
        if (!v.is_int() && !v.is_bool()) {
            fail("range() takes integers, got " + v.type_name());
        }
        bounds.push_back(v.as_int());
    }
    if (bounds.empty()) {
        fail("range() takes 1 to 3 arguments");
    }
    const int64_t start = bounds.size() > 1 ? bounds[0] : 0;
    const int64_t stop = bounds.size() > 1 ? bounds[1] : bounds[0];
    const int64_t step = bounds.size() > 2 ? bounds[2] : 1;
    if (step == 0) {
        fail("range() arg 3 must not be zero");
    }
    std::vector<Value> out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (static_cast<int64_t>(out.size()) >= kMaxRange) {
            fail("range too big, the sandbox allows " + std::to_string(kMaxRange) + " items");
        }
        out.emplace_back(i);
    }
    return Value::list(std::move(out));
}

// dict(mapping, **kwargs) and namespace(...): a copy of the mapping, then the keywords.
Dict dict_of(const Args& a, std::string_view callee) {
    if (a.positional.size() > 1) {
        fail(std::string(callee) + "() takes at most one positional argument");
    }
    Dict d;
    if (!a.positional.empty()) {
        if (!a.positional[0].is_dict()) {
            fail(std::string(callee) + "() takes a mapping, got " + a.positional[0].type_name());
        }
        d = a.positional[0].as_dict();
    }
    for (const auto& [k, v] : a.keywords) {
        d.set(k, v);
    }
    return d;
}

Value name_space(const Args& a, std::vector<std::weak_ptr<Namespace>>& created) {
    Dict d = dict_of(a, "namespace");
    for (const auto& [k, v] : d.items) {
        check_attribute_name(k);
    }
    Value ns = Value::name_space(std::move(d));
    created.push_back(std::get<Value::NamespacePtr>(ns.data()));
    return ns;
}

Value strftime_now(const Args& a) {
    a.expect("strftime_now", 1, {});
    const std::string format = a.positional.empty() ? "" : to_str(a.positional[0]);
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm local{};
    localtime_r(&now, &local);
    std::string out(256 + 4 * format.size(), '\0');
    out.resize(std::strftime(out.data(), out.size(), format.c_str(), &local));
    return out;
}

}  // namespace

Dict globals(std::vector<std::weak_ptr<Namespace>>& created) {
    Dict g;
    g.set("range", Value::function("range", range));
    g.set("namespace", Value::function("namespace", [&created](const Args& a) {
              return name_space(a, created);
          }));
    g.set("dict",
          Value::function("dict", [](const Args& a) { return Value::dict(dict_of(a, "dict")); }));
    g.set("raise_exception", Value::function("raise_exception", [](const Args& a) -> Value {
              throw RaisedError(a.positional.empty() ? "" : to_str(a.positional[0]));
          }));
    g.set("strftime_now", Value::function("strftime_now", strftime_now));
    return g;
}

}  // namespace r1::tokenizer::jinja
