#include "r1/train/train_state.h"

#include "r1/io/safetensors.h"
#include "r1/model/state.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace r1::train {

namespace fs = std::filesystem;

void save_train_state(const fs::path& dir,
                      const torch::nn::Module& model,
                      torch::optim::Optimizer& optimizer,
                      const nlohmann::json& state) {
    io::write_safetensors(dir / "model.safetensors", model::named_tensors(model));
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    archive.save_to((dir / "optimizer.pt").string());
    util::atomic_write_file(dir / "state.json", state.dump(2) + "\n");
}

nlohmann::json load_train_state(const fs::path& dir,
                                torch::nn::Module& model,
                                torch::optim::Optimizer& optimizer) {
    const io::SafetensorsFile weights(dir / "model.safetensors");
    model::NamedTensors tensors;
    for (const auto& name : weights.names()) {
        tensors.emplace_back(name, weights.tensor(name));
    }
    model::load_named_tensors(model, tensors, weights.path().string());
    torch::serialize::InputArchive archive;
    archive.load_from((dir / "optimizer.pt").string());
    optimizer.load(archive);
    const fs::path state_path = dir / "state.json";
    auto state = nlohmann::json::parse(util::read_file(state_path), nullptr, false);
    if (!state.is_object() || !state.contains("step")) {
        throw util::FormatError(state_path.string() + ": expected a JSON object with a 'step'");
    }
    return state;
}

}  // namespace r1::train
