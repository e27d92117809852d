#include "r1/data/jsonl_dataset.h"

#include "r1/util/log.h"

namespace r1::data {

void visit(config::Visitor& v, JsonlDatasetOptions& o) {
    v.field("path", o.path, "JSONL file, one object per line").required();
    v.field("on_error", o.on_error,
            "a malformed line: fail (stop with its file:line) or skip (log and count it)");
    v.field("max_samples", o.max_samples, "read at most this many rows; 0 for all").min(0);
}

template <class T>
Dataset<T> read_jsonl_dataset(const JsonlDatasetOptions& options) {
    io::JsonlReader reader(options.path);
    Dataset<T> out;
    nlohmann::json object;
    while (options.max_samples == 0 ||
           static_cast<int64_t>(out.rows.size()) < options.max_samples) {
        try {
            if (!reader.next(object)) {
                break;
            }
            out.rows.push_back(RowSchema<T>::read(io::JsonFields(object, reader.where())));
        } catch (const util::FormatError& e) {
            if (options.on_error == OnError::fail) {
                throw;
            }
            ++out.skipped;
            if (out.first_error.empty()) {
                out.first_error = e.what();
            }
            log::warn("skipped a malformed ", RowSchema<T>::name, ": ", e.what());
        }
    }
    if (out.skipped > 0) {
        log::warn(options.path, ": skipped ", out.skipped, " malformed line(s), kept ",
                  out.rows.size());
    }
    return out;
}

template Dataset<Sample> read_jsonl_dataset<Sample>(const JsonlDatasetOptions&);
template Dataset<SftExample> read_jsonl_dataset<SftExample>(const JsonlDatasetOptions&);
template Dataset<PreferencePair> read_jsonl_dataset<PreferencePair>(const JsonlDatasetOptions&);

}  // namespace r1::data
