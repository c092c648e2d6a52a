#pragma once
// perf (/perf/1.0.0, libp2p/specs perf/perf.md): the client sends the number
// of bytes it wants back as an 8-byte big-endian integer, then uploads its
// bytes and closes its write side; the server drains the upload, then sends
// the requested bytes and closes.
#include <cstdint>
#include <memory>

#include "p2p/io/host.hpp"

namespace converge::p2p::io {

inline constexpr std::string_view perf_protocol_id = "/perf/1.0.0";

struct perf_options {
  std::uint64_t max_download = std::uint64_t{64} << 30;  // the server refuses larger requests
};

struct perf_result {
  std::uint64_t uploaded = 0;
  std::uint64_t downloaded = 0;
  duration upload_time{};  // until the upload was handed to the connection
  duration total{};        // until the last downloaded byte
};

// Registers the perf server on `h`.
void enable_perf(host& h, perf_options options = {});
task<void> serve_perf(stream s, perf_options options);
task<result<perf_result>> run_perf(std::shared_ptr<host> h, crypto::peer_id peer, std::uint64_t upload,
                                   std::uint64_t download);

}  // namespace converge::p2p::io
