// Private: what a template can call: jinja2's filters and tests (jinja_filters.cpp), Python's str
// and dict methods, attribute and item lookup as jinja2's sandbox resolves them, and the globals
// transformers adds (raise_exception, strftime_now, namespace, dict) with jinja2's range
// (jinja_methods.cpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/jinja_value.h"

namespace r1::tokenizer::jinja {

bool is_filter(std::string_view name);
bool is_test(std::string_view name);
/// args.positional[0] is the value filtered or tested.
Value call_filter(std::string_view name, const Args& args);
bool call_test(std::string_view name, const Args& args);

/// obj.name: str and dict methods first, then dict items and namespace attributes; a missing
/// one is Undefined; RenderError if obj is Undefined.
Value get_attr(const Value& obj, const std::string& name);
/// obj[key]: dict items, list and str positions first, then (string keys) attributes.
Value get_item(const Value& obj, const Value& key);
/// obj[start:stop:step] on lists, tuples and strings; None bounds are left out.
Value get_slice(const Value& obj, const Value& start, const Value& stop, const Value& step);

/// The global functions every template sees. namespace() adds what it creates to `created`: the
/// evaluator empties those namespaces after rendering, since one stored inside itself (or inside
/// a list it holds) would never be freed otherwise.
Dict globals(std::vector<std::weak_ptr<Namespace>>& created);

}  // namespace r1::tokenizer::jinja
