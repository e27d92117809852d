#include "r1/rewards/countdown.h"

#include "r1/util/str.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace r1::rewards {

void visit(config::Visitor& v, CountdownOptions& o) {
    v.field("format_score", o.format_score, "reward of an answer that is not a solution");
    v.field("score", o.score, "reward of a solution");
}

namespace {

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Python's grammar restricted to numbers, + - * / // **, unary signs and parentheses.
class PyArith {
  public:
    explicit PyArith(std::string_view s) : s_(s) {}

    std::optional<double> run() {
        auto v = expr();
        skip();
        return v && i_ == s_.size() ? v : std::nullopt;
    }

  private:
    void skip() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])) != 0) {
            ++i_;
        }
    }

    bool eat(std::string_view op) {
        skip();
        if (s_.substr(i_, op.size()) != op) {
            return false;
        }
        // "*" must not take the first half of "**", nor "/" of "//"
        if (op.size() == 1 && (op[0] == '*' || op[0] == '/') && i_ + 1 < s_.size() &&
            s_[i_ + 1] == op[0]) {
            return false;
        }
        i_ += op.size();
        return true;
    }

    std::optional<double> expr() {
        auto left = term();
        while (left) {
            if (eat("+")) {
                auto r = term();
                left = r ? std::optional(*left + *r) : std::nullopt;
            } else if (eat("-")) {
                auto r = term();
                left = r ? std::optional(*left - *r) : std::nullopt;
            } else {
                break;
            }
        }
        return left;
    }

    std::optional<double> term() {
        auto left = factor();
        while (left) {
            if (eat("*")) {
                auto r = factor();
                left = r ? std::optional(*left * *r) : std::nullopt;
            } else if (eat("//") || eat("/")) {
                const bool floor_div = s_.substr(i_ - 2, 2) == "//";
                auto r = factor();
                if (!r || *r == 0.0) {
                    return std::nullopt;  // ZeroDivisionError
                }
                left = floor_div ? std::floor(*left / *r) : *left / *r;
            } else {
                break;
            }
        }
        return left;
    }

    std::optional<double> factor() {
        if (eat("-")) {
            auto v = factor();
            return v ? std::optional(-*v) : std::nullopt;
        }
        if (eat("+")) {
            return factor();
        }
        return power();
    }

    std::optional<double> power() {
        auto base = atom();
        if (base && eat("**")) {
            auto e = factor();  // right side binds a unary: 2**-1
            if (!e || (*base == 0.0 && *e < 0.0)) {
                return std::nullopt;
            }
            const double v = std::pow(*base, *e);
            return std::isfinite(v) ? std::optional(v) : std::nullopt;  // complex or OverflowError
        }
        return base;
    }

    std::optional<double> atom() {
        skip();
        if (eat("(")) {
            auto v = expr();
            return v && eat(")") ? v : std::nullopt;  // "()" is a tuple: not a number either
        }
        const size_t start = i_;
        while (i_ < s_.size() && (is_digit(s_[i_]) || s_[i_] == '.')) {
            ++i_;
        }
        const std::string_view tok = s_.substr(start, i_ - start);
        if (tok.empty() || tok == "." || std::count(tok.begin(), tok.end(), '.') > 1) {
            return std::nullopt;
        }
        const bool integer = tok.find('.') == std::string_view::npos;
        if (integer && tok.size() > 1 && tok[0] == '0' &&
            tok.find_first_not_of('0') != std::string_view::npos) {
            return std::nullopt;  // "05": Python 3 rejects leading zeros in integers
        }
        skip();
        if (i_ < s_.size() && (s_[i_] == '(' || is_digit(s_[i_]) || s_[i_] == '.')) {
            return std::nullopt;  // "2(3)" is a call of an int, "2 3" a syntax error
        }
        return std::stod(std::string(tok));
    }

    std::string_view s_;
    size_t i_ = 0;
};

bool allowed_chars(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return is_digit(c) || std::string_view("+-*/().").find(c) != std::string_view::npos ||
               std::isspace(static_cast<unsigned char>(c)) != 0;
    });
}

std::vector<int64_t> integers_in(std::string_view s) {  // re.findall(r"\d+")
    std::vector<int64_t> out;
    for (size_t i = 0; i < s.size();) {
        if (!is_digit(s[i])) {
            ++i;
            continue;
        }
        const size_t start = i;
        while (i < s.size() && is_digit(s[i])) {
            ++i;
        }
        out.push_back(std::stoll(std::string(s.substr(start, std::min<size_t>(i - start, 18)))));
    }
    return out;
}

}  // namespace

std::optional<std::string> countdown_equation(std::string_view text) {
    size_t at = text.find("Assistant:");
    size_t skip = 10;
    if (at == std::string_view::npos) {
        at = text.find("<|im_start|>assistant");
        skip = 21;
    }
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view rest = text.substr(at + skip);
    if (const size_t nl = rest.rfind('\n'); nl != std::string_view::npos) {
        rest = rest.substr(nl + 1);  // only the last line counts
    }
    const size_t close = rest.rfind("</answer>");
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    // the last non-overlapping <answer>(.*?)</answer>: the last <answer> before the last </answer>
    // that follows the previous match
    std::optional<std::string> last;
    for (size_t p = rest.find("<answer>"); p != std::string_view::npos;) {
        const size_t e = rest.find("</answer>", p + 8);
        if (e == std::string_view::npos) {
            break;
        }
        last = std::string(rest.substr(p + 8, e - p - 8));
        p = rest.find("<answer>", e + 9);
    }
    if (!last) {
        return std::nullopt;
    }
    const size_t a = last->find_first_not_of(" \t\r\f\v"), b = last->find_last_not_of(" \t\r\f\v");
    return a == std::string::npos ? std::string() : last->substr(a, b - a + 1);
}

std::optional<double> eval_arithmetic(std::string_view expr) {
    if (!allowed_chars(expr)) {
        return std::nullopt;
    }
    return PyArith(expr).run();
}

RewardResult countdown(const RewardInput& in, const CountdownOptions& o) {
    if ((!in.kind.empty() && in.kind != "countdown") || !in.target || in.numbers.empty()) {
        return {std::nullopt, "", "not a countdown row"};
    }
    const auto equation = countdown_equation(in.prompt + in.completion);
    if (!equation) {
        return {0.0, "", "no <answer> on the last line after 'Assistant:'"};
    }
    std::vector<int64_t> used = integers_in(*equation), given = in.numbers;
    std::sort(used.begin(), used.end());
    std::sort(given.begin(), given.end());
    if (used != given) {
        return {o.format_score, *equation, "does not use each number exactly once"};
    }
    const auto value = eval_arithmetic(*equation);
    if (!value) {
        return {o.format_score, *equation, "does not evaluate"};
    }
    if (std::fabs(*value - *in.target) < 1e-5) {
        return {o.score, *equation, "reaches the target"};
    }
    return {o.format_score, *equation, util::str("evaluates to ", *value, ", not ", *in.target)};
}

}  // namespace r1::rewards
