// Private: the values a Jinja template computes with: Python's None, bool, int, float, str, list,
// tuple and dict, jinja2's Undefined and namespace, and callables; their str()/repr(), truth,
// equality, order and arithmetic as Python defines them, and transformers' tojson.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace r1::tokenizer::jinja {

/// A render-time error without a place yet: the evaluator adds the origin and line.
class RenderError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// raise_exception('...') from the template (becomes TemplateRaisedError).
class RaisedError : public RenderError {
  public:
    using RenderError::RenderError;
};

/// Nesting deeper than this is an error: template blocks and expressions, macro calls, values.
inline constexpr int kMaxDepth = 200;

class Value;

/// jinja2's Undefined: empty and falsy when printed or tested, an error when used otherwise;
/// `why` is that error ("'foo' is undefined").
struct Undefined {
    std::string why;
};

struct Array {
    std::vector<Value> items;
    bool tuple = false;  // prints as (a, b); equal only to tuples
    int depth = 1;       // containers nested in this one, itself included (Value::list sets it)
};

/// A dict: string keys in insertion order (as Python's dict keeps them).
struct Dict {
    std::vector<std::pair<std::string, Value>> items;
    int depth = 1;  // as Array::depth (set by Value::dict, Value::name_space, set_attribute)

    const Value* find(std::string_view key) const;
    void set(std::string key, Value value);
};

/// namespace(...): the one value a template can change ({% set ns.x = ... %}).
struct Namespace {
    Dict attrs;
};

/// {% set ns.name = value %}; RenderError if that nests values deeper than kMaxDepth or if the
/// name starts with '_' (transformers' TemplateNamespace refuses those).
void set_attribute(Namespace& ns, std::string name, Value value);
void check_attribute_name(const std::string& name);

/// Positional and keyword arguments of a call; filters and methods get their subject first.
struct Args {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keywords;

    /// The argument at `index` or named `name`; nullptr if not given.
    const Value* find(size_t index, std::string_view name) const;
    /// RenderError naming `callee` if more than `max_positional` positional arguments or a keyword
    /// other than `names` was given.
    void expect(std::string_view callee,
                size_t max_positional,
                std::initializer_list<std::string_view> names) const;
};

struct Function {
    std::string name;
    std::function<Value(const Args&)> call;
};

class Value {
  public:
    using ArrayPtr = std::shared_ptr<const Array>;  // lists are immutable in the sandbox
    using DictPtr = std::shared_ptr<const Dict>;
    using NamespacePtr = std::shared_ptr<Namespace>;
    using FunctionPtr = std::shared_ptr<const Function>;
    using Data = std::variant<Undefined,
                              std::nullptr_t,
                              bool,
                              int64_t,
                              double,
                              std::string,
                              ArrayPtr,
                              DictPtr,
                              NamespacePtr,
                              FunctionPtr>;

    Value() = default;

    Value(std::nullptr_t) : data_(nullptr) {}

    Value(bool b) : data_(b) {}

    Value(int i) : data_(int64_t{i}) {}

    Value(int64_t i) : data_(i) {}

    Value(double d) : data_(d) {}

    Value(std::string s) : data_(std::move(s)) {}

    Value(std::string_view s) : data_(std::string(s)) {}

    Value(const char* s) : data_(std::string(s)) {}

    Value(Undefined u) : data_(std::move(u)) {}

    /// Containers: RenderError if they would nest deeper than kMaxDepth (so that printing,
    /// comparing and destroying them cannot exhaust the stack).
    static Value list(std::vector<Value> items, bool tuple = false);
    static Value dict(Dict d);
    static Value name_space(Dict attrs);
    static Value function(std::string name, std::function<Value(const Args&)> call);

    bool is_undefined() const { return std::holds_alternative<Undefined>(data_); }

    bool is_none() const { return std::holds_alternative<std::nullptr_t>(data_); }

    bool is_bool() const { return std::holds_alternative<bool>(data_); }

    bool is_int() const { return std::holds_alternative<int64_t>(data_); }

    bool is_float() const { return std::holds_alternative<double>(data_); }

    bool is_number() const { return is_bool() || is_int() || is_float(); }  // bool is an int

    bool is_string() const { return std::holds_alternative<std::string>(data_); }

    bool is_array() const { return std::holds_alternative<ArrayPtr>(data_); }

    bool is_dict() const { return std::holds_alternative<DictPtr>(data_); }

    bool is_namespace() const { return std::holds_alternative<NamespacePtr>(data_); }

    bool is_function() const { return std::holds_alternative<FunctionPtr>(data_); }

    bool as_bool() const { return std::get<bool>(data_); }

    /// An int or a bool as int64_t.
    int64_t as_int() const;
    /// Any number as double.
    double as_float() const;

    const std::string& as_string() const { return std::get<std::string>(data_); }

    const Array& as_array() const { return *std::get<ArrayPtr>(data_); }

    const Dict& as_dict() const { return *std::get<DictPtr>(data_); }

    Namespace& as_namespace() const { return *std::get<NamespacePtr>(data_); }

    const Function& as_function() const { return *std::get<FunctionPtr>(data_); }

    const Undefined& as_undefined() const { return std::get<Undefined>(data_); }

    const Data& data() const { return data_; }

    /// Python's type name ("int", "str", "dict"...), for error messages.
    std::string type_name() const;

  private:
    Data data_;
};

/// Throws RenderError(message).
[[noreturn]] void fail(const std::string& message);
/// Throws the RenderError an undefined value stands for ("'foo' is undefined").
[[noreturn]] void fail_undefined(const Value& v);

bool truthy(const Value& v);
/// Python's str(): strings as they are, Undefined as "", the rest as repr().
std::string to_str(const Value& v);
std::string repr(const Value& v);
std::string format_float(double x);  // Python's repr(float)

bool equal(const Value& a, const Value& b);
/// Python's a < b as -1 / 0 / 1 for numbers, strings, lists and tuples; RenderError otherwise.
int compare(const Value& a, const Value& b, std::string_view op);
/// Python's `a in b`.
bool contains(const Value& container, const Value& item);
/// The items a for loop visits: list items, dict keys, a string's characters; Undefined: none.
std::vector<Value> iterate(const Value& v);

/// Python's + - * / // % ** on numbers (and + * on str, list, tuple); `op` is the operator.
Value arithmetic(std::string_view op, const Value& a, const Value& b);
Value negate(const Value& v);
Value plus(const Value& v);  // unary +: numbers only

Value from_json(const nlohmann::ordered_json& j);

/// json.dumps' arguments, as transformers' tojson filter takes them.
struct JsonOptions {
    bool ensure_ascii = false;
    std::optional<std::string> indent;  // absent: one line
    std::string item_separator = ", ";  // json.dumps: "," when indented
    std::string key_separator = ": ";
    bool sort_keys = false;
};

std::string to_json(const Value& v, const JsonOptions& options);

}  // namespace r1::tokenizer::jinja
