// A research program built against the installed r1: loads a GRPO config, changes a key in code,
// checks it and prints what it read.
#include <iostream>

#include <r1/r1.h>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer CONFIG.yaml\n";
        return 2;
    }
    try {
        auto options = r1::config::load<r1::train::grpo::GrpoOptions>(argv[1]);
        options.clip.eps_high = 0.3;
        r1::config::check(options);
        r1::log::info("consumer loaded ", argv[1]);
        std::cout << "consumer: r1 " << r1::version() << ", grpo num_generations "
                  << options.batch.num_generations << ", " << options.batch.prompts_per_step
                  << " x " << options.batch.num_generations << " = "
                  << options.batch.prompts_per_step * options.batch.num_generations
                  << " completions per rollout\n";
    } catch (const r1::util::Error& e) {
        std::cerr << "consumer: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
