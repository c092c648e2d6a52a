#pragma once
// The last signing step of a release: snapshot over the signed targets
// document, timestamp over the snapshot, packed with new roots (and a
// revocation list) as a release bundle (trust/bundle.hpp).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trust/bundle.hpp"
#include "trust/tuf_signing.hpp"

namespace converge::publish {

struct bundle_inputs {
  std::string channel;
  std::string targets_text;               // the signed targets document, exact bytes
  std::uint64_t targets_version = 0;      // its version (= the release sequence)
  std::vector<std::string> roots;         // new roots to carry, oldest first
  std::optional<std::string> revocation;  // a signed revocation list
  std::uint64_t version = 0;              // snapshot and timestamp version
  std::int64_t expires = 0;               // snapshot and timestamp expiry, Unix seconds
};

// Signs one envelope for a role ("snapshot" or "timestamp").
using role_signer = std::function<result<void>(trust::tuf::envelope&, std::string_view role)>;

result<bytes> build_bundle(const bundle_inputs& in, const role_signer& sign);

}  // namespace converge::publish
