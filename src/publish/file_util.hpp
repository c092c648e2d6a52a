#pragma once
// Durable file steps for the workspace: bounded reads, copies that reach the
// disk before they count, directory syncs.
#include <cstdint>
#include <filesystem>
#include <string>

#include "base/error.hpp"

namespace converge::publish {

// The whole file as text; publish_errc::io naming the path, or bad_request when over max_bytes.
result<std::string> read_bounded(const std::filesystem::path& p, std::size_t max_bytes);
// Copies src to dst through dst + ".part", fsynced, then renamed.
result<void> copy_file_synced(const std::filesystem::path& src, const std::filesystem::path& dst);
result<void> sync_dir(const std::filesystem::path& dir);
// fsyncs every directory under and including `dir` (files are synced as they are written).
result<void> sync_tree(const std::filesystem::path& dir);

}  // namespace converge::publish
