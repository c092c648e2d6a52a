#pragma once
// Writing TUF metadata: the typed roles back to the JSON that TUF tools
// read, for publishers. to_json(parse(x)) has the same canonical form as x's
// "signed" except for fields this code does not model (they are dropped).
// Sign the result with sign_envelope / add_signature (tuf_signing.hpp).
#include <nlohmann/json.hpp>

#include "trust/tuf_metadata.hpp"

namespace converge::trust::tuf {

inline constexpr std::string_view default_spec_version = "1.0.31";

nlohmann::json to_json(const root_metadata& r);
nlohmann::json to_json(const targets_metadata& t);
nlohmann::json to_json(const snapshot_metadata& s);
nlohmann::json to_json(const timestamp_metadata& t);

// A file entry as targets and snapshot list it: length plus sha256 and sha512 of the bytes.
target_file describe_target(bytes_view content, nlohmann::json custom = nullptr);
meta_file describe_meta(std::uint64_t version, bytes_view content);

}  // namespace converge::trust::tuf
