#include "trust/bundle_check.hpp"

namespace converge::trust {

result<checked_bundle> check_bundle(std::string_view trusted_root, bytes_view data, wall_time now,
                                    const release_client_options& opts) {
  if (data.size() > opts.bundle.max_bytes)
    return fail(trust_errc::too_large, "bundle is " + std::to_string(data.size()) + " bytes, limit " +
                                           std::to_string(opts.bundle.max_bytes));
  auto b = parse_bundle(data, opts.bundle);
  if (!b) return fail(b.error());
  auto client = tuf::tuf_client::create(trusted_root, opts.tuf);
  if (!client) return fail(with_context(client.error(), "trusted root"));
  for (std::size_t i = 0; i < b->roots.size(); ++i) {
    auto parsed = tuf::parse_root(b->roots[i], opts.tuf.metadata);
    if (!parsed) return fail(with_context(parsed.error(), "bundle.roots[" + std::to_string(i) + "]"));
    if (parsed->role.common.version <= client->root().common.version) continue;  // already trusted
    if (auto r = client->update_root(b->roots[i]); !r)
      return fail(with_context(r.error(), "bundle.roots[" + std::to_string(i) + "]"));
  }
  if (auto r = client->update_timestamp(b->timestamp, now); !r) return fail(r.error());
  if (auto r = client->update_snapshot(b->snapshot, now); !r) return fail(r.error());
  if (auto r = client->update_targets(b->targets, now); !r) return fail(r.error());
  auto rel = release_from_targets(*client->targets(), opts.release);
  if (!rel) return fail(rel.error());
  if (rel->channel != b->channel)
    return fail(trust_errc::not_for_device, "targets is a release for channel \"" + rel->channel +
                                                "\", the bundle says \"" + b->channel + "\"");
  if (b->revocation) {
    auto doc = parse_revocation(*b->revocation);
    if (!doc) return fail(with_context(doc.error(), "revocation list"));
    if (auto v = verify_revocation(client->root(), *doc); !v) return fail(with_context(v.error(), "revocation list"));
    if (doc->role.common.expires <= tuf::unix_seconds(now))
      return fail(trust_errc::expired, "revocation list version " + std::to_string(doc->role.common.version) +
                                           " expired at " + tuf::format_expires(doc->role.common.expires));
    if (auto why = revocation_reason(doc->role, *rel); !why.empty())
      return fail(trust_errc::revoked, "release " + rel->semver + " (sequence " + std::to_string(rel->sequence) +
                                           "): " + why);
  }
  checked_bundle out;
  out.release_hash = sha256_hex(b->targets);
  out.rel = std::move(*rel);
  return out;
}

}  // namespace converge::trust
