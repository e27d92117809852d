// JinjaTemplate: hand-checked cases for each construct and each error (the expected texts are what
// jinja2 3.1 renders under transformers' settings), and parity with transformers'
// apply_chat_template on the conversations of tests/reference/make_chat_template_fixture.py.
#include "r1/tokenizer/jinja.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/expect.h"

namespace r1::tokenizer {

void PrintTo(const TextSpan& s, std::ostream* out) {
    *out << "[" << s.begin << ", " << s.end << ")";
}

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string render(const std::string& source,
                   const ordered_json& context = ordered_json::object()) {
    return JinjaTemplate(source, "t.jinja").render(context);
}

using test::error_of;

std::string render_error(const std::string& source,
                         const ordered_json& context = ordered_json::object()) {
    return error_of<util::FormatError>([&] { render(source, context); });
}

TEST(JinjaTemplateTest, PrintsValuesAsPythonDoes) {
    EXPECT_EQ(render("{{ none }} {{ true }} {{ 7 }} {{ -2.5 }} {{ 'x' }}"), "None True 7 -2.5 x");
    EXPECT_EQ(render("{{ 1.0 }} {{ 1e20 }} {{ 1e-5 }} {{ 0.1 + 0.2 }} {{ 10 / 4 }}"),
              "1.0 1e+20 1e-05 0.30000000000000004 2.5");
    EXPECT_EQ(render("{{ [1, 'a', none, true, {'k': \"it's\"}] }}"),
              "[1, 'a', None, True, {'k': \"it's\"}]");
    EXPECT_EQ(render("{{ (1, 2) }}{{ (1,) }}{{ [] }}{{ {} }}"), "(1, 2)(1,)[]{}");
    EXPECT_EQ(render("{{ ['b\\n', 'é\\x01'] }}"), "['b\\n', 'é\\x01']");
    EXPECT_EQ(render("{{ x }}|{{ y }}", {{"x", 3.0}, {"y", ordered_json::array({1, "z"})}}),
              "3.0|[1, 'z']");
}

TEST(JinjaTemplateTest, UndefinedIsEmptyAndFalsy) {
    EXPECT_EQ(render("[{{ nothing }}]{{ nothing is defined }}{{ nothing | length }}"), "[]False0");
    EXPECT_EQ(render("{{ d.missing }}|{{ d.get('a', 3) }}|{% for x in nothing %}x{% else %}empty"
                     "{% endfor %}",
                     {{"d", ordered_json::object()}}),
              "|3|empty");
    EXPECT_EQ(
        render("{{ nothing | default('d') }} {{ '' | default('d', true) }} {{ 'x' if false }}"),
        "d d ");
}

TEST(JinjaTemplateTest, TrimsBlocksAndStripsTheirIndentation) {
    // trim_blocks removes the newline after a block tag, lstrip_blocks the indentation before it;
    // {{ }} tags keep both, and one trailing newline of the template is dropped.
    EXPECT_EQ(render("a\n  {% if true %}\n    x\n  {% endif %}\nb\n"), "a\n    x\nb");
    EXPECT_EQ(render("  {{ 'v' }}  \n  {# c #}\nz"), "  v  \nz");
    EXPECT_EQ(render("a  {% if true %}x{% endif %}  b"), "a  x  b");
}

TEST(JinjaTemplateTest, WhitespaceControlMarkers) {
    EXPECT_EQ(render("a \n {%- if true -%} \n x \n {%- endif %}"), "ax");
    EXPECT_EQ(render("{{- ' a ' -}}  \n\n {{ 'b' }}"), " a b");
    EXPECT_EQ(render("{% if 1 +%}\nx{%+ endif %}\n  {%+ if 1 %}y{% endif %}"), "\nx  y");
    EXPECT_EQ(render("a \u3000{%- if 1 %}x{% endif %}"), "ax");  // Unicode spaces count
}

TEST(JinjaTemplateTest, CommentsAndRawBlocks) {
    EXPECT_EQ(render("a{# {{ not rendered }} #}b{#- x -#}  c"), "abc");
    EXPECT_EQ(render("{% raw %}{{ x }}{% if %}{% endraw %}"), "{{ x }}{% if %}");
}

TEST(JinjaTemplateTest, IfElifElse) {
    const std::string t = "{% if x > 1 %}big{% elif x == 1 %}one{% else %}small{% endif %}";
    EXPECT_EQ(render(t, {{"x", 5}}), "big");
    EXPECT_EQ(render(t, {{"x", 1}}), "one");
    EXPECT_EQ(render(t, {{"x", 0}}), "small");
}

TEST(JinjaTemplateTest, ForLoopVariables) {
    EXPECT_EQ(render("{% for a in [1,2,3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}"
                     "{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}"
                     "{{ loop.cycle('x','y') }};{% endfor %}"),
              "103TrueFalse3x;212FalseFalse31y;321FalseTrue32x;");
    // The inline filter runs first: loop.length and loop.last count the kept items.
    EXPECT_EQ(render("{% for a in [1,2,3,4] if a is odd %}{{ a }}{{ loop.last }}{{ loop.length }}"
                     "{% endfor %}"),
              "1False23True2");
    EXPECT_EQ(render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
                     {{"d", {{"b", 1}, {"a", 2}}}}),
              "b=1;a=2;");  // insertion order, as Python's dict
    EXPECT_EQ(render("{% for c in 'hé' %}[{{ c }}]{% endfor %}{% for m in [3,2,1][1:] %}{{ m }}"
                     "{% endfor %}"),
              "[h][é]21");
}

TEST(JinjaTemplateTest, LoopBodyScopeResetsAndNamespaceCarriesState) {
    EXPECT_EQ(render("{% set x = 5 %}{% for i in [1,2] %}[{{ x }}]{% set x = i %}[{{ x }}]"
                     "{% endfor %}[{{ x }}]"),
              "[5][1][5][2][5]");
    EXPECT_EQ(render("{% set ns = namespace(a=1, b='x') %}{% for i in [1,2] %}"
                     "{% set ns.a = ns.a + i %}{% endfor %}{{ ns.a }} {{ ns }}"),
              "4 <Namespace {'a': 4, 'b': 'x'}>");
    EXPECT_EQ(render("{% if true %}{% set y = 3 %}{% endif %}{{ y }}"), "3");  // if has no scope
    // A namespace holding itself is freed after rendering (the sanitizer build checks for leaks).
    EXPECT_EQ(render("{% set ns = namespace() %}{% set ns.me = [ns] %}{{ ns.me | length }}"), "1");
    EXPECT_NE(
        render_error("{% set ns = namespace() %}{% set ns._x = 1 %}").find("cannot start with '_'"),
        std::string::npos);
}

TEST(JinjaTemplateTest, SetBlocksMacrosAndLoopControls) {
    EXPECT_EQ(render("{% set a, b = 1, 'two' %}{{ a }}{{ b }}{% set t = 1, 2 %}{{ t }}"),
              "1two(1, 2)");
    EXPECT_EQ(render("{% set x %}in {{ 1 + 1 }}{% endset %}[{{ x }}]"), "[in 2]");
    EXPECT_EQ(
        render("{% macro m(a, b='B') %}[{{ a }}|{{ b }}]{% endmacro %}{{ m(1) }}{{ m(b=3, a=4) }}"),
        "[1|B][4|3]");
    EXPECT_EQ(render("{% for i in range(6) %}{% if i == 4 %}{% break %}{% endif %}"
                     "{% if i == 1 %}{% continue %}{% endif %}{{ i }}{% endfor %}"),
              "023");
}

TEST(JinjaTemplateTest, ExpressionsFollowPython) {
    EXPECT_EQ(render("{{ -7 // 2 }} {{ -7 % 3 }} {{ 7.5 % 2 }} {{ 2 ** 10 }} {{ 2 * 3 + 1 }}"),
              "-4 2 1.5 1024 7");
    EXPECT_EQ(render("{{ 1 == 1.0 }} {{ true == 1 }} {{ 1 < 2 < 2 }} {{ [1, 2] < [1, 3] }}"),
              "True True False True");
    EXPECT_EQ(
        render("{{ 'ab' in 'cabd' }} {{ 2 not in [1] }} {{ 'k' in {'k': 1} }} {{ not none }}"),
        "True True True True");
    EXPECT_EQ(render("{{ 0 or '' or 'x' }} {{ 1 and 'y' }} {{ 'a' ~ 1 ~ none }} {{ 'ab' * 2 }}"),
              "x y a1None abab");
    EXPECT_EQ(render("{{ 'a' if x else 'b' }}", {{"x", ordered_json::array()}}), "b");
    // Only the branch taken runs, and `and`/`or` stop early, so these do not touch messages[0].
    EXPECT_EQ(render("{{ messages[0].content if messages else 'none' }}|{{ messages and "
                     "messages[0].content }}|{{ not messages or messages[0].content }}",
                     {{"messages", ordered_json::array()}}),
              "none|[]|True");
    EXPECT_EQ(render("{{ 'héllo'[1] }} {{ 'abc'[-1] }} {{ [1,2,3][::-1] }} {{ 'abcdef'[1:5:2] }}"),
              "é c [3, 2, 1] bd");
    EXPECT_EQ(render("{{ m.a.b }} {{ m['a']['b'] }} {{ m.a['x'] is defined }}",
                     {{"m", {{"a", {{"b", "deep"}}}}}}),
              "deep deep False");
    EXPECT_EQ(render("{{ -3 | abs }} {{ 'a' ~ 'b' | upper }}"), "3 aB");  // filters bind tightly
}

TEST(JinjaTemplateTest, FiltersBehaveAsJinja) {
    EXPECT_EQ(render("{{ '  a b \\n'|trim }}|{{ 'xxaxx'|trim('x') }}|{{ 'aXé'|upper }}|"
                     "{{ 'AbC'|lower }}"),
              "a b|a|AXé|abc");  // case mapping is ASCII-only
    EXPECT_EQ(render("{{ 'abab'|replace('a', 'c') }} {{ 'abab'|replace('a', 'c', 1) }}"),
              "cbcb cbab");
    EXPECT_EQ(
        render("{{ [1, 2]|join(', ') }} {{ 'hé'|length }} {{ [3, 4]|first }} {{ 'ab'|last }}"),
        "1, 2 2 3 b");
    EXPECT_EQ(
        render("{{ '3.5'|int }} {{ 'x'|int }} {{ 3.7|int }} {{ none|string }} {{ 'ab'|list }}"),
        "3 0 3 None ['a', 'b']");
    EXPECT_EQ(render("{{ d|items|list }}", {{"d", {{"b", 1}}}}), "[('b', 1)]");
    EXPECT_EQ(render("{{ m|selectattr('role', 'equalto', 'user')|map(attribute='c')|join }}"
                     "{{ [1, 2, 3]|select('odd')|list }}",
                     {{"m", ordered_json::array(
                                {{{"role", "user"}, {"c", "u"}}, {{"role", "x"}, {"c", "x"}}})}}),
              "u[1, 3]");
    EXPECT_EQ(render("{{ 'a\\nb'|indent(2) }}|{{ 'hello world-x'|title }}"),
              "a\n  b|Hello World-X");
}

TEST(JinjaTemplateTest, TojsonIsTransformersJsonDumps) {
    const ordered_json x = {{"b", "é<>&"}, {"a", {1, 2.0, nullptr, false}}};
    EXPECT_EQ(render("{{ x|tojson }}", {{"x", x}}), R"({"b": "é<>&", "a": [1, 2.0, null, false]})");
    EXPECT_EQ(render("{{ x|tojson(indent=2, sort_keys=true) }}", {{"x", x}}),
              "{\n  \"a\": [\n    1,\n    2.0,\n    null,\n    false\n  ],\n  \"b\": \"é<>&\"\n}");
    EXPECT_EQ(render("{{ x|tojson(separators=(',', ':'), ensure_ascii=true) }}", {{"x", x}}),
              R"({"b":"\u00e9<>&","a":[1,2.0,null,false]})");
    EXPECT_EQ(render("{{ '\\x1f\\n\"'|tojson }}"), R"("\u001f\n\"")");
}

TEST(JinjaTemplateTest, TestsBehaveAsJinja) {
    EXPECT_EQ(
        render("{{ 'a' is string }} {{ {} is mapping }} {{ [] is sequence }} {{ 1 is number }}"
               " {{ true is number }} {{ nothing is iterable }} {{ none is none }}"),
        "True True True True True True True");
    EXPECT_EQ(render("{{ 1 is not string }} {{ 4 is divisibleby 2 }} {{ 3 is odd }} "
                     "{{ 2 is in [1, 2] }} {{ false is false }} {{ 'x' is defined }}"),
              "True True True True True True");
}

TEST(JinjaTemplateTest, StringAndDictMethods) {
    EXPECT_EQ(render("{{ ' a '.strip() }}|{{ 'xax'.strip('x') }}|{{ 'a\\n'.rstrip() }}|"
                     "{{ '\\na'.lstrip() }}|{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}"),
              "a|a|a|a|ABab");
    EXPECT_EQ(
        render("{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a b c'.split(' ', 1) }}"),
        "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b c']");
    EXPECT_EQ(render("{{ 'x</think>y'.split('</think>')[-1] }} {{ 'abc'.startswith(('x', 'a')) }} "
                     "{{ 'abc'.endswith('c') }} {{ 'abca'.replace('a', 'z') }}"),
              "y True True zbcz");
    EXPECT_EQ(render("{{ d.get('a') }} {{ d.get('z') }} {{ d.keys()|list }} {{ d.values()|list }}",
                     {{"d", {{"a", 1}}}}),
              "1 None ['a'] [1]");
}

TEST(JinjaTemplateTest, GenerationBlocksGiveOutputSpans) {
    const JinjaTemplate t(
        "A{% generation %}bé{% endgeneration %}C{% generation %}{% endgeneration %}", "t.jinja");
    const Rendered r = t.render_with_spans(ordered_json::object());
    EXPECT_EQ(r.text, "AbéC");
    EXPECT_EQ(r.generation, (std::vector<TextSpan>{{1, 4}, {5, 5}}));  // bytes, é is 2
}

TEST(JinjaTemplateTest, RaiseExceptionCarriesMessageAndLine) {
    const JinjaTemplate t(
        "{% if x %}\n{{ raise_exception('roles must alternate ' ~ x) }}{% endif %}", "t.jinja");
    try {
        t.render({{"x", 2}});
        FAIL() << "raise_exception did not throw";
    } catch (const TemplateRaisedError& e) {
        EXPECT_EQ(e.message(), "roles must alternate 2");
        EXPECT_EQ(std::string(e.what()).rfind("t.jinja:2:", 0), 0u) << e.what();
    }
}

TEST(JinjaTemplateTest, SyntaxErrorsNameOriginLineAndConstruct) {
    const auto parse_error = [](const std::string& source) {
        return error_of<util::FormatError>(
            [&] { JinjaTemplate(source, "cfg.json:chat_template"); });
    };
    EXPECT_EQ(parse_error("ok\n{% include 'x' %}")
                  .rfind("cfg.json:chat_template:2:4: unsupported tag "
                         "'include'",
                         0),
              0u);
    EXPECT_NE(parse_error("a\n\n{{ x | nofilter }}").find(":3:8: unknown filter 'nofilter'"),
              std::string::npos);
    EXPECT_NE(parse_error("{% if x %}never closed")
                  .find(":1:23: unexpected end of template: "
                        "missing {% endif %}"),
              std::string::npos);
    EXPECT_NE(parse_error("{{ x is nottest }}").find("unknown test 'nottest'"), std::string::npos);
    // As jinja2, an unknown filter inside an if block fails only when reached.
    const JinjaTemplate guarded("{% if 'nofilter' is filter %}{{ x | nofilter }}{% endif %}ok",
                                "t");
    EXPECT_EQ(guarded.render(ordered_json::object()), "ok");
    EXPECT_NE(
        render_error("{% if true %}\n{{ x | nofilter }}{% endif %}").find(":2:8: unknown filter"),
        std::string::npos);
    EXPECT_NE(parse_error("{{ (1 }}").find("unexpected '}'"), std::string::npos);
    EXPECT_NE(parse_error("{{ 'open }}").find(":1:4: unterminated string"), std::string::npos);
    EXPECT_NE(parse_error("{% break %}").find("'break' outside a for loop"), std::string::npos);
    EXPECT_NE(parse_error("{% for x in y recursive %}{% endfor %}").find("recursive"),
              std::string::npos);
    EXPECT_NE(parse_error("{# open").find("missing end of comment"), std::string::npos);
    EXPECT_NE(parse_error("{{ f(*args) }}").find("*args"), std::string::npos);
}

TEST(JinjaTemplateTest, RenderErrorsNameTheLine) {
    EXPECT_NE(render_error("line one\n{{ nofunction() }}").find("t.jinja:2:"), std::string::npos);
    EXPECT_NE(render_error("{{ nofunction() }}").find("'nofunction' is undefined"),
              std::string::npos);
    EXPECT_NE(render_error("\n\n{{ 'a' + 1 }}").find(":3:"), std::string::npos);
    EXPECT_NE(render_error("{{ 'a' < 1 }}")
                  .find("'<' not supported between instances of 'str' "
                        "and 'int'"),
              std::string::npos);
    EXPECT_NE(render_error("{{ m.x.y }}", {{"m", ordered_json::object()}})
                  .find("'dict object' has no attribute 'x'"),
              std::string::npos);
    EXPECT_NE(render_error("{% for x in 5 %}{% endfor %}").find("'int' object is not iterable"),
              std::string::npos);
    EXPECT_NE(render_error("{% set n = 1 %}{% set n.a = 2 %}").find("not a namespace"),
              std::string::npos);
    EXPECT_NE(render_error("{{ 1 // 0 }}").find("division or modulo by zero"), std::string::npos);
    EXPECT_NE(render_error("{{ x }}", ordered_json::array()).find("JSON object"),
              std::string::npos);
}

TEST(JinjaTemplateTest, DeepNestingIsAnErrorNotACrash) {
    const std::string parens = std::string(100000, '(') + "1" + std::string(100000, ')');
    EXPECT_NE(error_of<util::FormatError>([&] {
                  JinjaTemplate("{{ " + parens + " }}", "t");
              }).find("nested deeper than"),
              std::string::npos);
    std::string ifs;
    for (int i = 0; i < 5000; ++i) {
        ifs = "{% if true %}" + ifs + "{% endif %}";
    }
    EXPECT_NE(error_of<util::FormatError>([&] { JinjaTemplate(ifs, "t"); }).find("nested deeper"),
              std::string::npos);
    const auto chain = [](const std::string& link) {
        std::string s = "{{ x";
        for (int i = 0; i < 100000; ++i) {
            s += link;
        }
        return s + " }}";
    };
    for (const char* link : {" + 1", " or y", " | trim", ".a", "[0]", " if a"}) {
        EXPECT_NE(error_of<util::FormatError>([&] {
                      JinjaTemplate(chain(link), "t");
                  }).find("nested deeper than"),
                  std::string::npos)
            << link;
    }
    EXPECT_NE(render_error("{% set ns = namespace(x=[]) %}{% for i in range(1000) %}"
                           "{% set ns.x = [ns.x] %}{% endfor %}")
                  .find("value nested deeper than"),
              std::string::npos);
    EXPECT_NE(render_error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
                  .find("macro calls nested deeper"),
              std::string::npos);
    ordered_json deep = 1;
    for (int i = 0; i < 1000; ++i) {
        deep = ordered_json::array({deep});
    }
    EXPECT_NE(render_error("{{ x }}", {{"x", deep}}).find("nested deeper"), std::string::npos);
    EXPECT_NE(render_error("{{ range(1000000)|length }}").find("range too big"), std::string::npos);
}

TEST(JinjaTemplateTest, ChatContextIsWhatTransformersPasses) {
    ChatInput input;
    input.messages = ordered_json::array(
        {{{"role", "user"}, {"content", "hi"}, {"name", nullptr}},
         {{"role", "assistant"}, {"content", "ok"}, {"reasoning_content", "why"}}});
    input.add_generation_prompt = true;
    input.variables = {{"bos_token", "<s>"}};
    const ordered_json c = chat_context(input);
    EXPECT_EQ(c["messages"][0].dump(), R"({"role":"user","content":"hi"})");
    EXPECT_EQ(c["messages"][1].dump(),
              R"({"thinking":"why","role":"assistant","content":"ok","reasoning_content":"why"})");
    EXPECT_TRUE(c["tools"].is_null());
    EXPECT_TRUE(c["documents"].is_null());
    EXPECT_EQ(c["add_generation_prompt"], true);
    EXPECT_EQ(c["bos_token"], "<s>");
    input.variables = {{"messages", 1}};
    EXPECT_NE(error_of<util::FormatError>([&] { chat_context(input); }).find("'messages'"),
              std::string::npos);
}

TEST(JinjaTemplateTest, LoadsTheTemplateAndSpecialTokensOfAModelDirectory) {
    const util::TempDir dir("r1-jinja");
    const fs::path config = dir.path() / "tokenizer_config.json";
    EXPECT_FALSE(load_chat_template(dir.path()).has_value());
    EXPECT_TRUE(load_special_tokens(dir.path()).empty());

    util::atomic_write_file(config, R"({"chat_template": [{"name": "tool_use", "template": "T"},
        {"name": "default", "template": "{{ bos_token }}D"}],
        "bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>", "pad_token": null})");
    std::optional<JinjaTemplate> t = load_chat_template(dir.path());
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->origin(), config.string() + ":chat_template[default]");
    const ordered_json tokens = load_special_tokens(dir.path());
    EXPECT_EQ(tokens.dump(), R"({"bos_token":"<s>","eos_token":"</s>"})");
    EXPECT_EQ(t->render(tokens), "<s>D");

    util::atomic_write_file(config, R"({"chat_template": "{% if %}"})");
    EXPECT_NE(error_of<util::FormatError>([&] {
                  load_chat_template(dir.path());
              }).find("tokenizer_config.json:chat_template:1:"),
              std::string::npos);
    util::atomic_write_file(dir.path() / "chat_template.jinja", "from the file\n");
    EXPECT_EQ(load_chat_template(dir.path())->render(ordered_json::object()), "from the file");

    util::atomic_write_file(config, R"({"bos_token": 3})");
    EXPECT_NE(error_of<util::FormatError>([&] {
                  load_special_tokens(dir.path());
              }).find("tokenizer_config.json:bos_token"),
              std::string::npos);
}

// ---- parity with transformers ----

fs::path fixture_dir() {
    const char* build = std::getenv("R1_BUILD_DIR");
    return fs::path(build != nullptr ? build : ".") / "reference" / "chat_template";
}

// "" if equal, else where the bytes first differ and what surrounds it on both sides.
std::string first_difference(const std::string& actual, const std::string& expected) {
    size_t i = 0;
    while (i < actual.size() && i < expected.size() && actual[i] == expected[i]) {
        ++i;
    }
    if (i == actual.size() && i == expected.size()) {
        return "";
    }
    const size_t from = i < 40 ? 0 : i - 40;
    const auto around = [&](const std::string& s) {
        return ordered_json(s.substr(std::min(from, s.size()), 80))
            .dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    };
    return "first difference at byte " + std::to_string(i) + " (r1 " +
           std::to_string(actual.size()) + " bytes, transformers " +
           std::to_string(expected.size()) + ")\n  r1:           ..." + around(actual) +
           "\n  transformers: ..." + around(expected);
}

std::vector<TextSpan> spans_of(const ordered_json& list) {
    std::vector<TextSpan> out;
    for (const ordered_json& s : list) {
        out.push_back({s[0].get<size_t>(), s[1].get<size_t>()});
    }
    return out;
}

TEST(JinjaTemplateTest, MatchesTransformersApplyChatTemplate) {
    const fs::path path = fixture_dir() / "cases.json";
    ASSERT_TRUE(fs::exists(path)) << path << " is missing: run ctest's fixture.chat_template";
    const ordered_json fixture = ordered_json::parse(util::read_file(path));
    std::map<std::string, JinjaTemplate> templates;
    for (const auto& [name, source] : fixture["templates"].items()) {
        templates.emplace(name, JinjaTemplate(source.get<std::string>(), name));
    }
    int rendered = 0;
    for (const ordered_json& c : fixture["cases"]) {
        const JinjaTemplate& t = templates.at(c["template"].get<std::string>());
        const ordered_json context =
            chat_context({.messages = c["messages"],
                          .tools = c["tools"],
                          .add_generation_prompt = c["add_generation_prompt"],
                          .variables = c["variables"]});
        const std::string label = c["template"].get<std::string>() + " on " + c["messages"].dump() +
                                  (c["add_generation_prompt"].get<bool>() ? " +prompt" : "");
        if (!c["error"].is_null()) {
            if (c["raised"].get<bool>()) {
                const std::string what =
                    error_of<TemplateRaisedError>([&] { t.render_with_spans(context); });
                EXPECT_NE(what.find(c["error"].get<std::string>()), std::string::npos) << label;
            } else {
                EXPECT_THROW(t.render_with_spans(context), util::Error) << label;
            }
            continue;
        }
        const Rendered r = t.render_with_spans(context);
        const std::string diff = first_difference(r.text, c["expected"].get<std::string>());
        if (!diff.empty()) {
            ADD_FAILURE() << label << "\n" << diff;
        }
        const std::vector<TextSpan> spans =
            c["generation"].is_null() ? std::vector<TextSpan>{} : spans_of(c["generation"]);
        EXPECT_EQ(r.generation, spans) << label;
        rendered += diff.empty() ? 1 : 0;
    }
    EXPECT_GE(rendered, 200);
    std::cout << "[ parity  ] " << rendered << " conversations rendered byte-identically\n";
}

}  // namespace
}  // namespace r1::tokenizer
