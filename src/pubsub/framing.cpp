#include "pubsub/framing.hpp"

#include <string>

#include "base/varint.hpp"
#include "pubsub/errors.hpp"

namespace converge::pubsub {

result<void> frame_decoder::check_prefix() {
  auto v = decode_uvarint(bytes_view(buf_).subspan(pos_));
  if (!v) {
    if (v.error().code == base_errc::truncated) return ok();
    failed_ = true;
    return fail(pubsub_errc::malformed_frame, "RPC length prefix: " + v.error().message());
  }
  if (v->value > max_) {
    failed_ = true;
    return fail(pubsub_errc::rpc_too_large,
                "RPC frame of " + std::to_string(v->value) + " bytes exceeds max_rpc_size " + std::to_string(max_));
  }
  return ok();
}

result<void> frame_decoder::handle_input(bytes_view data) {
  if (failed_) return fail(pubsub_errc::malformed_frame, "frame decoder already failed");
  // Compact consumed bytes before growing, so the buffer stays within one frame.
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > max_ / 2) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  // The first pending frame's prefix is checked here, later ones as next_frame() reaches them.
  append(buf_, data);
  return check_prefix();
}

std::optional<bytes> frame_decoder::next_frame() {
  if (failed_) return std::nullopt;
  auto v = decode_uvarint(bytes_view(buf_).subspan(pos_));
  if (!v) {
    if (v.error().code != base_errc::truncated) failed_ = true;
    return std::nullopt;
  }
  if (v->value > max_) {
    failed_ = true;
    return std::nullopt;
  }
  std::size_t need = v->size + static_cast<std::size_t>(v->value);
  if (buf_.size() - pos_ < need) return std::nullopt;
  auto start = buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + v->size);
  bytes out(start, start + static_cast<std::ptrdiff_t>(v->value));
  pos_ += need;
  return out;
}

bytes encode_frame(bytes_view rpc) {
  bytes out;
  out.reserve(rpc.size() + max_varint_bytes);
  append_uvarint(out, rpc.size());
  append(out, rpc);
  return out;
}

result<pb::RPC> decode_rpc(bytes_view data, std::size_t max_rpc_size) {
  if (data.size() > max_rpc_size)
    return fail(pubsub_errc::rpc_too_large,
                "RPC of " + std::to_string(data.size()) + " bytes exceeds " + std::to_string(max_rpc_size));
  pb::RPC rpc;
  if (!rpc.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return fail(pubsub_errc::malformed_rpc, "RPC protobuf of " + std::to_string(data.size()) + " bytes does not parse");
  return rpc;
}

bytes encode_rpc(const pb::RPC& rpc) {
  bytes out(rpc.ByteSizeLong());
  rpc.SerializeWithCachedSizesToArray(out.data());
  return out;
}

}  // namespace converge::pubsub
