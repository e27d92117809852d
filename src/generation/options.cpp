#include "r1/generation/options.h"

namespace r1::generation {

void visit(config::Visitor& v, SamplingOptions& o) {
    v.field("temperature", o.temperature, "softmax temperature; 0 samples greedily")
        .range(0.0, 100.0);
    v.field("top_p", o.top_p, "nucleus sampling: keep the smallest set with this mass")
        .range(1e-9, 1.0);
    v.field("top_k", o.top_k, "keep the k most likely tokens; 0 turns it off").min(0);
    v.field("min_p", o.min_p, "drop tokens below min_p times the top probability; 0 turns it off")
        .range(0.0, 1.0);
    v.field("repetition_penalty", o.repetition_penalty,
            "CTRL-style penalty on seen tokens; 1 is off")
        .range(1e-6, 100.0);
    v.field("max_prompt_length", o.max_prompt_length,
            "longest prompt in tokens; longer is an error")
        .min(1);
    v.field("max_completion_length", o.max_completion_length,
            "most tokens generated per completion")
        .min(1);
    v.field("stop", o.stop, "stop strings; the completion keeps the one that ended it");
}

}  // namespace r1::generation
