// One entry of a stage's `rewards:` list: the reward's registry name, its weight in the sum, and
// the options that reward declares itself (each registered reward brings an options struct and
// visit()).
//   rewards:
//     - {name: accuracy, weight: 1.0, mode: answer_tag}
//     - {name: soft_overlong, weight: 1.0, max_length: 1024, cache: 256}
#pragma once

#include "r1/config/visitor.h"
#include "r1/util/error.h"

#include <memory>
#include <string>
#include <typeinfo>
#include <utility>

namespace r1::rewards {

namespace detail {
template <class T>
void visit_options(config::Visitor& v, T& options) {
    visit(v, options);  // found by argument-dependent lookup in T's namespace
}
}  // namespace detail

/// A copyable box around one reward's options struct (any T with `visit(config::Visitor&, T&)`).
class AnyOptions {
  public:
    AnyOptions() = default;

    template <class T>
    AnyOptions(std::string owner, T value)
        : owner_(std::move(owner)), holder_(std::make_unique<Holder<T>>(std::move(value))) {}

    AnyOptions(const AnyOptions& o)
        : owner_(o.owner_), holder_(o.holder_ ? o.holder_->clone() : nullptr) {}

    AnyOptions(AnyOptions&&) noexcept = default;

    AnyOptions& operator=(AnyOptions o) noexcept {
        owner_ = std::move(o.owner_);
        holder_ = std::move(o.holder_);
        return *this;
    }

    bool empty() const { return holder_ == nullptr; }

    /// The reward these options belong to.
    const std::string& owner() const { return owner_; }

    void visit(config::Visitor& v) {
        if (holder_) {
            holder_->visit(v);
        }
    }

    /// The options as their type; UnsupportedError naming both types if they are another.
    template <class T>
    const T& get() const {
        auto* typed = dynamic_cast<const Holder<T>*>(holder_.get());
        if (typed == nullptr) {
            throw util::UnsupportedError("reward '" + owner_ + "': its options are not of type " +
                                         typeid(T).name());
        }
        return typed->value;
    }

  private:
    struct Base {
        virtual ~Base() = default;
        virtual std::unique_ptr<Base> clone() const = 0;
        virtual void visit(config::Visitor& v) = 0;
    };

    template <class T>
    struct Holder final : Base {
        explicit Holder(T v) : value(std::move(v)) {}

        std::unique_ptr<Base> clone() const override { return std::make_unique<Holder>(value); }

        void visit(config::Visitor& v) override { detail::visit_options(v, value); }

        T value;
    };

    std::string owner_;
    std::unique_ptr<Base> holder_;
};

struct RewardSpec {
    std::string name;     // registry name: accuracy, format, countdown, ...
    double weight = 1.0;  // weight in the summed reward
    AnyOptions options;   // the reward's own keys; empty: its defaults (filled in when visited)
};

/// name and weight, then the keys of the reward `name` names (looked up in the registry).
void visit(config::Visitor& v, RewardSpec& o);

}  // namespace r1::rewards
