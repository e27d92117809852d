// Ctrl-C as a flag: the first SIGINT (or SIGTERM) sets it and loops check interrupted() to save and
// exit cleanly; a second SIGINT falls through to the default action, so a stuck run still dies.
#pragma once

namespace r1::util {

void install_interrupt_handler();
bool interrupted();
void clear_interrupt();

/// Exit code for a run that stopped on request after a clean save (128 + SIGINT).
inline constexpr int kInterruptedExitCode = 130;

}  // namespace r1::util
