// jinja2's filters and tests that chat templates use, with jinja2's argument names and quirks,
// and transformers' tojson (json.dumps with ensure_ascii=False, no HTML escaping).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "tokenizer/jinja_builtins.h"
#include "tokenizer/jinja_text.h"

namespace r1::tokenizer::jinja {

namespace {

using Builtin = Value (*)(const Args&);

const Value& subject(const Args& a) {
    return a.positional.at(0);
}

Value arg(const Args& a, size_t index, std::string_view name, Value fallback = nullptr) {
    const Value* v = a.find(index, name);
    return v != nullptr ? *v : fallback;
}

std::optional<std::string> optional_string(const Value& v) {
    if (v.is_none() || v.is_undefined()) {
        return std::nullopt;
    }
    return to_str(v);
}

int64_t int_arg(const Value& v, std::string_view what) {
    if (!v.is_int() && !v.is_bool()) {
        fail(std::string(what) + " must be an integer, got " + v.type_name());
    }
    return v.as_int();
}

// Python's float(str): surrounding whitespace, underscores between digits, inf and nan allowed.
std::optional<double> parse_float(const std::string& s) {
    std::string t = text::strip(s, std::nullopt, text::Side::both);
    t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
    if (t.empty() || t.find_first_of("xXpP") != std::string::npos) {
        return std::nullopt;
    }
    char* end = nullptr;
    errno = 0;
    const double x = std::strtod(t.c_str(), &end);
    return end == t.c_str() + t.size() ? std::optional<double>(x) : std::nullopt;
}

// Python's int(str): optional sign and decimal digits (underscores between them).
std::optional<int64_t> parse_int(const std::string& s) {
    std::string t = text::strip(s, std::nullopt, text::Side::both);
    t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
    const size_t digits = !t.empty() && (t[0] == '+' || t[0] == '-') ? 1 : 0;
    if (digits == t.size() || t.find_first_not_of("0123456789", digits) != std::string::npos) {
        return std::nullopt;
    }
    errno = 0;
    const long long v = std::strtoll(t.c_str(), nullptr, 10);
    return errno == ERANGE ? std::nullopt : std::optional<int64_t>(v);
}

std::optional<int64_t> float_to_int(double x) {
    if (!std::isfinite(x) || std::fabs(x) >= 9.2e18) {
        return std::nullopt;
    }
    return static_cast<int64_t>(std::trunc(x));
}

Value do_int(const Args& a) {
    a.expect("int", 3, {"default", "base"});
    const Value& v = subject(a);
    const Value fallback = arg(a, 1, "default", 0);
    std::optional<int64_t> r;
    if (v.is_string()) {  // "42.23" | int is 42 (jinja2 retries through float)
        r = parse_int(v.as_string());
        if (!r) {
            const auto x = parse_float(v.as_string());
            r = x ? float_to_int(*x) : std::nullopt;
        }
    } else if (v.is_float()) {
        r = float_to_int(v.as_float());
    } else if (v.is_number()) {
        r = v.as_int();
    }
    return r ? Value(*r) : fallback;
}

Value do_float(const Args& a) {
    a.expect("float", 2, {"default"});
    const Value& v = subject(a);
    if (v.is_number()) {
        return v.as_float();
    }
    const auto x = v.is_string() ? parse_float(v.as_string()) : std::nullopt;
    return x ? Value(*x) : arg(a, 1, "default", 0.0);
}

Value do_length(const Args& a) {
    const Value& v = subject(a);
    if (v.is_string()) {
        return static_cast<int64_t>(text::length(v.as_string()));
    }
    if (v.is_array() || v.is_dict() || v.is_undefined()) {
        return static_cast<int64_t>(iterate(v).size());
    }
    fail("object of type '" + v.type_name() + "' has no len()");
}

Value do_first(const Args& a) {
    std::vector<Value> items = iterate(subject(a));
    return items.empty() ? Value(Undefined{"No first item, sequence was empty."}) : items.front();
}

Value do_last(const Args& a) {
    std::vector<Value> items = iterate(subject(a));
    return items.empty() ? Value(Undefined{"No last item, sequence was empty."}) : items.back();
}

Value do_default(const Args& a) {
    a.expect("default", 3, {"default_value", "boolean"});
    const Value& v = subject(a);
    const bool boolean = truthy(arg(a, 2, "boolean", false));
    return v.is_undefined() || (boolean && !truthy(v)) ? arg(a, 1, "default_value", "") : v;
}

Value do_trim(const Args& a) {
    a.expect("trim", 2, {"chars"});
    return text::strip(to_str(subject(a)), optional_string(arg(a, 1, "chars")), text::Side::both);
}

Value do_replace(const Args& a) {
    a.expect("replace", 4, {"old", "new", "count"});
    const Value count = arg(a, 3, "count");
    return text::replace(to_str(subject(a)), to_str(arg(a, 1, "old", "")),
                         to_str(arg(a, 2, "new", "")),
                         count.is_none() ? -1 : int_arg(count, "replace() count"));
}

Value do_lower(const Args& a) {
    return text::lower(to_str(subject(a)));
}

Value do_upper(const Args& a) {
    return text::upper(to_str(subject(a)));
}

Value do_capitalize(const Args& a) {
    return text::capitalize(to_str(subject(a)));
}

Value do_title(const Args& a) {
    return text::title_words(to_str(subject(a)));
}

Value do_string(const Args& a) {
    return to_str(subject(a));
}

Value do_list(const Args& a) {
    return Value::list(iterate(subject(a)));
}

Value do_items(const Args& a) {
    const Value& v = subject(a);
    std::vector<Value> pairs;
    if (v.is_dict()) {
        for (const auto& [k, item] : v.as_dict().items) {
            pairs.push_back(Value::list({k, item}, true));
        }
    } else if (!v.is_undefined()) {
        fail("Can only get item pairs from a mapping.");
    }
    return Value::list(std::move(pairs));
}

Value do_reverse(const Args& a) {
    const Value& v = subject(a);
    std::vector<Value> items = iterate(v);
    std::reverse(items.begin(), items.end());
    if (!v.is_string()) {
        return Value::list(std::move(items));
    }
    std::string out;
    for (const Value& c : items) {
        out += c.as_string();
    }
    return out;
}

Value do_abs(const Args& a) {
    const Value& v = subject(a);
    if (v.is_float()) {
        return std::fabs(v.as_float());
    }
    if (!v.is_number()) {
        fail("bad operand type for abs(): '" + v.type_name() + "'");
    }
    return v.as_int() < 0 ? negate(v) : Value(v.as_int());
}

// Python's round(x, n) rounds half to even; 10^n scaling is exact enough for templates.
Value do_round(const Args& a) {
    a.expect("round", 3, {"precision", "method"});
    const Value& v = subject(a);
    if (!v.is_number()) {
        fail("round() needs a number, got " + v.type_name());
    }
    const int64_t precision = int_arg(arg(a, 1, "precision", 0), "round() precision");
    const std::string method = to_str(arg(a, 2, "method", "common"));
    const double scale = std::pow(10.0, static_cast<double>(precision));
    const double x = v.as_float() * scale;
    const double r = method == "common"  ? std::nearbyint(x)
                     : method == "ceil"  ? std::ceil(x)
                     : method == "floor" ? std::floor(x)
                                         : (fail("method must be common, ceil or floor"), 0.0);
    if (method == "common" && !v.is_float()) {
        return precision >= 0 ? Value(v.as_int()) : Value(float_to_int(r / scale).value_or(0));
    }
    return r / scale;
}

Value do_indent(const Args& a) {
    a.expect("indent", 4, {"width", "first", "blank"});
    const Value width = arg(a, 1, "width", 4);
    const std::string pad =
        width.is_string() ? width.as_string()
                          : std::string(std::max<int64_t>(int_arg(width, "indent width"), 0), ' ');
    const bool blank = truthy(arg(a, 3, "blank", false));
    const std::vector<std::string> lines = text::splitlines(to_str(subject(a)) + "\n");
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        const bool indent_line = i > 0 && (blank || !lines[i].empty());
        out += (i > 0 ? "\n" : "") + (indent_line ? pad : "") + lines[i];
    }
    return truthy(arg(a, 2, "first", false)) ? pad + out : out;
}

Value do_safe(const Args& a) {
    return to_str(subject(a));
}

// transformers' tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
Value do_tojson(const Args& a) {
    a.expect("tojson", 5, {"ensure_ascii", "indent", "separators", "sort_keys"});
    JsonOptions o;
    o.ensure_ascii = truthy(arg(a, 1, "ensure_ascii", false));
    const Value indent = arg(a, 2, "indent");
    if (indent.is_string()) {
        o.indent = indent.as_string();
    } else if (!indent.is_none()) {
        o.indent = std::string(std::max<int64_t>(int_arg(indent, "tojson indent"), 0), ' ');
        o.item_separator = ",";
    }
    const Value separators = arg(a, 3, "separators");
    if (!separators.is_none()) {
        if (!separators.is_array() || separators.as_array().items.size() != 2) {
            fail("tojson separators must be a pair of strings");
        }
        o.item_separator = to_str(separators.as_array().items[0]);
        o.key_separator = to_str(separators.as_array().items[1]);
    }
    o.sort_keys = truthy(arg(a, 4, "sort_keys", false));
    return to_json(subject(a), o);
}

// jinja2's attribute getter for join, map and selectattr: "a.b.0" looks up items step by step.
Value lookup_path(const Value& v, const std::string& path) {
    Value current = v;
    for (const std::string& part : text::split(path, std::string("."), -1)) {
        const bool index =
            !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        current =
            get_item(current, index ? Value(static_cast<int64_t>(std::stoll(part))) : Value(part));
    }
    return current;
}

Value do_join(const Args& a) {
    a.expect("join", 3, {"d", "attribute"});
    const std::string separator = to_str(arg(a, 1, "d", ""));
    const Value attribute = arg(a, 2, "attribute");
    std::string out;
    bool first = true;
    for (const Value& item : iterate(subject(a))) {
        out += first ? "" : separator;
        out += to_str(attribute.is_none() ? item : lookup_path(item, to_str(attribute)));
        first = false;
    }
    return out;
}

Value do_map(const Args& a) {
    std::vector<Value> out;
    const Value* attribute = a.find(SIZE_MAX, "attribute");
    for (const Value& item : iterate(subject(a))) {
        if (attribute != nullptr) {
            const Value v = lookup_path(item, to_str(*attribute));
            out.push_back(v.is_undefined() ? arg(a, SIZE_MAX, "default", v) : v);
            continue;
        }
        if (a.positional.size() < 2) {
            fail("map() needs a filter name or attribute=");
        }
        Args call{.positional = {item}, .keywords = a.keywords};
        call.positional.insert(call.positional.end(), a.positional.begin() + 2, a.positional.end());
        out.push_back(call_filter(to_str(a.positional[1]), call));
    }
    return Value::list(std::move(out));
}

// select / reject (attribute empty) and selectattr / rejectattr: items whose test (or truth,
// without a test name) is `keep`.
Value select_items(const Args& a, bool by_attribute, bool keep) {
    const size_t test_at = by_attribute ? 2 : 1;
    std::vector<Value> out;
    for (const Value& item : iterate(subject(a))) {
        const Value v = by_attribute ? lookup_path(item, to_str(arg(a, 1, "attribute", ""))) : item;
        bool passed = truthy(v);
        if (a.positional.size() > test_at) {
            Args call{.positional = {v}, .keywords = a.keywords};
            call.positional.insert(call.positional.end(), a.positional.begin() + test_at + 1,
                                   a.positional.end());
            passed = call_test(to_str(a.positional[test_at]), call);
        }
        if (passed == keep) {
            out.push_back(item);
        }
    }
    return Value::list(std::move(out));
}

Value do_select(const Args& a) {
    return select_items(a, false, true);
}

Value do_reject(const Args& a) {
    return select_items(a, false, false);
}

Value do_selectattr(const Args& a) {
    return select_items(a, true, true);
}

Value do_rejectattr(const Args& a) {
    return select_items(a, true, false);
}

// `arguments`: how many a filter takes besides its subject, checked before the call; -1 when the
// filter checks its own (keywords, optional ones).
struct FilterEntry {
    std::string_view name;
    Builtin fn;
    int arguments;
};

constexpr FilterEntry kFilters[] = {
    {"abs", do_abs, 0},          {"capitalize", do_capitalize, 0},
    {"count", do_length, 0},     {"d", do_default, -1},
    {"default", do_default, -1}, {"first", do_first, 0},
    {"float", do_float, -1},     {"indent", do_indent, -1},
    {"int", do_int, -1},         {"items", do_items, 0},
    {"join", do_join, -1},       {"last", do_last, 0},
    {"length", do_length, 0},    {"list", do_list, 0},
    {"lower", do_lower, 0},      {"map", do_map, -1},
    {"reject", do_reject, -1},   {"rejectattr", do_rejectattr, -1},
    {"replace", do_replace, -1}, {"reverse", do_reverse, 0},
    {"round", do_round, -1},     {"safe", do_safe, 0},
    {"select", do_select, -1},   {"selectattr", do_selectattr, -1},
    {"string", do_string, 0},    {"title", do_title, 0},
    {"tojson", do_tojson, -1},   {"trim", do_trim, -1},
    {"upper", do_upper, 0},
};

// Tests: `x is name(args)`.
using Test = bool (*)(const Args&);

bool test_odd_even(const Args& a, int64_t remainder) {
    const Value& v = subject(a);
    return (int_arg(v, "odd/even test subject") % 2 + 2) % 2 == remainder;
}

bool test_divisibleby(const Args& a) {
    const int64_t n = int_arg(arg(a, 1, "num", 1), "divisibleby argument");
    if (n == 0) {
        fail("integer division or modulo by zero");
    }
    return int_arg(subject(a), "divisibleby subject") % n == 0;
}

bool compare_to(const Args& a, std::string_view op) {
    const Value other = arg(a, 1, "other");
    if (op == "==" || op == "!=") {
        return equal(subject(a), other) == (op == "==");
    }
    const int c = compare(subject(a), other, op);
    return op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
}

// Python's `is`: identity for containers, equality (of the same type) for the rest.
bool test_sameas(const Args& a) {
    const Value& x = subject(a);
    const Value other = arg(a, 1, "other");
    if (x.data().index() != other.data().index()) {
        return false;
    }
    if (x.is_array()) {
        return &x.as_array() == &other.as_array();
    }
    if (x.is_dict()) {
        return &x.as_dict() == &other.as_dict();
    }
    return equal(x, other);
}

bool test_cased(const Args& a, bool want_lower) {
    const Value& v = subject(a);
    const std::string s = to_str(v);
    return (want_lower ? text::lower(s) : text::upper(s)) == s &&
           (want_lower ? text::upper(s) : text::lower(s)) != s;
}

// `arguments`: how many a test takes besides its subject (jinja2 raises on any other count).
struct TestEntry {
    std::string_view name;
    Test fn;
    int arguments = 0;
};

constexpr TestEntry kTests[] = {
    {"defined", [](const Args& a) { return !subject(a).is_undefined(); }},
    {"undefined", [](const Args& a) { return subject(a).is_undefined(); }},
    {"none", [](const Args& a) { return subject(a).is_none(); }},
    {"boolean", [](const Args& a) { return subject(a).is_bool(); }},
    {"true", [](const Args& a) { return subject(a).is_bool() && subject(a).as_bool(); }},
    {"false", [](const Args& a) { return subject(a).is_bool() && !subject(a).as_bool(); }},
    {"integer", [](const Args& a) { return subject(a).is_int(); }},
    {"float", [](const Args& a) { return subject(a).is_float(); }},
    {"number", [](const Args& a) { return subject(a).is_number(); }},
    {"string", [](const Args& a) { return subject(a).is_string(); }},
    {"mapping", [](const Args& a) { return subject(a).is_dict(); }},
    // jinja2's Undefined iterates (as nothing) and has a length, so it passes both.
    {"iterable",
     [](const Args& a) {
         const Value& v = subject(a);
         return v.is_string() || v.is_array() || v.is_dict() || v.is_undefined();
     }},
    {"sequence",
     [](const Args& a) {
         const Value& v = subject(a);
         return v.is_string() || v.is_array() || v.is_dict() || v.is_undefined();
     }},
    {"callable", [](const Args& a) { return subject(a).is_function(); }},
    {"odd", [](const Args& a) { return test_odd_even(a, 1); }},
    {"even", [](const Args& a) { return test_odd_even(a, 0); }},
    {"divisibleby", test_divisibleby, 1},
    {"eq", [](const Args& a) { return compare_to(a, "=="); }, 1},
    {"equalto", [](const Args& a) { return compare_to(a, "=="); }, 1},
    {"==", [](const Args& a) { return compare_to(a, "=="); }, 1},
    {"ne", [](const Args& a) { return compare_to(a, "!="); }, 1},
    {"!=", [](const Args& a) { return compare_to(a, "!="); }, 1},
    {"lt", [](const Args& a) { return compare_to(a, "<"); }, 1},
    {"lessthan", [](const Args& a) { return compare_to(a, "<"); }, 1},
    {"<", [](const Args& a) { return compare_to(a, "<"); }, 1},
    {"le", [](const Args& a) { return compare_to(a, "<="); }, 1},
    {"<=", [](const Args& a) { return compare_to(a, "<="); }, 1},
    {"gt", [](const Args& a) { return compare_to(a, ">"); }, 1},
    {"greaterthan", [](const Args& a) { return compare_to(a, ">"); }, 1},
    {">", [](const Args& a) { return compare_to(a, ">"); }, 1},
    {"ge", [](const Args& a) { return compare_to(a, ">="); }, 1},
    {">=", [](const Args& a) { return compare_to(a, ">="); }, 1},
    {"in", [](const Args& a) { return contains(arg(a, 1, "seq"), subject(a)); }, 1},
    {"sameas", test_sameas, 1},
    {"lower", [](const Args& a) { return test_cased(a, true); }},
    {"upper", [](const Args& a) { return test_cased(a, false); }},
    {"escaped", [](const Args&) { return false; }},
    {"filter", [](const Args& a) { return is_filter(to_str(subject(a))); }},
    {"test", [](const Args& a) { return is_test(to_str(subject(a))); }},
};

}  // namespace

bool is_test(std::string_view name) {
    return std::any_of(std::begin(kTests), std::end(kTests),
                       [&](const TestEntry& t) { return t.name == name; });
}

bool call_test(std::string_view name, const Args& args) {
    for (const TestEntry& t : kTests) {
        if (t.name == name) {
            const size_t given = args.positional.size() - 1 + args.keywords.size();
            if (given != static_cast<size_t>(t.arguments)) {
                fail("test '" + std::string(name) + "' takes " + std::to_string(t.arguments) +
                     " argument(s), got " + std::to_string(given));
            }
            return t.fn(args);
        }
    }
    fail("unknown test '" + std::string(name) + "'");
}

bool is_filter(std::string_view name) {
    return std::any_of(std::begin(kFilters), std::end(kFilters),
                       [&](const FilterEntry& f) { return f.name == name; });
}

Value call_filter(std::string_view name, const Args& args) {
    for (const FilterEntry& f : kFilters) {
        if (f.name == name) {
            if (f.arguments >= 0) {
                args.expect(name, f.arguments + 1, {});
            }
            return f.fn(args);
        }
    }
    fail("unknown filter '" + std::string(name) + "'");
}

}  // namespace r1::tokenizer::jinja
