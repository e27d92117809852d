#include "r1/train/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace r1::train {

double learning_rate(const OptimOptions& o, int64_t step, int64_t total_steps) {
    if (step < o.warmup_steps) {
        // transformers: lr * step / warmup, so step 0 trains at lr 0; we start at lr / warmup
        // instead, since a step with lr 0 wastes a rollout in RL.
        return o.lr * static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps);
    }
    if (o.schedule == Schedule::constant) {
        return o.lr;
    }
    const int64_t decay_steps = std::max<int64_t>(total_steps - o.warmup_steps - 1, 1);
    const double progress =
        std::clamp(static_cast<double>(step - o.warmup_steps) / decay_steps, 0.0, 1.0);
    const double shape = o.schedule == Schedule::cosine
                             ? 0.5 * (1.0 + std::cos(std::numbers::pi * progress))
                             : 1.0 - progress;
    return o.lr * (o.min_lr_ratio + (1.0 - o.min_lr_ratio) * shape);
}

}  // namespace r1::train
