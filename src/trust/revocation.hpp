#pragma once
// The signed revocation list: a TUF-style document signed by the top-level
// "revocation" role that root defines (root.roles.revocation, threshold over
// root.keys). Keys are revoked by root rotation; releases by this list.
//
//   {"signed": {"_type": "revocation", "spec_version": "1.0.31", "version": 3,
//               "expires": "2030-01-01T00:00:00Z",
//               "channels": {"stable": {"min_sequence": 5,
//                                       "versions": ["1.3.0"],
//                                       "cids": ["bafy..."]}}},
//    "signatures": [...]}
//
// A release is revoked when its sequence is below its channel's min_sequence,
// its semver is listed, or any of its artifacts' (or deltas') CIDs is listed.
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "trust/release.hpp"

namespace converge::trust {

struct revocation_limits {
  std::size_t max_channels = 64;
  std::size_t max_entries = 4096;  // versions + cids per channel
};

struct channel_revocations {
  std::uint64_t min_sequence = 0;
  std::set<std::string> versions;
  std::set<std::string> cids;
};

struct revocation_list {
  tuf::common_fields common;
  std::map<std::string, channel_revocations> channels;
};

// Strict parse (schema only; no signature check). Errors name the field.
result<tuf::signed_metadata<revocation_list>> parse_revocation(std::string_view text, const revocation_limits& lim = {});
// The "signed" object for a list (sign it with tuf::sign_envelope).
nlohmann::json to_json(const revocation_list& r);
// Checks the list's signatures against root's "revocation" role.
result<void> verify_revocation(const tuf::root_metadata& root, const tuf::signed_metadata<revocation_list>& doc);

// Why a release is revoked ("" when it is not).
std::string revocation_reason(const revocation_list& list, const release& r);
// The same for an installed release known only by channel, sequence, semver and CID.
std::string revocation_reason(const revocation_list& list, std::string_view channel, std::uint64_t sequence,
                              std::string_view semver, std::string_view cid);

}  // namespace converge::trust
