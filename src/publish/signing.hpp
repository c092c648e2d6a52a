#pragma once
// Release signing keys as the publisher holds them, and signing a metadata
// envelope for one role of a root.
//
// A key file (written by `converge release keygen`, mode 0600), Ed25519:
//   {"type": "converge-release-key", "keytype": "ed25519", "seed": "<64 hex>",
//    "public": "<64 hex>", "keyid": "<sha256 hex of the TUF key object>"}
// or ECDSA P-256 / RSA-PSS (trust/tuf_pem_signer.hpp):
//   {"type": "converge-release-key", "keytype": "ecdsa" | "rsa",
//    "scheme": "ecdsa-sha2-nistp256" | "rsassa-pss-sha256",
//    "private": "<PKCS#8 PEM>", "public": "<PEM>", "keyid": "<...>"}
// The keyid is informative: it is recomputed from the key when loaded.
// A FROST group: the public key package and t key packages (trust/frost_messages.hpp).
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/rng.hpp"
#include "trust/frost_messages.hpp"
#include "trust/tuf_metadata.hpp"
#include "trust/tuf_signing.hpp"

namespace converge::publish {

using signer_ptr = std::unique_ptr<trust::tuf::signer>;

// The key file's JSON for a 32-byte Ed25519 seed.
nlohmann::json make_key_file(std::span<const std::uint8_t, 32> seed);
// The key file's JSON for a new key of the scheme (Ed25519 seeds come from r).
result<nlohmann::json> generate_key_file(trust::tuf::key_scheme scheme, rng& r);
// Reads a key file; publish_errc::keys naming the path when it is not one.
result<signer_ptr> load_key_file(const std::string& path);
// The same for a key file's text; name goes into the errors.
result<signer_ptr> parse_key_file(std::string_view text, const std::string& name);

struct frost_group {
  trust::frost::public_key_package group;
  std::vector<trust::frost::key_package> shares;  // sorted by identifier
};
result<frost_group> load_frost_group(const std::string& public_package_path, const std::vector<std::string>& share_paths);
// One FROST signing session in this process (all t shares here); adds the aggregate signature under the group key.
result<void> frost_sign(trust::tuf::envelope& env, const frost_group& g, rng& r);

struct signing_keys {
  std::vector<signer_ptr> signers;  // key files of any scheme
  std::optional<frost_group> frost;
};

// Signs env with every key that root authorises for `role` (Ed25519 key
// files of any scheme, and the FROST group when its key is one of the role's), then checks
// the role's threshold: publish_errc::keys naming the role and the counts
// when the given keys cannot meet it.
result<void> sign_role(trust::tuf::envelope& env, const trust::tuf::root_metadata& root, std::string_view role,
                       const signing_keys& keys, rng& r);

}  // namespace converge::publish
