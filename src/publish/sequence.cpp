#include "publish/sequence.hpp"

#include "publish/errors.hpp"
#include "trust/bundle.hpp"

namespace converge::publish {

namespace tuf = trust::tuf;

result<network_release> read_network_bundle(bytes_view value, const tuf::root_metadata& root,
                                            std::string_view channel) {
  auto b = trust::parse_bundle(value);
  if (!b) return fail(publish_errc::network, "not a release bundle: " + b.error().message());
  if (b->channel != channel)
    return fail(publish_errc::network, "a bundle for channel '" + b->channel + "', not '" + std::string(channel) + "'");
  auto t = tuf::parse_targets(b->targets);
  if (!t) return fail(publish_errc::network, "bundle targets: " + t.error().message());
  if (auto v = tuf::verify_role(root, "targets", t->env); !v)
    return fail(publish_errc::network, "bundle targets not signed under the workspace's root: " + v.error().message());
  auto rel = trust::release_from_targets(t->role);
  if (!rel) return fail(publish_errc::network, "bundle release: " + rel.error().message());
  if (rel->channel != channel) return fail(publish_errc::network, "bundle release is for channel " + rel->channel);
  network_release n;
  n.sequence = rel->sequence;
  n.semver = rel->semver;
  n.targets_text = b->targets;
  n.targets_hash = trust::sha256_hex(b->targets);
  n.bundle.assign(value.begin(), value.end());
  return n;
}

result<sequence_choice> choose_sequence(const std::vector<stored_release>& history,
                                        const std::optional<network_release>& net) {
  sequence_choice c;
  const stored_release* last = history.empty() ? nullptr : &history.back();
  if (net) {
    for (const auto& s : history)
      if (s.sequence == net->sequence && s.targets_hash != net->targets_hash)
        return fail(publish_errc::conflict,
                    "sequence " + std::to_string(s.sequence) + " exists twice: the workspace's release " + s.semver +
                        " (targets sha256 " + s.targets_hash + ") and the network's release " + net->semver +
                        " (targets sha256 " + net->targets_hash + ")");
  }
  if (net && (!last || net->sequence > last->sequence)) {
    c.sequence = net->sequence + 1;
    c.previous = net->targets_hash;
    c.adopt_network = true;
  } else if (last) {
    c.sequence = last->sequence + 1;
    c.previous = last->targets_hash;
  }
  return c;
}

}  // namespace converge::publish
