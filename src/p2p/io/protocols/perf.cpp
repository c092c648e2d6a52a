#include "p2p/io/protocols/perf.hpp"

#include <array>
#include <vector>

#include "p2p/io/errors.hpp"

namespace converge::p2p::io {
namespace {

constexpr std::size_t chunk = 64 * 1024;

}  // namespace

void enable_perf(host& h, perf_options options) {
  h.set_stream_handler(std::string(perf_protocol_id),
                       [options](stream s) -> task<void> { co_await serve_perf(std::move(s), options); });
}

task<void> serve_perf(stream s, perf_options options) {
  std::array<std::uint8_t, 8> head{};
  auto awaited = co_await s.read_exact(head);
  if (!awaited) {
    s.reset();
    co_return;
  }
  std::uint64_t want = 0;
  for (auto b : head) want = (want << 8) | b;
  if (want > options.max_download) {
    s.reset();
    co_return;
  }
  std::vector<std::uint8_t> buf(chunk);
  while (true) {
    auto n = co_await s.read_some(buf);
    if (!n) co_return;
    if (*n == 0) break;
  }
  std::fill(buf.begin(), buf.end(), std::uint8_t{0});
  while (want > 0) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(want, buf.size()));
    auto written = co_await s.write_all(bytes_view(buf.data(), n));
    if (!written) co_return;
    want -= n;
  }
  (void)s.close_write();
}

task<result<perf_result>> run_perf(std::shared_ptr<host> h, crypto::peer_id peer, std::uint64_t upload,
                                   std::uint64_t download) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> protocols(1, std::string(perf_protocol_id));
  auto s = co_await h->new_stream(peer, std::move(protocols));
  if (!s) co_return fail(s.error());
  std::vector<std::uint8_t> buf(chunk);
  for (int i = 0; i < 8; ++i) buf[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(download >> (56 - 8 * i));
  auto w = co_await s->write_all(bytes_view(buf.data(), 8));
  if (!w) co_return fail(w.error());
  std::fill(buf.begin(), buf.end(), std::uint8_t{0});
  perf_result out;
  while (out.uploaded < upload) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(upload - out.uploaded, buf.size()));
    w = co_await s->write_all(bytes_view(buf.data(), n));
    if (!w) co_return fail(w.error());
    out.uploaded += n;
  }
  // The server answers only after our FIN: have its protocol echo first (see finish_negotiation).
  auto negotiated = co_await s->finish_negotiation();
  if (!negotiated) co_return fail(negotiated.error());
  if (auto c = s->close_write(); !c) co_return fail(c.error());
  out.upload_time = std::chrono::steady_clock::now() - start;
  while (true) {
    auto n = co_await s->read_some(buf);
    if (!n) co_return fail(n.error());
    if (*n == 0) break;
    out.downloaded += *n;
    if (out.downloaded > download) {
      s->reset();
      co_return fail(io_errc::invalid_message, "perf: server sent more than the " + std::to_string(download) +
                                                   " bytes asked for");
    }
  }
  out.total = std::chrono::steady_clock::now() - start;
  if (out.downloaded != download)
    co_return fail(io_errc::invalid_message, "perf: got " + std::to_string(out.downloaded) + " of " +
                                                 std::to_string(download) + " bytes");
  co_return out;
}

}  // namespace converge::p2p::io
