#include "publish/bundle_builder.hpp"

#include "trust/tuf_builder.hpp"

namespace converge::publish {

namespace tuf = trust::tuf;

result<bytes> build_bundle(const bundle_inputs& in, const role_signer& sign) {
  auto sign_text = [&](const nlohmann::json& signed_part, std::string_view role) -> result<std::string> {
    tuf::envelope e{signed_part, {}};
    if (auto s = sign(e, role); !s) return fail(s.error());
    return tuf::to_json(e).dump(2);
  };
  tuf::snapshot_metadata snap;
  snap.common = {std::string(tuf::default_spec_version), in.version, in.expires};
  snap.meta["targets.json"] = tuf::describe_meta(in.targets_version, as_bytes(in.targets_text));
  auto snap_text = sign_text(tuf::to_json(snap), "snapshot");
  if (!snap_text) return fail(snap_text.error());
  tuf::timestamp_metadata ts;
  ts.common = {std::string(tuf::default_spec_version), in.version, in.expires};
  ts.snapshot = tuf::describe_meta(in.version, as_bytes(*snap_text));
  auto ts_text = sign_text(tuf::to_json(ts), "timestamp");
  if (!ts_text) return fail(ts_text.error());
  trust::release_bundle b;
  b.channel = in.channel;
  b.roots = in.roots;
  b.timestamp = std::move(*ts_text);
  b.snapshot = std::move(*snap_text);
  b.targets = in.targets_text;
  b.revocation = in.revocation;
  return trust::encode_bundle(b);
}

}  // namespace converge::publish
