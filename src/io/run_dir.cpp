#include "r1/io/run_dir.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <system_error>

namespace r1::io {

RunDir RunDir::create(const std::filesystem::path& dir, const std::string& resolved_config_yaml) {
    RunDir run(dir);
    std::error_code ec;
    std::filesystem::create_directories(run.checkpoints(), ec);
    if (ec) {
        throw util::IoError(run.checkpoints().string() +
                            ": cannot create the run directory: " + ec.message());
    }
    util::atomic_write_file(run.config(), resolved_config_yaml);
    return run;
}

}  // namespace r1::io
