#!/usr/bin/env python3
"""Chat-template parity fixture: conversations rendered by transformers' own apply_chat_template.

Four templates written for this test (not copied from any model repository) in the shapes of
Qwen2.5's (ChatML, a default system prompt, optional tools), Llama 3's (bos_token, header ids,
`| trim`, a date variable, tools as indented JSON, raise_exception on unknown roles), DeepSeek-R1's
(namespace(), earlier assistant turns cut after `</think>`, reasoning_content kept after the last
user turn, `<think>\\n` opening the generation prompt) and a ChatML one whose assistant turns sit in
{% generation %} blocks. Each renders every conversation (multi-turn, with and without system
prompts, tools, tool calls, reasoning, unicode, empty content, template-like text...) with
add_generation_prompt false and true, through a tokenizer built offline (no downloads).

Writes OUT_DIR/cases.json:
  {"versions": {"transformers", "jinja2"}, "templates": {name: source},
   "cases": [{"template": name, "messages": [...] (as given to apply_chat_template), "tools": ...,
              "add_generation_prompt": bool, "variables": {bos_token, eos_token, ... extra kwargs},
              "expected": text or null, "error": message or null (transformers raised),
              "raised": true if the template's raise_exception raised,
              "generation": [[begin, end], ...] UTF-8 byte spans of {% generation %} output, or null}]}

usage: make_chat_template_fixture.py OUT_DIR
"""
import json
import sys
from pathlib import Path

import jinja2
import tokenizers
import transformers
import transformers.tokenization_utils_base as tokenization_utils_base
from transformers import PreTrainedTokenizerFast

QWEN_SHAPED = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are a careful assistant.' }}
    {%- endif %}
    {{- "\n\n## Functions\n\nYou can call these functions; their signatures:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nAnswer a call as <tool_call>{\"name\": ..., \"arguments\": ...}</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are a careful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
"""

LLAMA_SHAPED = r"""{{- bos_token }}
{%- set date_string = date_string | default("26 Jul 2024") %}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] | trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{{- "Knowledge cutoff: December 2023\n" }}
{{- "Today: " + date_string + "\n\n" }}
{%- if tools is not none %}
    {{- "Functions you may call, as JSON:\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}
{%- for message in messages %}
    {%- if message.role not in ['user', 'assistant', 'tool', 'ipython'] %}
        {{- raise_exception("Unknown role '" ~ message.role ~ "' at message " ~ loop.index0) }}
    {%- endif %}
    {%- if message.role == 'ipython' or message.role == 'tool' %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
        {%- if message.content is mapping or message.content is iterable and message.content is not string %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- elif 'tool_calls' in message %}
        {%- set call = message.tool_calls[0].function %}
        {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
        {{- '{"name": "' + call.name + '", ' }}
        {{- '"parameters": ' + call.arguments | tojson + '}' }}
        {{- "<|eot_id|>" }}
    {%- else %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""

DEEPSEEK_SHAPED = r"""{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}
{%- set ns = namespace(is_first=false, is_tool=false, system_prompt='', is_first_sp=true, last_query=-1) %}
{%- for message in messages %}
    {%- if message['role'] == 'system' %}
        {%- if ns.is_first_sp %}
            {%- set ns.system_prompt = ns.system_prompt + message['content'] %}
            {%- set ns.is_first_sp = false %}
        {%- else %}
            {%- set ns.system_prompt = ns.system_prompt + '\n\n' + message['content'] %}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- for message in messages[::-1] %}
    {%- if ns.last_query < 0 and message.role == 'user' %}
        {%- set ns.last_query = messages|length - 1 - loop.index0 %}
    {%- endif %}
{%- endfor %}
{{ bos_token }}{{ ns.system_prompt }}
{%- for message in messages %}
    {%- if message['role'] == 'user' %}
        {%- set ns.is_tool = false -%}
        {{ '<｜User｜>' + message['content'] }}
    {%- elif message['role'] == 'assistant' and 'tool_calls' in message %}
        {%- set ns.is_tool = false -%}
        {%- for tool in message['tool_calls'] %}
            {%- if not ns.is_first %}
                {{- '<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\n```json\n' + tool['function']['arguments'] | tojson + '\n```<｜tool▁call▁end｜>' }}
                {%- set ns.is_first = true -%}
            {%- else %}
                {{- '\n<｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\n```json\n' + tool['function']['arguments'] | tojson + '\n```<｜tool▁call▁end｜>' }}
            {%- endif %}
        {%- endfor %}
        {{- '<｜tool▁calls▁end｜><｜end▁of▁sentence｜>' }}
    {%- elif message['role'] == 'assistant' %}
        {%- set content = message['content'] | default('', true) %}
        {%- if message.reasoning_content is string and loop.index0 > ns.last_query %}
            {%- set content = '<think>\n' + message.reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') %}
        {%- elif '</think>' in content %}
            {%- set content = content.split('</think>')[-1].lstrip() %}
        {%- endif %}
        {%- if ns.is_tool %}
            {{- '<｜tool▁outputs▁end｜>' + content + '<｜end▁of▁sentence｜>' }}
            {%- set ns.is_tool = false -%}
        {%- else %}
            {{- '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}
        {%- endif %}
    {%- elif message['role'] == 'tool' %}
        {%- set ns.is_tool = true -%}
        {%- if loop.previtem is defined and loop.previtem.role == 'tool' %}
            {{- '\n<｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>' }}
        {%- else %}
            {{- '<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>' }}
        {%- endif %}
    {%- endif %}
{%- endfor -%}
{% if ns.is_tool %}{{ '<｜tool▁outputs▁end｜>' }}{% endif %}
{% if add_generation_prompt and not ns.is_tool %}{{ '<｜Assistant｜><think>\n' }}{% endif %}"""

# Written without `-` on purpose: trim_blocks and lstrip_blocks do the whitespace work.
GENERATION_SHAPED = r"""{% for message in messages %}
  {% if loop.first and message.role != 'system' %}
<|im_start|>system
{{ default_system | default('You are a helpful assistant.') }}<|im_end|>
  {% endif %}
  {% if message.role == 'assistant' %}
<|im_start|>assistant
{% generation %}
{{ message.content | trim }}<|im_end|>
{% endgeneration %}
  {% else %}
<|im_start|>{{ message.role }}
{{ message.content }}<|im_end|>
  {% endif %}
{% endfor %}
{# the prompt for the next turn #}
{% if add_generation_prompt %}
<|im_start|>assistant
{% endif %}"""

TEMPLATES = {"qwen_shaped": QWEN_SHAPED, "llama_shaped": LLAMA_SHAPED,
             "deepseek_shaped": DEEPSEEK_SHAPED, "generation_shaped": GENERATION_SHAPED}

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city, in °C.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. Zürich"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}}
ADD_TOOL = {"type": "function", "function": {
    "name": "add", "description": "Adds two integers.",
    "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                   "required": ["a", "b"]}}}


def call(name, arguments):
    return {"type": "function", "function": {"name": name, "arguments": arguments}}


def user(text):
    return {"role": "user", "content": text}


def assistant(text):
    return {"role": "assistant", "content": text}


def system(text):
    return {"role": "system", "content": text}


def conversations():
    """(messages, tools, extra template variables) triples."""
    long_text = " ".join(f"word{i} ünïcödé 数{i}" for i in range(400))
    tool_turn = [user("What is the weather in Zürich and 2+3?"),
                 {"role": "assistant", "content": None,
                  "tool_calls": [call("get_weather", {"city": "Zürich"}), call("add", {"a": 2, "b": 3})]},
                 {"role": "tool", "content": '{"temp": 21.5, "sky": "clear"}'},
                 {"role": "tool", "content": "5"},
                 assistant("It is 21.5 °C and clear; 2+3 = 5.")]
    out = [
        ([user("Hello!")], None, {}),
        ([system("You are terse."), user("Hi")], None, {}),
        ([system("Be kind."), user("2+2?"), assistant("4"), user("and 3+3?")], None, {}),
        ([user("a"), assistant("b"), user("c"), assistant("d"), user("e"), assistant("f")], None, {}),
        ([user("")], None, {}),
        ([system(""), user("empty system")], None, {}),
        ([user("hi"), assistant("")], None, {}),
        ([user("你好，世界！"), assistant("你好！有什么可以帮你的吗？😀")], None, {}),
        ([user("مرحبا بالعالم"), assistant("שלום")], None, {}),
        ([user("Ünïcödé àçcéñts, ß, Ω≈ç√∫, emoji 👩‍👩‍👧 🇫🇷")], None, {}),
        ([user("zero\u200bwidth and\u00a0nbsp and\u3000ideographic space")], None, {}),
        ([user("  padded with spaces  \n\n"), assistant("\n\n  answer  \n")], None, {}),
        ([user("tabs\tand\r\nwindows newlines\r\n")], None, {}),
        ([user("{{ not a tag }} {% if x %} {# nor a comment #}"), assistant("{{ 1 + 1 }}")], None, {}),
        ([user("quote ' and \" and backslash \\ and <html> & stuff")], None, {}),
        ([user("Solve x+1=3."), assistant("<think>\nx = 3 - 1\n</think>\n\nx = 2"), user("Sure?")], None, {}),
        ([user("Solve x+1=3."), assistant("<think>x = 2</think>x = 2")], None, {}),
        ([user("Think first."), {"role": "assistant", "content": "Done.",
                                 "reasoning_content": "\nI should answer.\n"}], None, {}),
        ([user("q1"), {"role": "assistant", "content": "a1", "reasoning_content": "r1"}, user("q2")], None, {}),
        ([system("sys one"), system("sys two"), user("two system prompts")], None, {}),
        ([user("first"), user("second in a row")], None, {}),
        ([{"role": "user", "content": "extra keys", "name": "alice", "weight": 1.0}], None, {}),
        ([user("long"), assistant(long_text)], None, {}),
        ([user("Weather?")], [WEATHER_TOOL], {}),
        ([system("Use tools when useful."), user("Add 2 and 3")], [WEATHER_TOOL, ADD_TOOL], {}),
        (tool_turn, [WEATHER_TOOL, ADD_TOOL], {}),
        ([user("Add"), {"role": "assistant", "content": "",
                        "tool_calls": [call("add", {"a": 1, "b": 2})]},
          {"role": "tool", "content": "3"}], [ADD_TOOL], {}),
        ([user("What day is it?")], None, {"date_string": "01 Feb 2025"}),
        ([user("custom system")], None, {"default_system": "Du bist hilfreich."}),
        ([{"role": "ipython", "content": {"result": [1, 2]}}, user("ok")], None, {}),
        ([user("hi"), {"role": "narrator", "content": "unknown role"}], None, {}),
        ([system("  spaced system  ")], None, {}),
        ([user("a" * 3), assistant("b\n" * 3), user("c" * 5)], None, {}),
        ([user("Numbers: 3.14, 1e10, -0, 007")], None, {}),
    ]
    return out


def make_tokenizer(template):
    model = tokenizers.models.WordLevel({"<unk>": 0}, unk_token="<unk>")
    tok = PreTrainedTokenizerFast(tokenizer_object=tokenizers.Tokenizer(model),
                                  bos_token="<｜begin▁of▁sentence｜>", eos_token="<|im_end|>",
                                  unk_token="<unk>")
    tok.chat_template = template
    return tok


class SpanSpy:
    """Wraps transformers' render_jinja_template to keep the generation indices it computes (the
    ones return_assistant_tokens_mask turns into masks), so apply_chat_template stays the code path."""

    def __init__(self):
        self.real = tokenization_utils_base.render_jinja_template
        self.last = None
        tokenization_utils_base.render_jinja_template = self

    def __call__(self, *args, **kwargs):
        rendered, indices = self.real(*args, **kwargs)
        self.last = (rendered[0], indices[0] if indices else None)
        return rendered, indices


def byte_spans(text, spans):
    return [[len(text[:b].encode("utf-8")), len(text[:e].encode("utf-8"))] for b, e in spans]


def render_case(spy, name, template, messages, tools, extra, add_generation_prompt):
    tok = make_tokenizer(template)
    case = {"template": name, "messages": messages, "tools": tools,
            "add_generation_prompt": add_generation_prompt,
            "variables": {**tok.special_tokens_map, **extra},
            "expected": None, "error": None, "raised": False, "generation": None}
    try:
        case["expected"] = tok.apply_chat_template(messages, tools=tools, tokenize=False,
                                                   add_generation_prompt=add_generation_prompt, **extra)
    except jinja2.exceptions.TemplateError as e:
        case["error"] = str(e)
        case["raised"] = type(e) is jinja2.exceptions.TemplateError  # raise_exception's own type
        return case
    except (TypeError, ValueError) as e:
        case["error"] = str(e)
        return case
    if "{% generation %}" in template:
        tok.apply_chat_template(messages, tools=tools, tokenize=True, return_dict=True,
                                return_assistant_tokens_mask=True,
                                add_generation_prompt=add_generation_prompt, **extra)
        text, spans = spy.last
        assert text == case["expected"], "the masked render differs from the plain one"
        case["generation"] = byte_spans(text, spans)
    return case


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    spy = SpanSpy()
    cases = []
    for name, template in TEMPLATES.items():
        for messages, tools, extra in conversations():
            for add_generation_prompt in (False, True):
                cases.append(render_case(spy, name, template, messages, tools, extra, add_generation_prompt))
    rendered = sum(c["expected"] is not None for c in cases)
    assert rendered >= 200, f"only {rendered} cases rendered"
    versions = {"transformers": transformers.__version__, "jinja2": jinja2.__version__}
    (out_dir / "cases.json").write_text(
        json.dumps({"versions": versions, "templates": TEMPLATES, "cases": cases}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    print(f"{len(cases)} cases ({rendered} rendered, {len(cases) - rendered} errors) -> {out_dir}")


if __name__ == "__main__":
    main()
