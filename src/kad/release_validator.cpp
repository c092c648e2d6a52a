#include "kad/release_validator.hpp"

#include <algorithm>

namespace converge::kad {

namespace {
bool valid_channel(std::string_view c) {
  if (c.empty() || c.size() > 64) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
  });
}
}  // namespace

result<bytes> release_key(std::string_view channel) {
  if (!valid_channel(channel))
    return fail(kad_errc::invalid_argument, "channel \"" + std::string(channel.substr(0, 80)) +
                                                "\" is not 1..64 characters of [a-z0-9._-]");
  return concat(as_bytes(release_key_prefix), as_bytes(channel));
}

result<void> release_bundle_validator::validate(bytes_view key, bytes_view value, wall_time now) const {
  last_now_ = now;
  auto k = as_chars(key);
  if (!k.starts_with(release_key_prefix))
    return fail(kad_errc::invalid_record, "a release key must start with \"/unimaker/version/\"");
  auto channel = k.substr(release_key_prefix.size());
  if (!valid_channel(channel)) return fail(kad_errc::invalid_record, "release key names no valid channel");
  auto rel = verify_(value, now);
  if (!rel) return fail(kad_errc::invalid_record, "release bundle refused: " + rel.error().message());
  if (rel->channel != channel)
    return fail(kad_errc::invalid_record,
                "bundle is for channel \"" + rel->channel + "\", key names \"" + std::string(channel) + "\"");
  return ok();
}

std::size_t release_bundle_validator::select(bytes_view, std::span<const bytes> values) const {
  std::size_t best = 0;
  std::optional<std::uint64_t> best_seq;
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto rel = verify_(values[i], last_now_);
    if (!rel) continue;
    if (!best_seq || rel->sequence > *best_seq) {
      best = i;
      best_seq = rel->sequence;
    }
  }
  return best;
}

}  // namespace converge::kad
