// Runs a parsed template with jinja2's scoping: a for loop's body gets a fresh scope each
// iteration (hence namespace()), if blocks share their parent's, macros see the template's
// variables; {% generation %} records the output span it wrote.
#include <algorithm>
#include <utility>

#include "tokenizer/jinja_ast.h"
#include "tokenizer/jinja_builtins.h"

namespace r1::tokenizer::jinja {

namespace {

struct Scope {
    const Scope* parent = nullptr;
    Dict vars;

    const Value* find(std::string_view name) const {
        for (const Scope* s = this; s != nullptr; s = s->parent) {
            if (const Value* v = s->vars.find(name)) {
                return v;
            }
        }
        return nullptr;
    }
};

enum class Flow { next, break_loop, continue_loop };

class Evaluator {
  public:
    explicit Evaluator(const Source& source) : src_(source) {}

    Rendered run(const Body& body, const nlohmann::ordered_json& context);

  private:
    Flow exec(const Body& body, Scope& scope);
    Flow exec(const Node& node, Scope& scope);
    Flow exec_node(const Node& node, Scope& scope);
    Flow exec_if(const Node& node, Scope& scope);
    Flow exec_for(const Node& node, Scope& scope);
    void exec_set_attr(const Node& node, Scope& scope);
    Flow exec_generation(const Node& node, Scope& scope);
    void bind(const std::vector<std::string>& targets, const Value& value, Scope& scope) const;
    std::string capture(const Body& body, Scope& scope);
    Value call_macro(const Node& macro, const Args& args);

    Value eval(const Expr& e, Scope& scope);
    Value eval_inner(const Expr& e, Scope& scope);
    Value eval_call(const Expr& e, Scope& scope);
    Value eval_compare(const Expr& e, Scope& scope);
    Value eval_dict(const Expr& e, Scope& scope);
    Value eval_items(const Expr& e, Scope& scope);
    Value eval_logic(const Expr& e, Scope& scope);
    Args eval_args(const Expr& e, Scope& scope, Value subject);

    const Source& src_;
    Rendered out_;
    std::string* sink_ = &out_.text;  // out_.text, or the buffer of a macro or {% set %} block
    int captures_ = 0;                // > 0 while writing into such a buffer
    int calls_ = 0;                   // macro calls in progress
    int nesting_ = 0;                 // statements and expressions being evaluated
    const Scope* root_ = nullptr;     // the template's variables, which macros see
};

Rendered Evaluator::run(const Body& body, const nlohmann::ordered_json& context) {
    if (!context.is_object()) {
        throw util::FormatError(std::string("the template context must be a JSON object, got ") +
                                context.type_name());
    }
    std::vector<std::weak_ptr<Namespace>> namespaces;

    struct BreakCycles {
        std::vector<std::weak_ptr<Namespace>>& namespaces;

        ~BreakCycles() {
            for (const std::weak_ptr<Namespace>& weak : namespaces) {
                if (const std::shared_ptr<Namespace> ns = weak.lock()) {
                    ns->attrs.items.clear();
                }
            }
        }
    } break_cycles{namespaces};

    const Scope globals{nullptr, jinja::globals(namespaces)};
    Scope root{&globals, {}};
    for (const auto& [key, value] : context.items()) {
        try {
            root.vars.set(key, from_json(value));
        } catch (const RenderError& e) {
            throw util::FormatError("context key '" + key + "': " + e.what());
        }
    }
    root_ = &root;
    exec(body, root);
    return std::move(out_);
}

Flow Evaluator::exec(const Body& body, Scope& scope) {
    for (const Node& node : body) {
        if (const Flow flow = exec(node, scope); flow != Flow::next) {
            return flow;
        }
    }
    return Flow::next;
}

// Counts statements and expressions under evaluation: the parse bounds each tree, this bounds
// trees entered through macro calls (a macro 200 calls deep, each call 200 expressions deep).
class Deeper {
  public:
    explicit Deeper(int& nesting) : nesting_(nesting) {
        if (++nesting_ > kMaxEvalDepth) {
            fail("evaluation nested deeper than " + std::to_string(kMaxEvalDepth) +
                 " levels (recursive macros?)");
        }
    }

    ~Deeper() { --nesting_; }

    Deeper(const Deeper&) = delete;
    Deeper& operator=(const Deeper&) = delete;

  private:
    static constexpr int kMaxEvalDepth = 4 * kMaxDepth;
    int& nesting_;
};

// Places render errors of this statement (those its expressions did not place) at its line.
Flow Evaluator::exec(const Node& node, Scope& scope) {
    const Deeper deeper(nesting_);
    try {
        return exec_node(node, scope);
    } catch (const RaisedError& e) {
        throw TemplateRaisedError(e.what(), src_.where(node.offset));
    } catch (const RenderError& e) {
        src_.fail(node.offset, e.what());
    }
}

Flow Evaluator::exec_node(const Node& node, Scope& scope) {
    switch (node.kind) {
        case NodeKind::text:
            *sink_ += node.text;
            return Flow::next;
        case NodeKind::output:
            *sink_ += to_str(eval(*node.exprs[0], scope));
            return Flow::next;
        case NodeKind::if_:
            return exec_if(node, scope);
        case NodeKind::for_:
            return exec_for(node, scope);
        case NodeKind::set:
            bind(node.names, eval(*node.exprs[0], scope), scope);
            return Flow::next;
        case NodeKind::set_attr:
            exec_set_attr(node, scope);
            return Flow::next;
        case NodeKind::set_block: {
            Scope inner{&scope, {}};
            scope.vars.set(node.text, capture(node.bodies[0], inner));
            return Flow::next;
        }
        case NodeKind::macro:
            scope.vars.set(node.text, Value::function(node.text, [this, &node](const Args& a) {
                               return call_macro(node, a);
                           }));
            return Flow::next;
        case NodeKind::break_:
            return Flow::break_loop;
        case NodeKind::continue_:
            return Flow::continue_loop;
        case NodeKind::generation:
            return exec_generation(node, scope);
    }
    return Flow::next;
}

Flow Evaluator::exec_if(const Node& node, Scope& scope) {
    for (size_t i = 0; i < node.exprs.size(); ++i) {
        if (truthy(eval(*node.exprs[i], scope))) {
            return exec(node.bodies[i], scope);
        }
    }
    return node.bodies.size() > node.exprs.size() ? exec(node.bodies.back(), scope) : Flow::next;
}

// jinja2's loop variable: index, index0, revindex(0), first, last, length, previtem, nextitem,
// depth(0) and cycle(...).
Value loop_object(const std::vector<Value>& items, size_t i) {
    const auto n = static_cast<int64_t>(items.size());
    const auto k = static_cast<int64_t>(i);
    Dict loop;
    loop.items = {
        {"index", k + 1},      {"index0", k},        {"revindex", n - k}, {"revindex0", n - k - 1},
        {"first", k == 0},     {"last", k == n - 1}, {"length", n},       {"depth", int64_t{1}},
        {"depth0", int64_t{0}}};
    if (k > 0) {
        loop.set("previtem", items[i - 1]);
    }
    if (k + 1 < n) {
        loop.set("nextitem", items[i + 1]);
    }
    loop.set("cycle", Value::function("cycle", [k](const Args& a) {
                 if (a.positional.empty()) {
                     fail("no items for cycling given");
                 }
                 return a.positional[k % static_cast<int64_t>(a.positional.size())];
             }));
    return Value::dict(std::move(loop));
}

Flow Evaluator::exec_for(const Node& node, Scope& scope) {
    std::vector<Value> items = iterate(eval(*node.exprs[0], scope));
    if (node.exprs[1]) {  // `for x in xs if cond`: loop.length and loop.last count kept items
        std::vector<Value> kept;
        for (Value& item : items) {
            Scope probe{&scope, {}};
            bind(node.names, item, probe);
            if (truthy(eval(*node.exprs[1], probe))) {
                kept.push_back(std::move(item));
            }
        }
        items = std::move(kept);
    }
    if (items.empty()) {
        Scope inner{&scope, {}};
        exec(node.bodies[1], inner);
        return Flow::next;
    }
    for (size_t i = 0; i < items.size(); ++i) {
        Scope iteration{&scope, {}};  // what the body sets is gone at the next iteration
        bind(node.names, items[i], iteration);
        iteration.vars.set("loop", loop_object(items, i));
        if (exec(node.bodies[0], iteration) == Flow::break_loop) {
            break;
        }
    }
    return Flow::next;
}

void Evaluator::bind(const std::vector<std::string>& targets,
                     const Value& value,
                     Scope& scope) const {
    if (targets.size() == 1) {
        scope.vars.set(targets[0], value);
        return;
    }
    const std::vector<Value> parts = iterate(value);
    if (parts.size() != targets.size()) {
        fail("cannot unpack " + std::to_string(parts.size()) + " values into " +
             std::to_string(targets.size()) + " names");
    }
    for (size_t i = 0; i < parts.size(); ++i) {
        scope.vars.set(targets[i], parts[i]);
    }
}

void Evaluator::exec_set_attr(const Node& node, Scope& scope) {
    const Value value = eval(*node.exprs[0], scope);
    const Value* target = scope.find(node.text);
    if (target == nullptr || !target->is_namespace()) {
        fail("cannot set attribute '" + node.names[0] + "' of '" + node.text +
             "': it is not a namespace()");
    }
    set_attribute(target->as_namespace(), node.names[0], value);
}

// transformers renders the block through a macro, so it has its own scope; the span is recorded
// only for output that goes straight to the result.
Flow Evaluator::exec_generation(const Node& node, Scope& scope) {
    const size_t begin = sink_->size();
    Scope inner{&scope, {}};
    exec(node.bodies[0], inner);
    if (captures_ == 0) {
        out_.generation.push_back(TextSpan{begin, sink_->size()});
    }
    return Flow::next;
}

std::string Evaluator::capture(const Body& body, Scope& scope) {
    std::string buffer;

    struct Restore {
        Evaluator& self;
        std::string* sink;

        ~Restore() {
            self.sink_ = sink;
            --self.captures_;
        }
    } restore{*this, std::exchange(sink_, &buffer)};

    ++captures_;
    exec(body, scope);
    return buffer;
}

Value Evaluator::call_macro(const Node& macro, const Args& args) {
    struct Depth {
        int& calls;

        ~Depth() { --calls; }
    } depth{++calls_};

    if (calls_ > kMaxDepth) {
        fail("macro calls nested deeper than " + std::to_string(kMaxDepth));
    }
    const std::vector<std::string>& params = macro.names;
    if (args.positional.size() > params.size()) {
        fail("macro '" + macro.text + "' takes not more than " + std::to_string(params.size()) +
             " argument(s)");
    }
    for (const auto& [name, value] : args.keywords) {
        if (std::find(params.begin(), params.end(), name) == params.end()) {
            fail("macro '" + macro.text + "' has no parameter '" + name + "'");
        }
    }
    Scope local{root_, {}};
    for (size_t i = 0; i < params.size(); ++i) {
        const Value* given = args.find(i, params[i]);
        local.vars.set(params[i],
                       given != nullptr ? *given
                       : macro.exprs[i] != nullptr
                           ? eval(*macro.exprs[i], local)
                           : Value(Undefined{"parameter '" + params[i] + "' was not provided"}));
    }
    return capture(macro.bodies[0], local);
}

// Places render errors at the innermost expression that raised them.
Value Evaluator::eval(const Expr& e, Scope& scope) {
    const Deeper deeper(nesting_);
    try {
        return eval_inner(e, scope);
    } catch (const RaisedError& r) {
        throw TemplateRaisedError(r.what(), src_.where(e.offset));
    } catch (const RenderError& r) {
        src_.fail(e.offset, r.what());
    }
}

Value Evaluator::eval_inner(const Expr& e, Scope& scope) {
    const auto kid = [&](size_t i) { return eval(*e.kids[i], scope); };
    const auto optional_kid = [&](size_t i) { return e.kids[i] ? kid(i) : Value(nullptr); };
    switch (e.kind) {
        case ExprKind::literal:
            return e.value;
        case ExprKind::name: {
            const Value* v = scope.find(e.name);
            return v != nullptr ? *v : Value(Undefined{"'" + e.name + "' is undefined"});
        }
        case ExprKind::list:
        case ExprKind::tuple:
        case ExprKind::concat:
            return eval_items(e, scope);
        case ExprKind::dict:
            return eval_dict(e, scope);
        case ExprKind::attr:
            return get_attr(kid(0), e.name);
        case ExprKind::item:
            return get_item(kid(0), kid(1));
        case ExprKind::slice:
            return get_slice(kid(0), optional_kid(1), optional_kid(2), optional_kid(3));
        case ExprKind::call:
            return eval_call(e, scope);
        case ExprKind::filter:
            return call_filter(e.name, eval_args(e, scope, kid(0)));
        case ExprKind::test:
            return call_test(e.name, eval_args(e, scope, kid(0)));
        case ExprKind::sign:
            return e.name == "-" ? negate(kid(0)) : plus(kid(0));
        case ExprKind::binary:
            return arithmetic(e.name, kid(0), kid(1));
        case ExprKind::compare:
            return eval_compare(e, scope);
        case ExprKind::logical_and:
        case ExprKind::logical_or:
        case ExprKind::logical_not:
        case ExprKind::conditional:
            return eval_logic(e, scope);
    }
    return {};
}

// [a, b], (a, b) and a ~ b.
Value Evaluator::eval_items(const Expr& e, Scope& scope) {
    if (e.kind == ExprKind::concat) {
        std::string out;
        for (const ExprPtr& kid : e.kids) {
            out += to_str(eval(*kid, scope));
        }
        return out;
    }
    std::vector<Value> items;
    for (const ExprPtr& kid : e.kids) {
        items.push_back(eval(*kid, scope));
    }
    return Value::list(std::move(items), e.kind == ExprKind::tuple);
}

// and / or give an operand, as in Python; `a if c` without else is Undefined when c is false.
Value Evaluator::eval_logic(const Expr& e, Scope& scope) {
    if (e.kind == ExprKind::conditional) {  // kids: then, condition, else; only one branch runs
        if (truthy(eval(*e.kids[1], scope))) {
            return eval(*e.kids[0], scope);
        }
        return e.kids[2] ? eval(*e.kids[2], scope)
                         : Value(Undefined{"an inline if without else was false"});
    }
    Value first = eval(*e.kids[0], scope);
    if (e.kind == ExprKind::logical_not) {
        return !truthy(first);
    }
    if (e.kind == ExprKind::logical_and) {
        return truthy(first) ? eval(*e.kids[1], scope) : first;
    }
    return truthy(first) ? first : eval(*e.kids[1], scope);
}

Value Evaluator::eval_dict(const Expr& e, Scope& scope) {
    Dict d;
    for (size_t i = 0; i + 1 < e.kids.size(); i += 2) {
        const Value key = eval(*e.kids[i], scope);
        if (!key.is_string()) {
            src_.fail(e.kids[i]->offset,
                      "r1 supports only string dict keys, got " + key.type_name());
        }
        d.set(key.as_string(), eval(*e.kids[i + 1], scope));
    }
    return Value::dict(std::move(d));
}

Value Evaluator::eval_call(const Expr& e, Scope& scope) {
    const Value callee = eval(*e.kids[0], scope);
    Args args = eval_args(e, scope, Value());
    args.positional.erase(args.positional.begin());  // eval_args' subject slot
    if (callee.is_undefined()) {
        fail_undefined(callee);
    }
    if (!callee.is_function()) {
        fail("'" + callee.type_name() + "' object is not callable");
    }
    return callee.as_function().call(args);
}

// Arguments of a call, filter or test: `subject` first, then kids[1..] (the last e.names.size()
// of them keyword arguments).
Args Evaluator::eval_args(const Expr& e, Scope& scope, Value subject) {
    Args args{.positional = {std::move(subject)}, .keywords = {}};
    const size_t first_keyword = e.kids.size() - e.names.size();
    for (size_t i = 1; i < e.kids.size(); ++i) {
        if (i < first_keyword) {
            args.positional.push_back(eval(*e.kids[i], scope));
        } else {
            args.keywords.emplace_back(e.names[i - first_keyword], eval(*e.kids[i], scope));
        }
    }
    return args;
}

bool compare_with(std::string_view op, const Value& a, const Value& b) {
    if (op == "==" || op == "!=") {
        return equal(a, b) == (op == "==");
    }
    if (op == "in" || op == "not in") {
        return contains(b, a) == (op == "in");
    }
    const int c = compare(a, b, op);
    return op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
}

// Python's chains: a < b < c is a < b and b < c.
Value Evaluator::eval_compare(const Expr& e, Scope& scope) {
    Value left = eval(*e.kids[0], scope);
    for (size_t i = 0; i < e.names.size(); ++i) {
        Value right = eval(*e.kids[i + 1], scope);
        if (!compare_with(e.names[i], left, right)) {
            return false;
        }
        left = std::move(right);
    }
    return true;
}

}  // namespace

Rendered evaluate(const Source& source, const Body& body, const nlohmann::ordered_json& context) {
    return Evaluator(source).run(body, context);
}

}  // namespace r1::tokenizer::jinja
