#include "r1/train/sft_dataset.h"

#include "r1/data/loader.h"
#include "r1/data/packing.h"
#include "r1/data/tasks/task.h"
#include "r1/train/row_files.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace r1::train {
namespace {

std::vector<data::SftExample> task_rows(const SftDataOptions& o) {
    const auto task = data::tasks::find_task(o.task).make(o.task_options);
    std::vector<data::SftExample> rows;
    for (int64_t i = 0; i < o.task_size; ++i) {
        const auto s = task->generate(static_cast<uint64_t>(o.task_seed), static_cast<uint64_t>(i));
        rows.push_back({.shape = data::SftExample::Shape::prompt_completion,
                        .prompt = s.sample.prompt,
                        .completion = s.solutions.steps,
                        .where = {.source = util::str("task ", o.task, " row ", i)}});
    }
    return rows;
}

/// The key a row's held-out membership hashes: its whole text, so duplicates land together.
std::string row_key(const data::SftExample& row) {
    return data::to_json(row).dump();
}

SftDataset tokenize(const std::vector<data::SftExample>& rows,
                    const SftDataOptions& o,
                    const tokenizer::Tokenizer& tok,
                    const SftRenderer& renderer,
                    int64_t eos) {
    SftDataset out;
    for (const auto& row : rows) {
        auto doc = tokenize_sft_row(row, render_sft_row(row, renderer), tok,
                                    {.eos_id = eos, .max_length = o.max_length});
        out.truncated_documents += doc.truncated_tokens > 0 ? 1 : 0;
        out.truncated_tokens += doc.truncated_tokens;
        out.documents.push_back(std::move(doc));
    }
    if (o.packing == Packing::bfd) {
        std::vector<int64_t> lengths;
        for (const auto& d : out.documents) {
            lengths.push_back(static_cast<int64_t>(d.ids.size()));
        }
        out.rows = data::pack_best_fit_decreasing(lengths, o.max_length);
    } else {
        for (size_t i = 0; i < out.documents.size(); ++i) {
            out.rows.push_back({static_cast<int64_t>(i)});
        }
    }
    return out;
}

}  // namespace

std::vector<MicroBatch> micro_batches(const SftDataset& set,
                                      const std::vector<int64_t>& rows,
                                      const MicroBatchOptions& o) {
    double step_tokens = 0, step_documents = 0;
    for (const int64_t r : rows) {
        for (const int64_t d : set.rows[static_cast<size_t>(r)]) {
            step_tokens +=
                static_cast<double>(set.documents[static_cast<size_t>(d)].trained_tokens);
            step_documents += 1;
        }
    }
    std::vector<MicroBatch> out;
    for (size_t b = 0; b < rows.size(); b += static_cast<size_t>(o.micro_batch_size)) {
        std::vector<std::vector<int64_t>> part;  // each row's documents
        std::vector<int64_t> doc_tokens;         // each document's trained tokens, in order
        for (size_t r = b; r < std::min(rows.size(), b + static_cast<size_t>(o.micro_batch_size));
             ++r) {
            part.push_back(set.rows[static_cast<size_t>(rows[r])]);
            for (const int64_t d : part.back()) {
                doc_tokens.push_back(set.documents[static_cast<size_t>(d)].trained_tokens);
            }
        }
        auto batch = collate(set.documents, part, o.pad_id, o.packed);
        const auto train = batch.train.to(at::kDouble);
        at::Tensor weights = train / step_tokens;
        if (o.normalize == LossNorm::sequence) {
            const auto counts = at::tensor(doc_tokens, at::kLong).to(at::kDouble);
            const auto per_doc = counts.index_select(0, batch.document.clamp_min(0).reshape({-1}));
            weights = train / (per_doc.view_as(train) * step_documents);
        }
        out.push_back({std::move(batch), weights});
    }
    return out;
}

SftRenderer make_sft_renderer(tokenizer::ChatTemplate chat_template, bool completion_only) {
    auto chat = std::make_shared<tokenizer::ChatTemplate>(std::move(chat_template));
    return {.chat = [chat](const std::vector<tokenizer::Message>& m,
                           bool open) { return chat->render(m, open); },
            .prompt = [chat](std::string_view p) { return chat->render(p); },
            .completion_only = completion_only};
}

SftDatasets load_sft_datasets(const SftDataOptions& o,
                              const tokenizer::Tokenizer& tok,
                              const SftRenderer& renderer,
                              int64_t eos,
                              uint64_t seed) {
    std::vector<data::SftExample> train;
    if (!o.task.empty()) {
        train = task_rows(o);
    }
    auto files = read_weighted_files<data::SftExample>(o.train, o.on_error, seed);
    train.insert(train.end(), std::make_move_iterator(files.begin()),
                 std::make_move_iterator(files.end()));
    std::vector<data::SftExample> eval = read_files<data::SftExample>(o.eval, o.on_error);
    if (o.eval.empty() && o.eval_fraction > 0) {
        data::hold_out(train, eval, o.eval_fraction, seed, row_key);
    }
    if (train.empty()) {
        throw util::ConfigError(
            "sft: no training rows (data.train, data.task, data.eval_fraction)");
    }
    return {tokenize(train, o, tok, renderer, eos), tokenize(eval, o, tok, renderer, eos)};
}

}  // namespace r1::train
