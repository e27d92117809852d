// The sandbox contains what untrusted code does: each hostile program below ends as a failed run
// (never a crashed or hung test), and a correct program passes. Limits are small so this takes
// seconds. Then the code reward on stdin/stdout and assert tests.
#include "r1/rewards/sandbox.h"

#include "r1/rewards/code.h"
#include "r1/rewards/combine.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace r1::rewards {
namespace {

SandboxOptions quick(bool namespaces = true) {
    return {.timeout_s = 1.0, .memory_mb = 256, .max_processes = 16, .namespaces = namespaces};
}

TEST(SandboxTest, CorrectProgramPasses) {
    const Sandbox box(quick());
    const auto r = box.run_python(
        "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))", "1 2 3\n");
    EXPECT_TRUE(r.ok()) << r.describe() << " " << r.err;
    EXPECT_EQ(r.out, "6\n");
}

TEST(SandboxTest, EmptyEnvironmentAndFreshDirectory) {
    const Sandbox box(quick());
    // (Python itself sets LC_CTYPE when the C locale is in effect, PEP 538)
    const auto r = box.run_python(
        "import os\nprint([k for k in os.environ if k != 'LC_CTYPE'], sorted(os.listdir('.')), "
        "os.getcwd())");
    EXPECT_TRUE(r.ok()) << r.err;
    EXPECT_EQ(r.out, "[] ['main.py', 'stdin.txt'] /tmp\n");
}

TEST(SandboxTest, InfiniteLoopTimesOut) {
    const Sandbox box(quick());
    const auto r = box.run_python("while True:\n    pass\n");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.status == SandboxStatus::timeout || r.status == SandboxStatus::signaled)
        << r.describe();
    EXPECT_LT(r.wall_s, 3.0);
}

TEST(SandboxTest, MemoryHogFails) {
    const Sandbox box(quick());
    const auto r = box.run_python("x = bytearray(1 << 30)\nprint('allocated')");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.out.find("allocated"), std::string::npos);
    EXPECT_NE(r.err.find("MemoryError"), std::string::npos) << r.err;
}

TEST(SandboxTest, ForkBombIsContained) {
    const Sandbox box(quick());
    const auto r = box.run_python("import os\nwhile True:\n    os.fork()\n");
    EXPECT_FALSE(r.ok()) << r.describe();
    EXPECT_LT(r.wall_s, 3.0);
    // the group is gone: a fresh run still works
    EXPECT_TRUE(box.run_python("print(1)").ok());
}

TEST(SandboxTest, WritesOutsideItsDirectoryFail) {
    const util::TempDir outside("r1-sandbox-test");
    const auto target = outside.path() / "escaped.txt";
    const Sandbox box(quick());
    const auto r =
        box.run_python("open('" + target.string() + "', 'w').write('x')\nprint('wrote')");
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(std::filesystem::exists(target));
    const auto parent = box.run_python("open('../escaped.txt', 'w').write('x')");
    EXPECT_FALSE(parent.ok());
    // /tmp inside is the run directory itself: the file vanishes with it
    const auto tmp = box.run_python(
        "open('/tmp/r1_sandbox_probe.txt', 'w').write('x')\nimport os\nprint(os.listdir('.'))");
    EXPECT_TRUE(tmp.ok()) << tmp.err;
    EXPECT_NE(tmp.out.find("r1_sandbox_probe.txt"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists("/tmp/r1_sandbox_probe.txt"));
}

// A listening socket on the host's loopback: reachable from here, not from the sandbox.
class Listener {
  public:
    Listener() {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 4) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ADD_FAILURE() << "cannot listen on loopback";
        }
        port_ = ntohs(addr.sin_port);
    }

    ~Listener() { close(fd_); }

    int port() const { return port_; }

  private:
    int fd_ = -1;
    int port_ = 0;
};

void expect_no_network(const Sandbox& box) {
    const Listener listener;
    const std::string connect = "import socket\ns = socket.create_connection(('127.0.0.1', " +
                                std::to_string(listener.port()) +
                                "), timeout=0.5)\nprint('connected')";
    const auto r = box.run_python(connect);
    EXPECT_FALSE(r.ok()) << r.out;
    EXPECT_EQ(r.out.find("connected"), std::string::npos);
    const auto unix_ok =
        box.run_python("import socket\na, b = socket.socketpair()\nprint('unix ok')");
    EXPECT_TRUE(unix_ok.ok()) << unix_ok.err;  // AF_UNIX stays usable (multiprocessing needs it)
}

TEST(SandboxTest, NetworkIsUnreachable) {
    expect_no_network(Sandbox(quick()));
}

TEST(SandboxTest, SeccompFallbackDeniesSockets) {
    const Sandbox box(quick(/*namespaces=*/false));
    expect_no_network(box);
    const auto r =
        box.run_python("import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM)");
    EXPECT_NE(r.err.find("PermissionError"), std::string::npos) << r.err;
}

TEST(SandboxTest, CrashAndOutputFloodFail) {
    const Sandbox box({.timeout_s = 2.0, .max_output_kb = 16});
    const auto crash = box.run_python("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)");
    EXPECT_EQ(crash.status, SandboxStatus::signaled);
    EXPECT_EQ(box.run_python("raise SystemExit(3)").exit_code, 3);
    EXPECT_EQ(box.run_python("print('x' * 100000)").status, SandboxStatus::output_limit);
    EXPECT_FALSE(box.run_python("this is not python").ok());
}

TEST(SandboxTest, BadInterpreterIsASandboxError) {
    EXPECT_THROW(Sandbox({.python = "python3"}), SandboxError);
    EXPECT_THROW(Sandbox({.python = "/nonexistent/python3"}), SandboxError);
}

TEST(SandboxTest, ParallelRunsAreBounded) {
    const Sandbox box({.timeout_s = 5.0, .max_parallel = 2});
    std::vector<std::thread> threads;
    std::vector<SandboxResult> results(4);
    for (size_t i = 0; i < results.size(); ++i) {
        threads.emplace_back(
            [&, i] { results[i] = box.run_python("print(" + std::to_string(i) + ")"); });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (size_t i = 0; i < results.size(); ++i) {
        EXPECT_EQ(results[i].out, std::to_string(i) + "\n");
    }
}

// -- the code reward
// --------------------------------------------------------------------------------

TEST(CodeRewardTest, ExtractsTheLastBlockAfterThink) {
    const std::string c =
        "<think>```python\nprint(0)\n```</think>```python\nprint(1)\n``` ```python\nprint(2)\n```";
    EXPECT_EQ(extract_code(c, "python").value(), "print(2)\n");
    EXPECT_EQ(extract_code("<think>```python\nprint(0)\n```</think> none", "python"), std::nullopt);
    EXPECT_EQ(extract_code("```cpp\nint main(){}\n```", "python"), std::nullopt);
    EXPECT_EQ(extract_code("```python\nunclosed", "python"), std::nullopt);
}

TEST(CodeRewardTest, OutputComparison) {
    EXPECT_TRUE(outputs_match("1 \n2\n\n", "1\n2"));
    EXPECT_FALSE(outputs_match("1\n2\n3", "1\n2"));  // open-r1's zip would accept the extra line
    EXPECT_FALSE(outputs_match("1\n", "1\n2"));
    EXPECT_FALSE(outputs_match(" 1", "1"));
}

TEST(CodeRewardTest, ScoresStdioAndAssertTests) {
    const CodeOptions partial{.sandbox = quick()};
    const Sandbox box(partial.sandbox);
    RewardInput in{.completion =
                       "```python\nimport sys\nn = int(sys.stdin.read())\nprint(n * 2)\n\n"
                       "def double(n):\n    return 2 * n\n```",
                   .tests = {{.input = "2", .output = "4"},
                             {.input = "5", .output = "10"},
                             {.input = "1", .output = "3"}}};
    auto r = code(in, partial, box);
    EXPECT_DOUBLE_EQ(r.value.value(), 2.0 / 3.0);
    EXPECT_NE(r.reason.find("2/3 tests passed; test 3: wrong output"), std::string::npos)
        << r.reason;
    in.tests[2].weight = 2.0;  // the failing test now counts twice: 2 of 4 shares pass
    EXPECT_DOUBLE_EQ(code(in, partial, box).value.value(), 2.0 / 4.0);
    in.tests[2].weight = 1.0;
    CodeOptions all = partial;
    all.score = CodeScore::pass_fail;
    EXPECT_EQ(code(in, all, box).value, 0.0);
    in.tests = {{.input = "0", .assertion = "assert double(3) == 6"},
                {.input = "0", .assertion = "assert double(1) == 2"}};
    EXPECT_EQ(code(in, all, box).value, 1.0);
    in.completion = "no code";
    EXPECT_EQ(code(in, all, box).value, 0.0);
    in.tests.clear();
    EXPECT_FALSE(code(in, all, box).value.has_value());  // no tests: not a code row
}

TEST(CodeRewardTest, TimeoutsAreCounted) {
    const CodeOptions o{.sandbox = quick()};
    const RewardInput in{.completion = "```python\nwhile True: pass\n```",
                         .tests = {{.input = "", .output = ""}}};
    const auto r = code(in, o, Sandbox(o.sandbox));
    EXPECT_EQ(r.value, 0.0);
    EXPECT_EQ(r.timeouts, 1);
}

}  // namespace
}  // namespace r1::rewards

namespace r1::rewards {
namespace {

// An "interpreter" the kernel cannot exec: the sandbox fails, not the program. The code reward
// passes the SandboxError on and RewardSet counts it as a failure with value None, never 0.
TEST(SandboxTest, InfrastructureFailureIsNoneAndCounted) {
    const util::TempDir dir("r1-sandbox-test");
    const auto fake = dir.path() / "python3";
    std::ofstream(fake) << "not an executable format\n";
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all |
                                           std::filesystem::perms::others_exec |
                                           std::filesystem::perms::others_read);
    const Sandbox box({.python = fake.string(), .timeout_s = 1.0});
    try {
        box.run_python("print(1)");
        ADD_FAILURE() << "expected a SandboxError";
    } catch (const SandboxError& e) {
        EXPECT_NE(std::string(e.what()).find("exec of the interpreter failed"), std::string::npos)
            << e.what();
    }
    RewardSpec spec{.name = "code"};
    spec.options =
        AnyOptions("code", CodeOptions{.sandbox = {.python = fake.string(), .timeout_s = 1.0}});
    const RewardSet set({spec});
    const CombinedRewards c =
        set.score({{.completion = "```python\nprint(1)\n```", .tests = {{.output = "1"}}}});
    EXPECT_EQ(c.stats[0].failures, 1);
    EXPECT_EQ(c.stats[0].none, 1);
    EXPECT_FALSE(c.scorable[0].item<bool>());
}

}  // namespace
}  // namespace r1::rewards
