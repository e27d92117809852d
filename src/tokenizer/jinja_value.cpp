// Jinja values with Python's semantics: printing, truth, equality, order and containment
// (arithmetic is in jinja_arithmetic.cpp).
#include "tokenizer/jinja_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "tokenizer/jinja_text.h"

namespace r1::tokenizer::jinja {

const Value* Dict::find(std::string_view key) const {
    for (const auto& [k, v] : items) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

void Dict::set(std::string key, Value value) {
    for (auto& [k, v] : items) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    items.emplace_back(std::move(key), std::move(value));
}

const Value* Args::find(size_t index, std::string_view name) const {
    if (index < positional.size()) {
        return &positional[index];
    }
    for (const auto& [k, v] : keywords) {
        if (k == name) {
            return &v;
        }
    }
    return nullptr;
}

void Args::expect(std::string_view callee,
                  size_t max_positional,
                  std::initializer_list<std::string_view> names) const {
    if (positional.size() > max_positional) {
        fail(std::string(callee) + "() takes at most " + std::to_string(max_positional) +
             " positional arguments, got " + std::to_string(positional.size()));
    }
    for (const auto& [k, v] : keywords) {
        if (std::find(names.begin(), names.end(), k) == names.end()) {
            fail(std::string(callee) + "() got an unexpected keyword argument '" + k + "'");
        }
    }
}

namespace {

int depth_of(const Value& v) {
    return v.is_array()       ? v.as_array().depth
           : v.is_dict()      ? v.as_dict().depth
           : v.is_namespace() ? v.as_namespace().attrs.depth
                              : 0;
}

int checked_depth(int depth) {
    if (depth > kMaxDepth) {
        fail("value nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    return depth;
}

int container_depth(const Dict& d) {
    int deepest = 0;
    for (const auto& kv : d.items) {
        deepest = std::max(deepest, depth_of(kv.second));
    }
    return checked_depth(deepest + 1);
}

}  // namespace

Value Value::list(std::vector<Value> items, bool tuple) {
    int deepest = 0;
    for (const Value& item : items) {
        deepest = std::max(deepest, depth_of(item));
    }
    Value v;
    v.data_ =
        std::make_shared<const Array>(Array{std::move(items), tuple, checked_depth(deepest + 1)});
    return v;
}

Value Value::dict(Dict d) {
    d.depth = container_depth(d);
    Value v;
    v.data_ = std::make_shared<const Dict>(std::move(d));
    return v;
}

Value Value::name_space(Dict attrs) {
    attrs.depth = container_depth(attrs);
    Value v;
    v.data_ = std::make_shared<Namespace>(Namespace{std::move(attrs)});
    return v;
}

void check_attribute_name(const std::string& name) {
    if (!name.empty() && name[0] == '_') {
        fail("namespace attributes cannot start with '_' (got '" + name + "')");
    }
}

void set_attribute(Namespace& ns, std::string name, Value value) {
    check_attribute_name(name);
    // The depth only grows: a namespace changed after being nested may be undercounted, which the
    // guards of repr(), equal() and to_json() still catch.
    ns.attrs.depth = std::max(ns.attrs.depth, checked_depth(depth_of(value) + 1));
    ns.attrs.set(std::move(name), std::move(value));
}

Value Value::function(std::string name, std::function<Value(const Args&)> call) {
    Value v;
    v.data_ = std::make_shared<const Function>(Function{std::move(name), std::move(call)});
    return v;
}

int64_t Value::as_int() const {
    return is_bool() ? int64_t{as_bool()} : std::get<int64_t>(data_);
}

double Value::as_float() const {
    return is_float() ? std::get<double>(data_) : static_cast<double>(as_int());
}

std::string Value::type_name() const {
    static constexpr const char* kNames[] = {"Undefined", "NoneType", "bool", "int",
                                             "float",     "str",      "list", "dict",
                                             "Namespace", "function"};
    if (is_array() && as_array().tuple) {
        return "tuple";
    }
    return kNames[data_.index()];
}

void fail(const std::string& message) {
    throw RenderError(message);
}

void fail_undefined(const Value& v) {
    fail(v.as_undefined().why);
}

bool truthy(const Value& v) {
    switch (v.data().index()) {
        case 0:
            return false;  // Undefined
        case 1:
            return false;  // None
        case 2:
            return v.as_bool();
        case 3:
            return v.as_int() != 0;
        case 4:
            return v.as_float() != 0.0;
        case 5:
            return !v.as_string().empty();
        case 6:
            return !v.as_array().items.empty();
        case 7:
            return !v.as_dict().items.empty();
        default:
            return true;  // namespaces and functions
    }
}

std::string format_float(double x) {
    if (std::isnan(x)) {
        return "nan";
    }
    if (std::isinf(x)) {
        return x < 0 ? "-inf" : "inf";
    }
    char buf[64];
    const auto end = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific).ptr;
    const std::string_view sci(buf, end - buf);  // shortest round trip: "-1.2345e+02"
    const size_t e = sci.find('e');
    const bool negative = sci[0] == '-';
    std::string digits(sci.substr(negative ? 1 : 0, e - (negative ? 1 : 0)));
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    const int exp = std::stoi(std::string(sci.substr(e + 1)));
    std::string out = negative ? "-" : "";
    if (exp < -4 || exp >= 16) {  // Python's repr switches to exponent notation here
        out += digits.substr(0, 1);
        if (digits.size() > 1) {
            out += "." + digits.substr(1);
        }
        const std::string mag = std::to_string(std::abs(exp));
        return out + (exp < 0 ? "e-" : "e+") + (mag.size() < 2 ? "0" : "") + mag;
    }
    if (exp < 0) {
        return out + "0." + std::string(-exp - 1, '0') + digits;
    }
    if (digits.size() <= static_cast<size_t>(exp) + 1) {
        return out + digits + std::string(exp + 1 - digits.size(), '0') + ".0";
    }
    return out + digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
}

namespace {

void check_depth(int depth) {
    if (depth > kMaxDepth) {
        fail("value nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
}

std::string repr_at(const Value& v, int depth);

std::string repr_dict(const Dict& d, int depth) {
    std::string out = "{";
    for (size_t i = 0; i < d.items.size(); ++i) {
        out += (i > 0 ? ", " : "") + text::repr(d.items[i].first) + ": " +
               repr_at(d.items[i].second, depth + 1);
    }
    return out + "}";
}

std::string repr_at(const Value& v, int depth) {
    check_depth(depth);
    if (v.is_string()) {
        return text::repr(v.as_string());
    }
    if (v.is_array()) {
        const Array& a = v.as_array();
        std::string out = a.tuple ? "(" : "[";
        for (size_t i = 0; i < a.items.size(); ++i) {
            out += (i > 0 ? ", " : "") + repr_at(a.items[i], depth + 1);
        }
        return out + (a.tuple && a.items.size() == 1 ? ",)" : a.tuple ? ")" : "]");
    }
    if (v.is_dict()) {
        return repr_dict(v.as_dict(), depth);
    }
    if (v.is_namespace()) {
        return "<Namespace " + repr_dict(v.as_namespace().attrs, depth) + ">";
    }
    return v.is_undefined() ? "Undefined" : to_str(v);
}

}  // namespace

std::string repr(const Value& v) {
    return repr_at(v, 0);
}

std::string to_str(const Value& v) {
    switch (v.data().index()) {
        case 0:
            return "";
        case 1:
            return "None";
        case 2:
            return v.as_bool() ? "True" : "False";
        case 3:
            return std::to_string(v.as_int());
        case 4:
            return format_float(v.as_float());
        case 5:
            return v.as_string();
        case 9:
            return "<function " + v.as_function().name + ">";
        default:
            return repr(v);
    }
}

namespace {

bool equal_at(const Value& a, const Value& b, int depth);

bool equal_dicts(const Dict& a, const Dict& b, int depth) {
    if (a.items.size() != b.items.size()) {
        return false;
    }
    return std::all_of(a.items.begin(), a.items.end(), [&](const auto& kv) {
        const Value* other = b.find(kv.first);
        return other != nullptr && equal_at(kv.second, *other, depth + 1);
    });
}

bool equal_at(const Value& a, const Value& b, int depth) {
    check_depth(depth);
    if (a.is_number() && b.is_number()) {
        return a.is_float() || b.is_float() ? a.as_float() == b.as_float()
                                            : a.as_int() == b.as_int();
    }
    if (a.data().index() != b.data().index()) {
        return false;
    }
    switch (a.data().index()) {
        case 0:
            return true;  // jinja2: every Undefined equals every other
        case 1:
            return true;
        case 5:
            return a.as_string() == b.as_string();
        case 6: {
            const Array& x = a.as_array();
            const Array& y = b.as_array();
            return x.tuple == y.tuple && x.items.size() == y.items.size() &&
                   std::equal(
                       x.items.begin(), x.items.end(), y.items.begin(),
                       [&](const Value& p, const Value& q) { return equal_at(p, q, depth + 1); });
        }
        case 7:
            return equal_dicts(a.as_dict(), b.as_dict(), depth);
        case 8:
            return &a.as_namespace() == &b.as_namespace();
        default:
            return &a.as_function() == &b.as_function();
    }
}

int compare_at(const Value& a, const Value& b, std::string_view op, int depth) {
    check_depth(depth);
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float()) {
            return a.as_float() < b.as_float() ? -1 : a.as_float() > b.as_float() ? 1 : 0;
        }
        return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
    }
    if (a.is_string() && b.is_string()) {  // UTF-8 byte order is code point order
        const int c = a.as_string().compare(b.as_string());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (a.is_array() && b.is_array() && a.as_array().tuple == b.as_array().tuple) {
        const auto& x = a.as_array().items;
        const auto& y = b.as_array().items;
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (!equal_at(x[i], y[i], depth + 1)) {
                return compare_at(x[i], y[i], op, depth + 1);
            }
        }
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    for (const Value* v : {&a, &b}) {
        if (v->is_undefined()) {
            fail_undefined(*v);
        }
    }
    fail("'" + std::string(op) + "' not supported between instances of '" + a.type_name() +
         "' and '" + b.type_name() + "'");
}

}  // namespace

bool equal(const Value& a, const Value& b) {
    return equal_at(a, b, 0);
}

int compare(const Value& a, const Value& b, std::string_view op) {
    return compare_at(a, b, op, 0);
}

bool contains(const Value& container, const Value& item) {
    if (container.is_string()) {
        if (!item.is_string()) {
            fail("'in <string>' requires string as left operand, not " + item.type_name());
        }
        return container.as_string().find(item.as_string()) != std::string::npos;
    }
    if (container.is_dict()) {
        return item.is_string() && container.as_dict().find(item.as_string()) != nullptr;
    }
    if (container.is_array() || container.is_undefined()) {
        const std::vector<Value> items = iterate(container);
        return std::any_of(items.begin(), items.end(),
                           [&](const Value& v) { return equal(v, item); });
    }
    fail("argument of type '" + container.type_name() + "' is not iterable");
}

std::vector<Value> iterate(const Value& v) {
    if (v.is_array()) {
        return v.as_array().items;
    }
    std::vector<Value> out;
    if (v.is_dict()) {
        for (const auto& kv : v.as_dict().items) {
            out.emplace_back(kv.first);
        }
    } else if (v.is_string()) {
        for (std::string& c : text::chars(v.as_string())) {
            out.emplace_back(std::move(c));
        }
    } else if (!v.is_undefined()) {
        fail("'" + v.type_name() + "' object is not iterable");
    }
    return out;
}

namespace {

Value from_json_at(const nlohmann::ordered_json& j, int depth) {
    check_depth(depth);
    switch (j.type()) {
        case nlohmann::ordered_json::value_t::null:
            return nullptr;
        case nlohmann::ordered_json::value_t::boolean:
            return j.get<bool>();
        case nlohmann::ordered_json::value_t::number_integer:
            return j.get<int64_t>();
        case nlohmann::ordered_json::value_t::number_unsigned:
            if (j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
                return j.get<double>();
            }
            return j.get<int64_t>();
        case nlohmann::ordered_json::value_t::number_float:
            return j.get<double>();
        case nlohmann::ordered_json::value_t::string:
            return j.get<std::string>();
        case nlohmann::ordered_json::value_t::array: {
            std::vector<Value> items;
            for (const auto& item : j) {
                items.push_back(from_json_at(item, depth + 1));
            }
            return Value::list(std::move(items));
        }
        case nlohmann::ordered_json::value_t::object: {
            Dict d;
            for (const auto& [k, item] : j.items()) {
                d.items.emplace_back(k, from_json_at(item, depth + 1));
            }
            return Value::dict(std::move(d));
        }
        default:
            fail(std::string("unsupported JSON value of type ") + j.type_name());
    }
}

}  // namespace

Value from_json(const nlohmann::ordered_json& j) {
    return from_json_at(j, 0);
}

namespace {

std::string json_number(const Value& v) {
    if (!v.is_float()) {
        return v.is_bool() ? (v.as_bool() ? "true" : "false") : std::to_string(v.as_int());
    }
    const double x = v.as_float();
    if (std::isnan(x)) {
        return "NaN";
    }
    if (std::isinf(x)) {
        return x < 0 ? "-Infinity" : "Infinity";
    }
    return format_float(x);
}

struct JsonWriter {
    const JsonOptions& options;
    std::string out;

    void newline(int level) {
        if (options.indent) {
            out += '\n';
            for (int i = 0; i < level; ++i) {
                out += *options.indent;
            }
        }
    }

    void write(const Value& v, int level);
    void write_array(const Array& a, int level);
    void write_dict(const Dict& d, int level);
};

void JsonWriter::write(const Value& v, int level) {
    check_depth(level);
    if (v.is_none()) {
        out += "null";
    } else if (v.is_number()) {
        out += json_number(v);
    } else if (v.is_string()) {
        out += text::json_quote(v.as_string(), options.ensure_ascii);
    } else if (v.is_array()) {
        write_array(v.as_array(), level);
    } else if (v.is_dict()) {
        write_dict(v.as_dict(), level);
    } else {
        fail("Object of type " + v.type_name() + " is not JSON serializable");
    }
}

void JsonWriter::write_array(const Array& a, int level) {
    if (a.items.empty()) {
        out += "[]";
        return;
    }
    out += '[';
    for (size_t i = 0; i < a.items.size(); ++i) {
        out += i > 0 ? options.item_separator : "";
        newline(level + 1);
        write(a.items[i], level + 1);
    }
    newline(level);
    out += ']';
}

void JsonWriter::write_dict(const Dict& d, int level) {
    if (d.items.empty()) {
        out += "{}";
        return;
    }
    std::vector<const std::pair<std::string, Value>*> items;
    for (const auto& kv : d.items) {
        items.push_back(&kv);
    }
    if (options.sort_keys) {
        std::stable_sort(items.begin(), items.end(),
                         [](const auto* x, const auto* y) { return x->first < y->first; });
    }
    out += '{';
    for (size_t i = 0; i < items.size(); ++i) {
        out += i > 0 ? options.item_separator : "";
        newline(level + 1);
        out += text::json_quote(items[i]->first, options.ensure_ascii);
        out += options.key_separator;
        write(items[i]->second, level + 1);
    }
    newline(level);
    out += '}';
}

}  // namespace

std::string to_json(const Value& v, const JsonOptions& options) {
    JsonWriter writer{options, {}};
    writer.write(v, 0);
    return std::move(writer.out);
}

}  // namespace r1::tokenizer::jinja
