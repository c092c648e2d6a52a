#include "crypto/peer_record.hpp"

#include "crypto/peer_record.pb.h"

namespace converge::crypto {

bytes peer_record::to_protobuf() const {
  pb::PeerRecord m;
  const bytes& id_bytes = id.to_bytes();
  m.set_peer_id(id_bytes.data(), id_bytes.size());
  m.set_seq(seq);
  for (const auto& a : addresses) m.add_addresses()->set_multiaddr(a.data(), a.size());
  bytes out(m.ByteSizeLong());
  m.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

std::vector<mf::multiaddr> peer_record::multiaddrs() const {
  std::vector<mf::multiaddr> out;
  out.reserve(addresses.size());
  for (const auto& a : addresses)
    if (auto m = mf::multiaddr::from_bytes(a)) out.push_back(std::move(*m));
  return out;
}

result<peer_record> peer_record::from_protobuf(bytes_view data) {
  if (data.size() > max_envelope_size)
    return fail(crypto_errc::invalid_record, "peer record over " + std::to_string(max_envelope_size) + " bytes");
  pb::PeerRecord m;
  if (!m.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return fail(crypto_errc::invalid_record, "not a valid PeerRecord protobuf");
  auto id = peer_id::from_bytes(as_bytes(m.peer_id()));
  if (!id) return fail(with_context(id.error(), "peer record peer_id"));
  if (static_cast<std::size_t>(m.addresses_size()) > max_peer_record_addresses)
    return fail(crypto_errc::invalid_record, "peer record has " + std::to_string(m.addresses_size()) +
                                                 " addresses, limit " + std::to_string(max_peer_record_addresses));
  peer_record r{std::move(*id), m.seq(), {}};
  r.addresses.reserve(static_cast<std::size_t>(m.addresses_size()));
  for (const auto& a : m.addresses()) {
    if (a.multiaddr().empty() || a.multiaddr().size() > max_multiaddr_bytes)
      return fail(crypto_errc::invalid_record, "peer record address of " + std::to_string(a.multiaddr().size()) +
                                                   " bytes (must be 1.." + std::to_string(max_multiaddr_bytes) + ")");
    r.addresses.push_back(to_bytes(as_bytes(a.multiaddr())));
  }
  return r;
}

result<envelope> seal_peer_record(const private_key& key, const peer_record& record) {
  if (!record.id.matches(key.public_key()))
    return fail(crypto_errc::peer_id_mismatch, "record is for " + record.id.to_base58() + ", key is " +
                                                   peer_id::from_public_key(key.public_key()).to_base58());
  if (record.addresses.size() > max_peer_record_addresses)
    return fail(crypto_errc::invalid_record, "too many addresses");
  return envelope::seal(key, peer_record_domain, peer_record_payload_type, record.to_protobuf());
}

result<signed_peer_record> open_peer_record(bytes_view envelope_bytes) {
  auto env = envelope::open(envelope_bytes, peer_record_domain, peer_record_payload_type);
  if (!env) return fail(env.error());
  auto rec = peer_record::from_protobuf(env->payload());
  if (!rec) return fail(rec.error());
  if (!rec->id.matches(env->key()))
    return fail(crypto_errc::peer_id_mismatch, "record names " + rec->id.to_base58() + " but is signed by " +
                                                   env->signer().to_base58());
  return signed_peer_record{std::move(*env), std::move(*rec)};
}

}  // namespace converge::crypto
