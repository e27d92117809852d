// Python's arithmetic for Jinja values: ints stay ints (overflow is an error where Python would
// grow a big int), `/` always gives a float, `//` and `%` round toward minus infinity, `+` joins
// strings and lists, `*` repeats them.
#include <cmath>

#include "tokenizer/jinja_value.h"

namespace r1::tokenizer::jinja {

namespace {

// Longest string or list a template may build by repetition (bytes or items).
constexpr int64_t kMaxRepeat = int64_t{1} << 28;

[[noreturn]] void overflow() {
    fail("integer overflow (r1 keeps Jinja integers in 64 bits)");
}

int64_t multiply(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) {
        overflow();
    }
    return r;
}

int64_t int_power(int64_t base, int64_t exp) {
    int64_t result = 1;
    while (exp > 0) {
        if (exp & 1) {
            result = multiply(result, base);
        }
        exp >>= 1;
        if (exp > 0) {
            base = multiply(base, base);
        }
    }
    return result;
}

Value int_arithmetic(std::string_view op, int64_t a, int64_t b) {
    int64_t r = 0;
    if (op == "+" || op == "-") {
        if (op == "+" ? __builtin_add_overflow(a, b, &r) : __builtin_sub_overflow(a, b, &r)) {
            overflow();
        }
        return r;
    }
    if (op == "*") {
        return multiply(a, b);
    }
    if (op == "**") {
        return b < 0 ? Value(std::pow(static_cast<double>(a), static_cast<double>(b)))
                     : Value(int_power(a, b));
    }
    if (b == 0) {
        fail("integer division or modulo by zero");
    }
    if (a == INT64_MIN && b == -1) {
        overflow();
    }
    const int64_t rem = a % b;
    const bool adjust = rem != 0 && ((rem < 0) != (b < 0));  // Python floors toward -infinity
    return op == "//" ? a / b - (adjust ? 1 : 0) : rem + (adjust ? b : 0);
}

// CPython's float_divmod: the quotient floored, the remainder with the divisor's sign.
std::pair<double, double> float_divmod(double x, double y) {
    if (y == 0.0) {
        fail("float floor division by zero");
    }
    double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0.0) {
        if ((y < 0) != (mod < 0)) {
            mod += y;
            div -= 1.0;
        }
    } else {
        mod = std::copysign(0.0, y);
    }
    double floordiv = std::copysign(0.0, x / y);
    if (div != 0.0) {
        floordiv = std::floor(div);
        if (div - floordiv > 0.5) {
            floordiv += 1.0;
        }
    }
    return {floordiv, mod};
}

Value float_arithmetic(std::string_view op, double a, double b) {
    if (op == "+") {
        return a + b;
    }
    if (op == "-") {
        return a - b;
    }
    if (op == "*") {
        return a * b;
    }
    if (op == "/") {
        if (b == 0.0) {
            fail("division by zero");
        }
        return a / b;
    }
    if (op == "**") {
        return std::pow(a, b);
    }
    const auto [div, mod] = float_divmod(a, b);
    return op == "//" ? div : mod;
}

Value repeat(const Value& seq, int64_t n) {
    n = std::max<int64_t>(n, 0);
    const int64_t unit = seq.is_string() ? static_cast<int64_t>(seq.as_string().size())
                                         : static_cast<int64_t>(seq.as_array().items.size());
    if (unit > 0 && n > kMaxRepeat / unit) {
        fail("repetition too long (over " + std::to_string(kMaxRepeat) + " bytes or items)");
    }
    if (seq.is_string()) {
        std::string out;
        for (int64_t i = 0; i < n; ++i) {
            out += seq.as_string();
        }
        return out;
    }
    std::vector<Value> items;
    for (int64_t i = 0; i < n; ++i) {
        items.insert(items.end(), seq.as_array().items.begin(), seq.as_array().items.end());
    }
    return Value::list(std::move(items), seq.as_array().tuple);
}

bool is_int_like(const Value& v) {
    return v.is_int() || v.is_bool();
}

}  // namespace

Value arithmetic(std::string_view op, const Value& a, const Value& b) {
    for (const Value* v : {&a, &b}) {
        if (v->is_undefined()) {
            fail_undefined(*v);
        }
    }
    if (a.is_number() && b.is_number()) {
        if (!a.is_float() && !b.is_float() && op != "/") {
            return int_arithmetic(op, a.as_int(), b.as_int());
        }
        return float_arithmetic(op, a.as_float(), b.as_float());
    }
    if (op == "+" && a.is_string() && b.is_string()) {
        return a.as_string() + b.as_string();
    }
    if (op == "+" && a.is_array() && b.is_array() && a.as_array().tuple == b.as_array().tuple) {
        std::vector<Value> items = a.as_array().items;
        items.insert(items.end(), b.as_array().items.begin(), b.as_array().items.end());
        return Value::list(std::move(items), a.as_array().tuple);
    }
    if (op == "*" && (a.is_string() || a.is_array()) && is_int_like(b)) {
        return repeat(a, b.as_int());
    }
    if (op == "*" && is_int_like(a) && (b.is_string() || b.is_array())) {
        return repeat(b, a.as_int());
    }
    fail("unsupported operand type(s) for " + std::string(op) + ": '" + a.type_name() + "' and '" +
         b.type_name() + "'");
}

Value negate(const Value& v) {
    if (v.is_undefined()) {
        fail_undefined(v);
    }
    if (v.is_float()) {
        return -v.as_float();
    }
    if (!v.is_number()) {
        fail("bad operand type for unary -: '" + v.type_name() + "'");
    }
    return int_arithmetic("-", 0, v.as_int());
}

Value plus(const Value& v) {
    if (v.is_undefined()) {
        fail_undefined(v);
    }
    if (!v.is_number()) {
        fail("bad operand type for unary +: '" + v.type_name() + "'");
    }
    return v.is_float() ? Value(v.as_float()) : Value(v.as_int());
}

}  // namespace r1::tokenizer::jinja
