// The safetensors writer: the same bytes as safetensors.torch.save_file, streamed to a temporary
// file beside the target, fsynced and renamed into place.
#include "r1/io/safetensors.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <set>

#include "io/utf8.h"
#include <fcntl.h>
#include <unistd.h>

namespace r1::io {
namespace {

using util::str;

// serde_json's string escaping (what the Rust library writes): quote, backslash, \b \f \n \r \t,
// other control characters as \u00xx; everything else, non-ASCII included, verbatim.
void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

void check_text(const std::filesystem::path& path, std::string_view what, std::string_view text) {
    if (first_invalid_utf8(text)) {
        throw util::FormatError(str(what, " is not valid UTF-8"), {.source = path.string()});
    }
}

// Tensors in file order with their dtypes, and the padded header.
struct Layout {
    std::vector<size_t> order;         // indices into the caller's tensors, in file order
    std::vector<const Dtype*> dtypes;  // per caller index
    std::string header;
};

std::string render_header(const NamedTensors& tensors,
                          const Metadata& metadata,
                          const Layout& layout);

Layout plan_safetensors(const std::filesystem::path& path,
                        const NamedTensors& tensors,
                        const Metadata& metadata) {
    Layout layout;
    std::set<std::string_view> names;
    for (const auto& [name, tensor] : tensors) {
        const util::Location where{.source = path.string()};
        check_text(path, "tensor name '" + name + "'", name);
        if (name == "__metadata__" || !names.insert(name).second) {
            throw util::FormatError("tensor '" + name + "': " +
                                        (name == "__metadata__" ? "reserved name" : "given twice"),
                                    where);
        }
        if (!tensor.defined()) {
            throw util::FormatError("tensor '" + name + "': undefined tensor", where);
        }
        if (tensor.layout() != at::kStrided) {  // as Python's save_file: dense tensors only
            throw util::UnsupportedError(path.string() + ": tensor '" + name +
                                         "': only dense (strided) tensors can be saved");
        }
        layout.order.push_back(layout.order.size());
        layout.dtypes.push_back(&dtype_of(tensor.scalar_type()));
    }
    for (const auto& [key, value] : metadata) {
        check_text(path, "__metadata__ key '" + key + "'", key);
        check_text(path, "__metadata__ value of '" + key + "'", value);
    }
    // save_file's order: descending dtype alignment (Rust enum order), then name.
    std::stable_sort(layout.order.begin(), layout.order.end(), [&](size_t a, size_t b) {
        if (layout.dtypes[a]->order != layout.dtypes[b]->order) {
            return layout.dtypes[a]->order > layout.dtypes[b]->order;
        }
        return tensors[a].first < tensors[b].first;
    });
    layout.header = render_header(tensors, metadata, layout);
    return layout;
}

std::string render_header(const NamedTensors& tensors,
                          const Metadata& metadata,
                          const Layout& layout) {
    std::string h = "{";
    if (!metadata.empty()) {
        h += "\"__metadata__\":{";
        bool first = true;
        for (const auto& [key, value] : metadata) {
            h += first ? "" : ",";
            append_json_string(h, key);
            h += ':';
            append_json_string(h, value);
            first = false;
        }
        h += '}';
    }
    uint64_t offset = 0;
    for (const size_t i : layout.order) {
        const at::Tensor& t = tensors[i].second;
        const uint64_t nbytes = static_cast<uint64_t>(t.numel()) *
                                static_cast<uint64_t>(layout.dtypes[i]->element_size);
        h += h.size() > 1 ? "," : "";
        append_json_string(h, tensors[i].first);
        h += str(":{\"dtype\":\"", layout.dtypes[i]->name, "\",\"shape\":[");
        for (int64_t d = 0; d < t.dim(); ++d) {
            h += str(d ? "," : "", t.size(d));
        }
        h += str("],\"data_offsets\":[", offset, ",", offset + nbytes, "]}");
        offset += nbytes;
    }
    h += '}';
    h.append((8 - h.size() % 8) % 8, ' ');  // the data section starts 8-aligned, as in Python
    return h;
}

// A temporary file beside the target, renamed into place by commit(); removed if never committed.
class AtomicFile {
  public:
    explicit AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
        const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        tmp_ = dir / ("." + path_.filename().string() + ".tmp." + std::to_string(::getpid()));
        fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            fail(tmp_, "cannot create");
        }
    }

    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    ~AtomicFile() {
        if (fd_ >= 0) {
            ::close(fd_);
            ::unlink(tmp_.c_str());
        }
    }

    void write(const void* data, uint64_t size) {
        const auto* p = static_cast<const char*>(data);
        while (size > 0) {
            const ssize_t n = ::write(fd_, p, std::min<uint64_t>(size, 1 << 30));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                fail(tmp_, "write failed");
            }
            p += n;
            size -= static_cast<uint64_t>(n);
        }
    }

    void commit() {
        const int fd = std::exchange(fd_, -1);
        if (::fsync(fd) != 0 || ::close(fd) != 0) {
            ::unlink(tmp_.c_str());
            fail(tmp_, "cannot flush");
        }
        if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
            ::unlink(tmp_.c_str());
            fail(path_, "cannot rename into place");
        }
        util::fsync_path(path_.has_parent_path() ? path_.parent_path() : ".");
    }

  private:
    [[noreturn]] static void fail(const std::filesystem::path& p, const std::string& what) {
        throw util::IoError(p.string() + ": " + what + ": " + std::strerror(errno));
    }

    std::filesystem::path path_;
    std::filesystem::path tmp_;
    int fd_ = -1;
};

}  // namespace

void write_safetensors(const std::filesystem::path& path,
                       const NamedTensors& tensors,
                       const Metadata& metadata) {
    const Layout layout = plan_safetensors(path, tensors, metadata);
    AtomicFile out(path);
    const uint64_t n = layout.header.size();  // little-endian on every host r1 builds for
    out.write(&n, sizeof n);
    out.write(layout.header.data(), n);
    for (const size_t i : layout.order) {
        const at::Tensor t = tensors[i].second.to(at::kCPU).contiguous();
        out.write(t.data_ptr(), t.nbytes());
    }
    out.commit();
}

}  // namespace r1::io
