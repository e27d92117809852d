// Runs untrusted Python (a completion's code) in a child process, for the code reward (grpo-spec
// §6.5).
//
// What it does, per run: fork + exec of the interpreter (`python -I -B main.py`) in a new session
// and process group, with an empty environment, in a fresh temporary directory that is deleted
// after. When started as root the child drops to nobody (65534) first, so it can write nowhere root
// owns. It then enters new user, network and mount namespaces: no network at all (no interfaces but
// a loopback that is down), and its run directory is bind-mounted over /tmp, /var/tmp, /dev/shm and
// /run/lock, so "world-writable" places all lead back into it. If namespaces are unavailable, a
// seccomp filter makes socket() fail for every family but AF_UNIX; if that fails too the sandbox
// refuses to run (SandboxError). rlimits: RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NPROC,
// RLIMIT_NOFILE, RLIMIT_CORE = 0. The parent enforces the wall-clock limit and SIGKILLs the whole
// process group; stdout and stderr are captured up to a size cap (more is a failure). At most
// `max_parallel` programs run at once per Sandbox.
//
// What it does not do: it is not a security boundary against a determined attacker (no seccomp
// allow-list, no cgroups). The program can read any file nobody may read (the dataset, /proc), use
// CPU up to its limits, and a grandchild that calls setsid() leaves the process group (RLIMIT_CPU
// and RLIMIT_NPROC still bound it). Run as a non-root user, the program keeps that user's write
// access outside /tmp. Like nanochat's execution.py: good against accidents and reward hacking by
// a small model, not against malware.
#pragma once

#include "r1/config/visitor.h"
#include "r1/util/error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace r1::rewards {

/// The sandbox itself failed (fork, pipes, no isolation available): not the program's fault.
class SandboxError : public util::Error {
  public:
    using util::Error::Error;
};

struct SandboxOptions {
    std::string python = "/usr/bin/python3";  // absolute path: the child has no PATH
    double timeout_s = 5.0;                   // wall clock per run (open-r1: 5 s)
    int64_t memory_mb = 1024;                 // RLIMIT_AS (verl: 1024)
    int64_t file_size_mb = 16;                // RLIMIT_FSIZE
    int64_t max_processes = 32;               // RLIMIT_NPROC
    int64_t max_open_files = 64;              // RLIMIT_NOFILE
    int64_t max_output_kb = 1024;             // stdout and stderr, each
    int64_t max_parallel = 2;                 // concurrent runs (open-r1: 2 per process)
    bool namespaces = true;                   // false: seccomp only (tests the fallback)
};

void visit(config::Visitor& v, SandboxOptions& o);

enum class SandboxStatus { exited, signaled, timeout, output_limit };

struct SandboxResult {
    SandboxStatus status = SandboxStatus::exited;
    int exit_code = -1;  // exited: the program's code
    int signal = 0;  // signaled: the signal (SIGKILL for RLIMIT_CPU's hard limit, SIGXCPU first)
    std::string out, err;
    double wall_s = 0.0;

    bool ok() const { return status == SandboxStatus::exited && exit_code == 0; }

    /// "exit 1", "killed by signal 9", "timed out after 5 s", "output over 1024 KiB".
    std::string describe() const;
};

class Sandbox {
  public:
    explicit Sandbox(SandboxOptions options = {});
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    /// Runs `program` with `stdin_text` on its stdin; blocks while max_parallel runs are under way.
    /// Throws SandboxError only when the sandbox itself fails.
    SandboxResult run_python(std::string_view program, std::string_view stdin_text = {}) const;

    const SandboxOptions& options() const { return options_; }

    struct Slots;  // the max_parallel counter (defined in sandbox.cpp)

  private:
    SandboxOptions options_;
    std::unique_ptr<Slots> slots_;
};

}  // namespace r1::rewards
