// One visit() per options struct is the only list of its YAML keys. Four visitors walk it: the YAML
// reader (load.h), the writer (dump.h), the range checker and the docs/key table (schema.h).
//
//   void visit(config::Visitor& v, ClipOptions& o) {
//       v.field("eps_low", o.eps_low, "lower PPO clip").range(0.0, 1.0);
//       v.section("kl", o.kl, "KL penalty to the reference");   // calls visit(v, o.kl)
//   }
//
// Field types: bool, int, int64_t, double, std::string, enums with enum_names() (found by ADL),
// std::optional<T> of those (YAML null), std::vector<T> of scalars, and lists of sections.
#pragma once

#include "r1/config/node.h"

#include <array>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace r1::config {

/// A value of the wrong type or out of range; the visitor that caught it adds where and which key.
class ValueError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Type-erased access to one option field.
class FieldRef {
  public:
    virtual ~FieldRef() = default;
    virtual std::string type_name() const = 0;  // "float", "list of integers", "one of a|b"
    virtual Node get() const = 0;               // the value as a YAML node
    virtual void set(const Node& node) = 0;     // throws ValueError("expected ...")

    virtual std::vector<double> numbers() const { return {}; }  // for range checks
};

/// Type-erased access to a list of sections (`rewards:`, `stages:`).
class ListRef {
  public:
    virtual ~ListRef() = default;
    virtual size_t size() const = 0;
    virtual void resize(size_t n) = 0;
    virtual void visit_item(size_t i, class Visitor& v) = 0;
    virtual void visit_prototype(class Visitor& v) = 0;  // a default element, for docs
};

// -- codecs: scalar text <-> C++ values ----------------------------------------------------------

namespace detail {

void decode(const Node& n, bool& out);
void decode(const Node& n, int64_t& out);
void decode(const Node& n, int& out);
void decode(const Node& n, double& out);
void decode(const Node& n, std::string& out);
Node encode(bool v);
Node encode(int64_t v);
Node encode(int v);
Node encode(double v);
Node encode(const std::string& v);
std::string type_name(const bool*);
std::string type_name(const int64_t*);
std::string type_name(const int*);
std::string type_name(const double*);
std::string type_name(const std::string*);

inline double number(bool v) {
    return v ? 1.0 : 0.0;
}

inline double number(int64_t v) {
    return static_cast<double>(v);
}

inline double number(int v) {
    return v;
}

inline double number(double v) {
    return v;
}

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires(E e) {
    enum_names(e);
};

template <NamedEnum E>
std::string type_name(const E*) {
    std::string out = "one of ";
    bool first = true;
    for (const auto& [value, name] : enum_names(E{})) {
        out += (first ? "" : "|") + std::string(name);
        first = false;
    }
    return out;
}

template <NamedEnum E>
void decode(const Node& n, E& out) {
    if (n.is_scalar()) {
        for (const auto& [value, name] : enum_names(E{})) {
            if (n.text == name) {
                out = value;
                return;
            }
        }
    }
    throw ValueError("expected " + type_name(static_cast<const E*>(nullptr)) + ", got " +
                     (n.is_scalar() ? "'" + n.text + "'" : std::string("a non-scalar")));
}

template <NamedEnum E>
Node encode(E v) {
    for (const auto& [value, name] : enum_names(E{})) {
        if (value == v) {
            return Node::scalar(std::string(name), true);
        }
    }
    return Node::scalar("?", true);
}

template <class T>
std::string type_name(const std::optional<T>*) {
    return type_name(static_cast<const T*>(nullptr)) + " or null";
}

template <class T>
void decode(const Node& n, std::optional<T>& out) {
    if (n.is_null()) {
        out.reset();
        return;
    }
    T value{};
    decode(n, value);
    out = std::move(value);
}

template <class T>
Node encode(const std::optional<T>& v) {
    return v ? encode(*v) : Node{};
}

template <class T>
std::string type_name(const std::vector<T>*) {
    return "list of " + type_name(static_cast<const T*>(nullptr));
}

template <class T>
void decode(const Node& n, std::vector<T>& out) {
    if (!n.is_sequence()) {
        throw ValueError("expected a " + type_name(static_cast<const std::vector<T>*>(nullptr)) +
                         " like [a, b]");
    }
    std::vector<T> values(n.items.size());
    for (size_t i = 0; i < n.items.size(); ++i) {
        try {
            decode(n.items[i], values[i]);
        } catch (const ValueError& e) {
            throw ValueError("item " + std::to_string(i) + ": " + e.what());
        }
    }
    out = std::move(values);
}

template <class T>
Node encode(const std::vector<T>& v) {
    Node n;
    n.kind = Node::Kind::sequence;
    for (const T& item : v) {
        n.items.push_back(encode(item));
    }
    return n;
}

template <class T>
std::vector<double> numbers(const T& v) {
    if constexpr (requires { number(v); }) {
        return {number(v)};
    } else {
        return {};
    }
}

template <class T>
std::vector<double> numbers(const std::optional<T>& v) {
    return v ? numbers(*v) : std::vector<double>{};
}

template <class T>
std::vector<double> numbers(const std::vector<T>& v) {
    std::vector<double> out;
    for (const T& item : v) {
        for (double x : numbers(item)) {
            out.push_back(x);
        }
    }
    return out;
}

template <class T>
class TypedField final : public FieldRef {
  public:
    explicit TypedField(T& value) : value_(value) {}

    std::string type_name() const override { return detail::type_name(&value_); }

    Node get() const override { return encode(value_); }

    void set(const Node& node) override { decode(node, value_); }

    std::vector<double> numbers() const override { return detail::numbers(value_); }

  private:
    T& value_;
};

template <class T>
class TypedList final : public ListRef {
  public:
    explicit TypedList(std::vector<T>& items) : items_(items) {}

    size_t size() const override { return items_.size(); }

    void resize(size_t n) override { items_.resize(n); }

    void visit_item(size_t i, Visitor& v) override { visit(v, items_.at(i)); }

    void visit_prototype(Visitor& v) override {
        T prototype{};
        visit(v, prototype);
    }

  private:
    std::vector<T>& items_;
};

}  // namespace detail

/// What a field promises beyond its type; the visitors check or document it.
struct Constraint {
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool required = false;
};

class Visitor;

/// Returned by Visitor::field() so that constraints read on one line: .range(0, 1).required().
class FieldSpec {
  public:
    FieldSpec(Visitor& v, std::string_view key, std::vector<double> numbers)
        : visitor_(v), key_(key), numbers_(std::move(numbers)) {}

    FieldSpec& range(double min, double max);

    FieldSpec& min(double min) { return range(min, std::numeric_limits<double>::infinity()); }

    FieldSpec& required();

  private:
    Visitor& visitor_;
    std::string key_;
    std::vector<double> numbers_;
};

class Visitor {
  public:
    virtual ~Visitor() = default;

    template <class T>
    FieldSpec field(std::string_view key, T& value, std::string_view doc) {
        detail::TypedField<T> ref(value);
        on_field(key, ref, doc);
        return FieldSpec(*this, key, ref.numbers());
    }

    template <class T>
    void section(std::string_view key, T& options, std::string_view doc) {
        on_section(key, doc, [&options](Visitor& v) { visit(v, options); });
    }

    template <class T>
    void list(std::string_view key, std::vector<T>& items, std::string_view doc) {
        detail::TypedList<T> ref(items);
        on_list(key, ref, doc);
    }

    // -- what each visitor implements --
    virtual void on_field(std::string_view key, FieldRef& field, std::string_view doc) = 0;
    virtual void on_section(std::string_view key,
                            std::string_view doc,
                            const std::function<void(Visitor&)>& body) = 0;
    virtual void on_list(std::string_view key, ListRef& list, std::string_view doc) = 0;
    /// Called after on_field with the field's numeric values; throws or records.
    virtual void on_constraint(std::string_view key,
                               const std::vector<double>& numbers,
                               const Constraint& c) = 0;
};

/// "1.5 is out of range [0, 1]" or "" when every number is inside.
std::string range_violation(const std::vector<double>& numbers, const Constraint& c);

/// Checks every range of an options struct built in code; ConfigError naming the key.
void check_ranges(const std::function<void(Visitor&)>& visit_fn);

template <class T>
void check(T& options) {
    check_ranges([&options](Visitor& v) { visit(v, options); });
}

}  // namespace r1::config
