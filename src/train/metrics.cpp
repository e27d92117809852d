#include "r1/train/metrics.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <sstream>

namespace r1::train {

MetricsLog::MetricsLog(std::filesystem::path path, int64_t resume_step) : path_(std::move(path)) {
    std::string kept;
    if (resume_step > 0 && std::filesystem::exists(path_)) {
        std::istringstream in(util::read_file(path_));
        for (std::string line; std::getline(in, line);) {
            const auto row = nlohmann::json::parse(line, nullptr, false);
            if (row.is_object() && row.value("step", int64_t{0}) <= resume_step) {
                kept += line + "\n";
            }
        }
    }
    util::atomic_write_file(path_, kept);
    out_.open(path_, std::ios::app);
    if (!out_) {
        throw util::IoError(path_.string() + ": cannot open for appending");
    }
}

void MetricsLog::write(const nlohmann::json& row) {
    out_ << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out_.flush();
}

}  // namespace r1::train
