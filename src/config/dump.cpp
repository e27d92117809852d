#include "r1/config/dump.h"

namespace r1::config {
namespace {

class NodeWriter final : public Visitor {
  public:
    explicit NodeWriter(Node& root) { stack_.push_back(&root); }

    void on_field(std::string_view key, FieldRef& field, std::string_view) override {
        top().at_or_insert(key, {}) = field.get();
    }

    void on_section(std::string_view key,
                    std::string_view,
                    const std::function<void(Visitor&)>& body) override {
        Node& child = top().at_or_insert(key, {});
        child = Node::map();
        stack_.push_back(&child);
        body(*this);
        stack_.pop_back();
    }

    void on_list(std::string_view key, ListRef& list, std::string_view) override {
        Node& child = top().at_or_insert(key, {});
        child.kind = Node::Kind::sequence;
        child.items.assign(list.size(), Node::map());
        for (size_t i = 0; i < list.size(); ++i) {
            stack_.push_back(&child.items[i]);
            list.visit_item(i, *this);
            stack_.pop_back();
        }
    }

    void on_constraint(std::string_view, const std::vector<double>&, const Constraint&) override {}

  private:
    Node& top() { return *stack_.back(); }

    std::vector<Node*> stack_;
};

}  // namespace

Node to_node(const std::function<void(Visitor&)>& visit_fn) {
    Node root = Node::map();
    NodeWriter writer(root);
    visit_fn(writer);
    return root;
}

}  // namespace r1::config
