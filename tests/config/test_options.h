// A small options tree that uses every kind of field the config system supports.
#pragma once

#include "r1/config/visitor.h"
#include "r1/util/error.h"

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace r1::config::test {

enum class Color { red, green, dark_blue };

constexpr auto enum_names(Color) {
    return std::array{std::pair{Color::red, "red"}, std::pair{Color::green, "green"},
                      std::pair{Color::dark_blue, "dark-blue"}};
}

struct Inner {
    double rate = 0.5;
    std::optional<int64_t> limit;
    std::vector<double> betas = {0.9, 0.99};
};

struct Item {
    std::string name;
    double weight = 1.0;
};

struct Options {
    std::string name = "demo";
    int64_t count = 3;
    bool enabled = true;
    Color color = Color::red;
    std::vector<std::string> tags;
    Inner inner;
    std::vector<Item> items = {{.name = "a", .weight = 1.0}};
};

inline void visit(Visitor& v, Inner& o) {
    v.field("rate", o.rate, "a rate").range(0.0, 1.0);
    v.field("limit", o.limit, "an optional limit").min(1);
    v.field("betas", o.betas, "two betas").range(0.0, 1.0);
}

inline void visit(Visitor& v, Item& o) {
    v.field("name", o.name, "item name").required();
    v.field("weight", o.weight, "item weight");
}

inline void visit(Visitor& v, Options& o) {
    v.field("name", o.name, "run name");
    v.field("count", o.count, "how many").range(1, 10);
    v.field("enabled", o.enabled, "on or off");
    v.field("color", o.color, "a colour");
    v.field("tags", o.tags, "labels");
    v.section("inner", o.inner, "nested options");
    v.list("items", o.items, "a list of sections");
}

inline void validate(const Options& o) {
    if (o.inner.limit && *o.inner.limit < o.count) {
        throw util::ConfigError("inner.limit must be at least count");
    }
}

}  // namespace r1::config::test
