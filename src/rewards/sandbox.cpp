#include "r1/rewards/sandbox.h"

#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <mutex>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define R1_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define R1_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "the sandbox's seccomp filter knows x86_64 and aarch64 only"
#endif

namespace r1::rewards {

void visit(config::Visitor& v, SandboxOptions& o) {
    v.field("python", o.python, "absolute path of the Python interpreter");
    v.field("timeout_s", o.timeout_s, "wall-clock limit per run, seconds").range(0.05, 3600);
    v.field("memory_mb", o.memory_mb, "address-space limit (RLIMIT_AS), MiB").min(64);
    v.field("file_size_mb", o.file_size_mb, "largest file the program may write, MiB").min(0);
    v.field("max_processes", o.max_processes, "RLIMIT_NPROC").min(1);
    v.field("max_open_files", o.max_open_files, "RLIMIT_NOFILE").min(8);
    v.field("max_output_kb", o.max_output_kb, "stdout/stderr cap, KiB; more fails the run").min(1);
    v.field("max_parallel", o.max_parallel, "programs running at once").min(1);
    v.field("namespaces", o.namespaces,
            "isolate with user/net/mount namespaces (else seccomp only)");
}

std::string SandboxResult::describe() const {
    switch (status) {
        case SandboxStatus::exited:
            return util::str("exit ", exit_code);
        case SandboxStatus::signaled:
            return util::str("killed by signal ", signal, " (", strsignal(signal), ")");
        case SandboxStatus::timeout:
            return util::str("timed out after ", util::fixed(wall_s, 2), " s");
        case SandboxStatus::output_limit:
            return "output over the size limit";
    }
    return "?";
}

struct Sandbox::Slots {
    std::mutex mutex;
    std::condition_variable cv;
    int64_t free = 0;
};

namespace {

constexpr uid_t kNobody = 65534;

// Why the child failed before exec: which step, and errno. Written to a close-on-exec pipe.
enum class Step : int32_t { drop_privileges, unshare, mount, seccomp, chdir, rlimit, stdio, exec };

const char* step_name(Step s) {
    switch (s) {
        case Step::drop_privileges:
            return "dropping to user nobody";
        case Step::unshare:
            return "unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWNS)";
        case Step::mount:
            return "bind-mounting the run directory";
        case Step::seccomp:
            return "installing the seccomp socket filter (no namespaces either)";
        case Step::chdir:
            return "entering the run directory";
        case Step::rlimit:
            return "setting rlimits";
        case Step::stdio:
            return "redirecting stdio";
        case Step::exec:
            return "exec of the interpreter";
    }
    return "?";
}

// Everything the child needs, prepared before fork (after fork only async-signal-safe calls).
struct ChildPlan {
    const char* python;
    const char* run_dir;
    std::array<const char*, 6> argv;
    bool drop_privileges;
    bool namespaces;
    std::vector<std::pair<int, rlim_t>> limits;
    int stdin_fd, out_fd, err_fd, status_fd;
};

[[noreturn]] void child_fail(int status_fd, Step step) {
    const int32_t msg[2] = {static_cast<int32_t>(step), errno};
    [[maybe_unused]] const ssize_t n = write(status_fd, msg, sizeof msg);
    _exit(127);
}

bool install_socket_filter() {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, R1_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),  // x32 syscall numbers: refuse
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 2),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA)),
    };
    // (index 6 jumps over the args check to index 9, ALLOW, for every other syscall)
    struct sock_fprog program = {static_cast<unsigned short>(sizeof filter / sizeof filter[0]),
                                 filter};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

// New user, network and mount namespaces; the run directory replaces every world-writable place.
bool enter_namespaces(const ChildPlan& p) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) != 0) {
        return false;
    }
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        child_fail(p.status_fd, Step::mount);
    }
    for (const char* target : {"/tmp", "/var/tmp", "/dev/shm", "/run/lock"}) {
        if (mount(p.run_dir, target, nullptr, MS_BIND, nullptr) != 0 && errno != ENOENT) {
            child_fail(p.status_fd, Step::mount);
        }
    }
    return true;
}

[[noreturn]] void child_main(const ChildPlan& p) {
    setsid();  // new session and process group: the parent kills the group
    if (dup2(p.stdin_fd, 0) < 0 || dup2(p.out_fd, 1) < 0 || dup2(p.err_fd, 2) < 0) {
        child_fail(p.status_fd, Step::stdio);
    }
    if (p.drop_privileges &&
        (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)) {
        child_fail(p.status_fd, Step::drop_privileges);
    }
    const bool isolated = p.namespaces && enter_namespaces(p);
    if (!isolated && !install_socket_filter()) {
        child_fail(p.status_fd, Step::seccomp);  // neither: refuse to run untrusted code
    }
    if (chdir(isolated ? "/tmp" : p.run_dir) != 0) {
        child_fail(p.status_fd, Step::chdir);
    }
    for (const auto& [resource, value] : p.limits) {
        const struct rlimit limit = {value, value};
        if (setrlimit(resource, &limit) != 0) {
            child_fail(p.status_fd, Step::rlimit);
        }
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // after setuid, which clears it
    char* const envp[] = {nullptr};
    execve(p.python, const_cast<char* const*>(p.argv.data()), envp);
    child_fail(p.status_fd, Step::exec);
}

// A pipe whose ends close with this object (close-on-exec, so the child keeps only what it dup2s).
struct Pipe {
    int fd[2] = {-1, -1};

    Pipe() {
        if (pipe2(fd, O_CLOEXEC) != 0) {
            throw SandboxError(util::str("sandbox: pipe2 failed: ", std::strerror(errno)));
        }
    }

    ~Pipe() {
        close_read();
        close_write();
    }

    void close_read() {
        if (fd[0] >= 0) {
            close(fd[0]);
            fd[0] = -1;
        }
    }

    void close_write() {
        if (fd[1] >= 0) {
            close(fd[1]);
            fd[1] = -1;
        }
    }
};

void write_text(const std::filesystem::path& path, std::string_view text) {
    std::ofstream f(path, std::ios::binary);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!f) {
        throw SandboxError("sandbox: cannot write " + path.string());
    }
}

struct Capture {
    Pipe* pipe;
    std::string* text;
    bool open = true;
};

// Reads what is available; false when a stream went over `cap` bytes.
bool drain(std::array<Capture, 2>& streams, int timeout_ms, size_t cap) {
    std::array<struct pollfd, 2> fds{};
    for (size_t i = 0; i < 2; ++i) {
        fds[i] = {streams[i].open ? streams[i].pipe->fd[0] : -1, POLLIN, 0};
    }
    if (poll(fds.data(), fds.size(), timeout_ms) <= 0) {
        return true;
    }
    char buffer[65536];
    for (size_t i = 0; i < 2; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
            continue;
        }
        const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
        if (n <= 0) {
            streams[i].open = false;
            continue;
        }
        streams[i].text->append(buffer, static_cast<size_t>(n));
        if (streams[i].text->size() > cap) {
            return false;
        }
    }
    return true;
}

// Waits for the program under the wall-clock limit while capturing its output, then kills its
// group.
SandboxResult wait_for(pid_t pid,
                       Pipe& out,
                       Pipe& err,
                       std::chrono::steady_clock::time_point start,
                       const SandboxOptions& o) {
    using clock = std::chrono::steady_clock;
    SandboxResult r;
    std::array<Capture, 2> streams{{{&out, &r.out}, {&err, &r.err}}};
    const auto deadline = start + std::chrono::duration_cast<clock::duration>(
                                      std::chrono::duration<double>(o.timeout_s));
    const size_t cap = static_cast<size_t>(o.max_output_kb) * 1024;
    int wstatus = 0;
    bool reaped = false, over = false, late = false;
    while (true) {
        if (!drain(streams, 10, cap)) {
            over = true;
            break;
        }
        if (waitpid(pid, &wstatus, WNOHANG) == pid) {
            reaped = true;
            break;
        }
        if (clock::now() >= deadline) {
            late = true;
            break;
        }
    }
    kill(-pid, SIGKILL);  // the whole process group, stray children included
    if (!reaped) {
        waitpid(pid, &wstatus, 0);
    }
    // What the program wrote just before it ended; bounded, in case a setsid() grandchild holds a
    // pipe.
    const auto stop = clock::now() + std::chrono::milliseconds(200);
    while (!over && (streams[0].open || streams[1].open) && clock::now() < stop) {
        over = !drain(streams, 20, cap);
    }
    r.wall_s = std::chrono::duration<double>(clock::now() - start).count();
    if (over) {
        r.status = SandboxStatus::output_limit;
    } else if (late) {
        r.status = SandboxStatus::timeout;
    } else if (WIFSIGNALED(wstatus)) {
        r.status = SandboxStatus::signaled;
        r.signal = WTERMSIG(wstatus);
    } else {
        r.exit_code = WEXITSTATUS(wstatus);
    }
    return r;
}

}  // namespace

Sandbox::Sandbox(SandboxOptions options)
    : options_(std::move(options)), slots_(std::make_unique<Slots>()) {
    config::check(options_);
    if (options_.python.empty() || options_.python[0] != '/' ||
        access(options_.python.c_str(), X_OK) != 0) {
        throw SandboxError("sandbox: python '" + options_.python +
                           "' is not an executable absolute path");
    }
    slots_->free = options_.max_parallel;
}

Sandbox::~Sandbox() = default;

namespace {

// Holds one of the sandbox's max_parallel slots for its lifetime.
class SlotGuard {
  public:
    explicit SlotGuard(Sandbox::Slots& s) : s_(s) {
        std::unique_lock lock(s_.mutex);
        s_.cv.wait(lock, [this] { return s_.free > 0; });
        --s_.free;
    }

    ~SlotGuard() {
        std::lock_guard lock(s_.mutex);
        ++s_.free;
        s_.cv.notify_one();
    }

    SlotGuard(const SlotGuard&) = delete;
    SlotGuard& operator=(const SlotGuard&) = delete;

  private:
    Sandbox::Slots& s_;
};

std::vector<std::pair<int, rlim_t>> rlimits_of(const SandboxOptions& o) {
    const auto mib = [](int64_t n) { return static_cast<rlim_t>(n) << 20; };
    return {{RLIMIT_CPU, static_cast<rlim_t>(std::ceil(o.timeout_s))},
            {RLIMIT_AS, mib(o.memory_mb)},
            {RLIMIT_FSIZE, mib(o.file_size_mb)},
            {RLIMIT_NPROC, static_cast<rlim_t>(o.max_processes)},
            {RLIMIT_NOFILE, static_cast<rlim_t>(o.max_open_files)},
            {RLIMIT_CORE, 0}};
}

// main.py and stdin.txt in the run directory, which nobody owns when we run as root.
void prepare_run_dir(const std::filesystem::path& dir,
                     std::string_view program,
                     std::string_view stdin_text) {
    write_text(dir / "main.py", program);
    write_text(dir / "stdin.txt", stdin_text);
    if (geteuid() == 0 && chown(dir.c_str(), kNobody, kNobody) != 0) {
        throw SandboxError(util::str("sandbox: chown ", dir.string(), ": ", std::strerror(errno)));
    }
}

// The child's report of a failed setup step, or nothing once exec succeeded (the pipe closes).
void check_child_setup(int status_fd, pid_t pid) {
    int32_t failure[2] = {0, 0};
    ssize_t n = 0;
    do {
        n = read(status_fd, failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof failure)) {
        waitpid(pid, nullptr, 0);
        throw SandboxError(util::str("sandbox: ", step_name(static_cast<Step>(failure[0])),
                                     " failed: ", std::strerror(failure[1]),
                                     "; refusing to run untrusted code"));
    }
}

}  // namespace

SandboxResult Sandbox::run_python(std::string_view program, std::string_view stdin_text) const {
    const SlotGuard slot(*slots_);
    const util::TempDir dir("r1-sandbox");
    prepare_run_dir(dir.path(), program, stdin_text);
    Pipe out, err, status;
    const int stdin_fd = open((dir.path() / "stdin.txt").c_str(), O_RDONLY | O_CLOEXEC);
    if (stdin_fd < 0) {
        throw SandboxError("sandbox: cannot open its stdin file");
    }
    const std::string run_dir = dir.path().string();
    const ChildPlan plan{.python = options_.python.c_str(),
                         .run_dir = run_dir.c_str(),
                         .argv = {options_.python.c_str(), "-I", "-B", "main.py", nullptr, nullptr},
                         .drop_privileges = geteuid() == 0,
                         .namespaces = options_.namespaces,
                         .limits = rlimits_of(options_),
                         .stdin_fd = stdin_fd,
                         .out_fd = out.fd[1],
                         .err_fd = err.fd[1],
                         .status_fd = status.fd[1]};
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        child_main(plan);
    }
    close(stdin_fd);
    if (pid < 0) {
        throw SandboxError(util::str("sandbox: fork failed: ", std::strerror(errno)));
    }
    out.close_write();
    err.close_write();
    status.close_write();
    check_child_setup(status.fd[0], pid);
    return wait_for(pid, out, err, start, options_);
}

}  // namespace r1::rewards
