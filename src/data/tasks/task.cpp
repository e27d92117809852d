#include "r1/data/tasks/task.h"

#include "r1/config/load.h"
#include "r1/data/tasks/arithmetic.h"
#include "r1/data/tasks/countdown.h"
#include "r1/data/tasks/sort.h"
#include "r1/io/jsonl.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

namespace r1::data::tasks {
namespace {

template <class Options, class T>
TaskInfo entry(std::string name, std::string doc) {
    TaskInfo info;
    info.name = std::move(name);
    info.doc = std::move(doc);
    info.make = [](const std::vector<std::string>& overrides) -> std::unique_ptr<Task> {
        return std::make_unique<T>(
            config::read<Options>(config::load_document(std::nullopt, overrides)));
    };
    info.schema = [] { return config::schema<Options>(); };
    return info;
}

}  // namespace

PreferencePair Task::preference(uint64_t /*seed*/, uint64_t /*index*/) const {
    throw util::UnsupportedError("task '" + name() +
                                 "' has no preference pairs (tasks with pairs: sort)");
}

std::string r1_format(const std::string& thinking, const std::string& answer) {
    return "<think>\n" + thinking + "\n</think> <answer>" + answer + "</answer>";
}

nlohmann::json to_json(const TaskSample& s) {
    nlohmann::json row = data::to_json(s.sample);
    row["response"] = s.solutions.steps;
    row["direct"] = s.solutions.direct;
    row["text"] = s.solutions.text;
    return row;
}

const std::vector<TaskInfo>& task_registry() {
    static const std::vector<TaskInfo> registry = {
        entry<ArithmeticOptions, ArithmeticTask>(
            "arithmetic", "multi-digit + - * expressions, worked by columns"),
        entry<CountdownOptions, CountdownTask>(
            "countdown", "reach a target from 3-4 numbers, each used once (TinyZero)"),
        entry<SortOptions, SortTask>(
            "sort", "sort a few digits ascending; preference pairs for reward models"),
    };
    return registry;
}

const TaskInfo& find_task(const std::string& name) {
    std::vector<std::string> names;
    for (const TaskInfo& info : task_registry()) {
        if (info.name == name) {
            return info;
        }
        names.push_back(info.name);
    }
    const std::string nearest = config::nearest_key(name, names, {});
    throw util::ConfigError("unknown task '" + name + "'" +
                            (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") +
                            " (tasks: " + util::join(names, ", ") + ")");
}

void write_task_jsonl(const Task& task,
                      int64_t n,
                      uint64_t seed,
                      const std::filesystem::path& path) {
    std::string content;
    for (int64_t i = 0; i < n; ++i) {
        content += io::to_jsonl_line(to_json(task.generate(seed, static_cast<uint64_t>(i))));
        content += '\n';
    }
    util::atomic_write_file(path, content);
}

}  // namespace r1::data::tasks
