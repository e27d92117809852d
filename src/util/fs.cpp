#include "r1/util/fs.h"

#include "r1/util/error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace r1::util {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_errno(const fs::path& path, const std::string& what) {
    throw IoError(path.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

void fsync_path(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno(path, "cannot open for fsync");
    }
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0 && errno != EINVAL) {  // some file systems refuse fsync on directories
        throw_errno(path, "fsync failed");
    }
}

void atomic_write_file(const fs::path& path, std::string_view content) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw IoError(dir.string() + ": cannot create directory: " + ec.message());
    }
    const fs::path tmp =
        dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw_errno(tmp, "cannot create");
    }
    size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ::close(fd);
            ::unlink(tmp.c_str());
            throw_errno(tmp, "write failed");
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        throw_errno(tmp, "cannot flush");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw_errno(path, "cannot rename into place");
    }
    fsync_path(dir);
}

namespace {

void fsync_tree(const fs::path& dir) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file() || entry.is_directory()) {
            fsync_path(entry.path());
        }
    }
    fsync_path(dir);
}

}  // namespace

void write_dir_atomically(const fs::path& dir, const std::function<void(const fs::path&)>& fill) {
    const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
    const std::string name = dir.filename().string();
    const fs::path tmp = parent / (".tmp-" + name);
    const fs::path old = parent / (".old-" + name);
    std::error_code ec;
    fs::remove_all(tmp, ec);  // a leftover from a crash mid-write
    fs::create_directories(tmp, ec);
    if (ec) {
        throw IoError(tmp.string() + ": cannot create directory: " + ec.message());
    }
    fill(tmp);
    fsync_tree(tmp);
    fs::remove_all(old, ec);
    if (fs::exists(dir, ec)) {
        fs::rename(dir, old, ec);
        if (ec) {
            throw IoError(dir.string() + ": cannot move the old directory aside: " + ec.message());
        }
    }
    fs::rename(tmp, dir, ec);
    if (ec) {
        throw IoError(dir.string() + ": cannot move the new directory into place: " + ec.message());
    }
    fsync_path(parent);
    fs::remove_all(old, ec);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError(path.string() + ": cannot open: " + std::strerror(errno));
    }
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad()) {
        throw IoError(path.string() + ": read failed");
    }
    return out.str();
}

TempDir::TempDir(std::string_view prefix) {
    const fs::path base = fs::temp_directory_path();
    std::string templ = (base / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) {
        throw_errno(templ, "cannot create temporary directory");
    }
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);  // destructors don't throw
}

}  // namespace r1::util
