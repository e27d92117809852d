#include "r1/config/visitor.h"

#include "r1/util/str.h"

#include <cmath>
#include <sstream>

#include "bounds.h"

namespace r1::config {

using detail::describe_bounds;
using detail::format_bound;

namespace detail {
namespace {

std::string got(const Node& n) {
    switch (n.kind) {
        case Node::Kind::null:
            return "null";
        case Node::Kind::scalar:
            return "'" + n.text + "'";
        case Node::Kind::sequence:
            return "a list";
        case Node::Kind::map:
            return "a map";
    }
    return "?";
}

template <class Int>
Int parse_integer(const Node& n) {
    if (n.is_scalar() && !n.quoted) {
        std::string_view text = n.text;
        if (!text.empty() && text.front() == '+') {
            text.remove_prefix(1);
        }
        Int value{};
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
            return value;
        }
        if (ec == std::errc::result_out_of_range) {
            throw ValueError("expected an integer, got '" + n.text + "' (out of range)");
        }
    }
    throw ValueError("expected an integer, got " + got(n));
}

}  // namespace

void decode(const Node& n, bool& out) {
    if (n.is_scalar() && !n.quoted) {
        if (n.text == "true" || n.text == "True" || n.text == "TRUE") {
            out = true;
            return;
        }
        if (n.text == "false" || n.text == "False" || n.text == "FALSE") {
            out = false;
            return;
        }
    }
    throw ValueError("expected true or false, got " + got(n));
}

void decode(const Node& n, int64_t& out) {
    out = parse_integer<int64_t>(n);
}

void decode(const Node& n, int& out) {
    out = parse_integer<int>(n);
}

void decode(const Node& n, double& out) {
    if (n.is_scalar() && !n.quoted) {
        std::string_view text = n.text;
        if (!text.empty() && text.front() == '+') {
            text.remove_prefix(1);
        }
        if (text == ".inf" || text == ".Inf") {
            out = std::numeric_limits<double>::infinity();
            return;
        }
        if (text == "-.inf" || text == "-.Inf") {
            out = -std::numeric_limits<double>::infinity();
            return;
        }
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size() && !text.empty() &&
            !std::isnan(value)) {
            out = value;
            return;
        }
    }
    throw ValueError("expected a number, got " + got(n));
}

void decode(const Node& n, std::string& out) {
    if (!n.is_scalar()) {
        throw ValueError("expected a string, got " + got(n));
    }
    out = n.text;
}

Node encode(bool v) {
    return Node::scalar(v ? "true" : "false");
}

Node encode(int64_t v) {
    return Node::scalar(std::to_string(v));
}

Node encode(int v) {
    return Node::scalar(std::to_string(v));
}

Node encode(double v) {
    if (std::isinf(v)) {
        return Node::scalar(v > 0 ? ".inf" : "-.inf");
    }
    std::array<char, 64> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    std::string text(buf.data(), end);
    if (text.find_first_of(".en") == std::string::npos) {
        text += ".0";  // reads back as a float, and says so
    }
    return Node::scalar(text);
}

Node encode(const std::string& v) {
    return Node::scalar(v, true);
}

std::string type_name(const bool*) {
    return "bool";
}

std::string type_name(const int64_t*) {
    return "integer";
}

std::string type_name(const int*) {
    return "integer";
}

std::string type_name(const double*) {
    return "number";
}

std::string type_name(const std::string*) {
    return "string";
}

}  // namespace detail

FieldSpec& FieldSpec::range(double min, double max) {
    visitor_.on_constraint(key_, numbers_, Constraint{.min = min, .max = max});
    return *this;
}

FieldSpec& FieldSpec::required() {
    visitor_.on_constraint(key_, numbers_, Constraint{.required = true});
    return *this;
}

namespace {

class RangeChecker final : public Visitor {
  public:
    void on_field(std::string_view, FieldRef&, std::string_view) override {}

    void on_section(std::string_view key,
                    std::string_view,
                    const std::function<void(Visitor&)>& body) override {
        path_.emplace_back(key);
        body(*this);
        path_.pop_back();
    }

    void on_list(std::string_view key, ListRef& list, std::string_view) override {
        for (size_t i = 0; i < list.size(); ++i) {
            path_.push_back(std::string(key) + "[" + std::to_string(i) + "]");
            list.visit_item(i, *this);
            path_.pop_back();
        }
    }

    void on_constraint(std::string_view key,
                       const std::vector<double>& numbers,
                       const Constraint& c) override {
        const std::string problem = range_violation(numbers, c);
        if (!problem.empty()) {
            path_.emplace_back(key);
            const std::string path = util::join(path_, ".");
            path_.pop_back();
            throw util::ConfigError("key '" + path + "': " + problem);
        }
    }

  private:
    std::vector<std::string> path_;
};

}  // namespace

namespace detail {

std::string format_bound(double x) {
    std::ostringstream out;
    out << x;
    return out.str();
}

std::string describe_bounds(const Constraint& c) {
    if (std::isinf(c.min) && std::isinf(c.max)) {
        return {};
    }
    if (std::isinf(c.max)) {
        return ">= " + format_bound(c.min);
    }
    if (std::isinf(c.min)) {
        return "<= " + format_bound(c.max);
    }
    return "[" + format_bound(c.min) + ", " + format_bound(c.max) + "]";
}

}  // namespace detail

std::string range_violation(const std::vector<double>& numbers, const Constraint& c) {
    for (double x : numbers) {
        if (!(x >= c.min && x <= c.max)) {
            const bool interval = !std::isinf(c.min) && !std::isinf(c.max);
            return format_bound(x) + " is out of range; expected a value " +
                   (interval ? "in " : "") + describe_bounds(c);
        }
    }
    return {};
}

void check_ranges(const std::function<void(Visitor&)>& visit_fn) {
    RangeChecker checker;
    visit_fn(checker);
}

}  // namespace r1::config
