// Human-readable summaries of safetensors files and checkpoint directories for `r1 info`: tensors
// with dtypes and shapes (layer and expert indices folded, so DeepSeek-V3's 90k tensors fit on a
// screen), totals, metadata and the shard layout.
#pragma once

#include <filesystem>
#include <string>

namespace r1::io {

/// One .safetensors file: header/data sizes, metadata, totals per dtype, the folded tensor table.
/// Validates the file (FormatError/IoError as SafetensorsFile does).
std::string describe_safetensors(const std::filesystem::path& path);

/// A checkpoint directory (model.safetensors.index.json + shards, or model.safetensors) or an index
/// file: the shard layout, the index's totals checked against the shards, then the tensor table.
/// Opens and validates every shard; errors name the index or shard at fault.
std::string describe_checkpoint(const std::filesystem::path& dir);

}  // namespace r1::io
