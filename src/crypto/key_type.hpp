#pragma once
// The libp2p key types, numbered as in the KeyType protobuf enum.
#include <optional>
#include <string_view>

namespace converge::crypto {

enum class key_type : int {
  rsa = 0,
  ed25519 = 1,
  secp256k1 = 2,
  ecdsa = 3,
};

// "rsa", "ed25519", "secp256k1", "ecdsa": the names the CLI and JSON output use.
std::string_view key_type_name(key_type t);
std::optional<key_type> key_type_from_name(std::string_view name);
// The protobuf enum number, if it names a known type.
std::optional<key_type> key_type_from_number(long long n);

}  // namespace converge::crypto
