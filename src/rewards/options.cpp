#include "r1/rewards/options.h"

#include "r1/rewards/reward.h"
#include "r1/util/str.h"

namespace r1::rewards {
namespace {

// `name:` checks the registry as it is read, so a misspelt reward is reported at its own line
// (before the reader complains about the keys that reward would have declared).
class NameField final : public config::FieldRef {
  public:
    explicit NameField(std::string& name) : name_(name) {}

    std::string type_name() const override { return "reward name"; }

    config::Node get() const override { return config::detail::encode(name_); }

    void set(const config::Node& node) override {
        std::string name;
        config::detail::decode(node, name);
        if (RewardRegistry::global().find(name) == nullptr) {
            throw config::ValueError("unknown reward '" + name + "'; expected one of " +
                                     util::join(reward_names(), ", "));
        }
        name_ = std::move(name);
    }

  private:
    std::string& name_;
};

}  // namespace

void visit(config::Visitor& v, RewardSpec& o) {
    NameField name(o.name);
    v.on_field("name", name, "reward function, a registered name (accuracy, format, code, ...)");
    config::FieldSpec(v, "name", {}).required();
    v.field("weight", o.weight, "weight of this reward in the sum").range(-1e6, 1e6);
    const RewardEntry* entry = RewardRegistry::global().find(o.name);
    if (entry == nullptr) {
        return;  // a prototype for the docs, or an unknown name that validation reports
    }
    if (o.options.empty() || o.options.owner() != o.name) {
        o.options = entry->default_options();
    }
    o.options.visit(v);
}

}  // namespace r1::rewards
