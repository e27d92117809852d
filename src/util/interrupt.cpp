#include "r1/util/interrupt.h"

#include <atomic>
#include <csignal>

namespace r1::util {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int signal) {
    if (g_interrupted.exchange(true) && signal == SIGINT) {
        std::signal(SIGINT, SIG_DFL);  // second Ctrl-C: the user means it
        std::raise(SIGINT);
    }
}

}  // namespace

void install_interrupt_handler() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
}

bool interrupted() {
    return g_interrupted.load(std::memory_order_relaxed);
}

void clear_interrupt() {
    g_interrupted.store(false);
}

}  // namespace r1::util
