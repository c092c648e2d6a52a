// Writes cases made by converge as JSON on stdout, for interop/crosscheck/js-verify.mjs
// to check with the js reference libraries. Usage: crosscheck_emit [count] [seed]
// Cases vary with the seed (converge's deterministic rng), so a failure reproduces.
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "multiformats/cid.hpp"
#include "multiformats/multiaddr.hpp"
#include "multiformats/multicodec.hpp"

using namespace converge;
using json = nlohmann::json;

namespace {

bytes random_bytes(rng& r, std::size_t n) {
  bytes b(n);
  r.fill(b);
  return b;
}

const char* js_type_name(crypto::key_type t) {
  switch (t) {
    case crypto::key_type::ed25519: return "Ed25519";
    case crypto::key_type::secp256k1: return "secp256k1";
    case crypto::key_type::ecdsa: return "ECDSA";
    case crypto::key_type::rsa: return "RSA";
  }
  return "?";
}

json make_key(crypto::key_type type, rng& r) {
  auto key = crypto::private_key::generate(type, r).value();
  auto id = crypto::peer_id::from_public_key(key.public_key());
  auto msg = random_bytes(r, 1 + r.uniform(200));
  return {{"type", js_type_name(type)},
          {"private_key", to_hex(key.to_protobuf())},
          {"public_key", to_hex(key.public_key().to_protobuf())},
          {"id", id.to_string()},
          {"cid", id.to_cid().to_string()},
          {"cid_base36", id.to_cid().to_string(mf::multibase::base36)},
          {"message", to_hex(msg)},
          {"signature", to_hex(key.sign(msg).value())}};
}

json make_cid(rng& r) {
  auto data = random_bytes(r, r.uniform(64));
  mf::multihash mh = [&] {
    switch (r.uniform(4)) {
      case 0: return mf::multihash::sum(mf::codec::sha2_256, data);
      case 1: return mf::multihash::sum(mf::codec::sha2_512, data);
      case 2: return mf::multihash::sum(mf::codec::blake2b_256, data);
      default: return mf::multihash::identity(bytes_view(data).first(std::min<std::size_t>(data.size(), 36))).value();
    }
  }();
  static constexpr std::uint64_t codecs[] = {mf::codec::raw, mf::codec::dag_pb, mf::codec::dag_cbor, mf::codec::dag_json,
                                             mf::codec::libp2p_key};
  bool v0 = mh.code() == mf::codec::sha2_256 && r.uniform(3) == 0;
  auto c = v0 ? mf::cid::v0(mh).value() : mf::cid::v1(codecs[r.uniform(5)], mh);
  json forms = {{"default", c.to_string()}};
  if (!v0) {
    for (auto b : {mf::multibase::base32, mf::multibase::base36, mf::multibase::base58btc, mf::multibase::base64url,
                   mf::multibase::base16, mf::multibase::base64})
      forms[std::string(mf::multibase_name(b))] = c.to_string(b);
  }
  return {{"bytes", to_hex(c.to_bytes())}, {"forms", forms}, {"v1", c.to_v1().to_string()}};
}

std::string random_ip6(rng& r) {
  char buf[8];
  std::string s;
  for (int i = 0; i < 8; ++i) {
    std::snprintf(buf, sizeof buf, "%x", r.uniform(3) == 0 ? 0u : static_cast<unsigned>(r.uniform(65536)));
    s += (i ? ":" : "") + std::string(buf);
  }
  return s;
}

std::string random_peer(rng& r) {
  auto key = crypto::private_key::generate(crypto::key_type::ed25519, r).value();
  return crypto::peer_id::from_public_key(key.public_key()).to_string();
}

std::string random_multiaddr_text(rng& r) {
  auto n = [&](std::uint64_t bound) { return std::to_string(r.uniform(bound)); };
  std::string s;
  switch (r.uniform(5)) {
    case 0: s = "/ip4/" + n(256) + "." + n(256) + "." + n(256) + "." + n(256); break;
    case 1: s = "/ip6/" + random_ip6(r); break;
    case 2: {
      static constexpr const char* dns[] = {"dns", "dns4", "dns6", "dnsaddr"};
      s = std::string("/") + dns[r.uniform(4)] + "/h" + n(1000) + ".example.test";
      break;
    }
    case 3: s = "/ip4/127.0.0.1"; break;
    default: s = "/ip6/::1"; break;
  }
  switch (r.uniform(5)) {
    case 0: s += "/tcp/" + n(65536); break;
    case 1: s += "/udp/" + n(65536) + "/quic-v1"; break;
    case 2: s += "/tcp/" + n(65536) + "/ws"; break;
    case 3: s += "/tcp/" + n(65536) + "/tls/ws"; break;
    default: s += "/tcp/" + n(65536) + "/wss"; break;
  }
  if (r.uniform(2) == 0) s += "/p2p/" + random_peer(r);
  if (r.uniform(5) == 0) s += "/p2p-circuit/p2p/" + random_peer(r);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 200;
  deterministic_rng r(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1);
  json out = {{"generator", "converge"}, {"keys", json::array()}, {"cids", json::array()}, {"multiaddrs", json::array()}};
  for (auto [type, n] : {std::pair{crypto::key_type::ed25519, 8}, {crypto::key_type::secp256k1, 8},
                         {crypto::key_type::ecdsa, 4}, {crypto::key_type::rsa, 2}})
    for (int i = 0; i < n; ++i) out["keys"].push_back(make_key(type, r));
  for (int i = 0; i < count; ++i) out["cids"].push_back(make_cid(r));
  for (int i = 0; i < count; ++i) {
    auto ma = mf::multiaddr::parse(random_multiaddr_text(r)).value();
    out["multiaddrs"].push_back({{"text", ma.to_string()}, {"bytes", to_hex(ma.to_bytes())}});
  }
  std::puts(out.dump(1).c_str());
  return 0;
}
