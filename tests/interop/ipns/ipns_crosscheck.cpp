// IPNS records across implementations (npm `ipns` <-> converge).
//   ipns_crosscheck read <js-records.json>: every js record validates in
//     converge with the fields js reports, and for Ed25519 converge re-creates
//     the same bytes from the same key and fields.
//   ipns_crosscheck emit: prints converge-made records (Ed25519, secp256k1,
//     RSA; V1+V2 and V2-only; a selection group; one forged record) for
//     interop/ipns/js-verify.mjs.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ipns/record.hpp"

using namespace converge;
using json = nlohmann::json;

namespace {

const wall_time now_ref = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25};

int read_js(const char* file) {
  std::ifstream in(file);
  json cases = json::parse(in);
  int failures = 0;
  for (const auto& c : cases) {
    auto fail_case = [&](const std::string& why) {
      ++failures;
      std::cerr << c["key_type"].get<std::string>() << " seq " << c["sequence"].get<std::string>() << ": " << why << "\n";
    };
    auto rec = *from_hex(c["record"].get<std::string>());
    auto name = ipns::parse_name(c["name"].get<std::string>());
    if (!name) {
      fail_case("name: " + name.error().message());
      continue;
    }
    if (ipns::name_string(*name) != c["name"].get<std::string>()) fail_case("base36 name differs");
    if (to_hex(ipns::routing_key(*name)) != c["routing_key"].get<std::string>()) fail_case("routing key differs");
    auto r = ipns::validate(*name, rec, now_ref);
    if (!r) {
      fail_case(r.error().message());
      continue;
    }
    if (as_chars(r->value) != c["value"].get<std::string>()) fail_case("value differs");
    if (std::to_string(r->sequence) != c["sequence"].get<std::string>()) fail_case("sequence differs");
    if (std::to_string(r->ttl_ns) != c["ttl"].get<std::string>()) fail_case("ttl differs");
    if (r->validity != c["validity"].get<std::string>()) fail_case("validity differs");
    if (r->has_v1 != c["v1"].get<bool>()) fail_case("V1 presence differs");
    if (c["key_type"] == "Ed25519") {
      auto key = crypto::private_key::from_protobuf(*from_hex(c["private_key"].get<std::string>()));
      auto again = ipns::create(*key, r->value, r->sequence, r->eol, ipns::create_options{r->ttl_ns, r->has_v1});
      if (!again || *again != rec) fail_case("converge re-creates different bytes");
    }
  }
  std::cout << cases.size() << " js records checked, " << failures << " failures\n";
  return failures == 0 && cases.size() >= 10 ? 0 : 1;
}

int emit() {
  using namespace std::chrono;
  json out = json::array();
  deterministic_rng rng(77);
  const std::string value = "/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
  auto add = [&](const crypto::private_key& k, const std::string& type, std::uint64_t seq, wall_time eol,
                 std::uint64_t ttl, bool v1, json extra = json::object()) {
    auto rec = ipns::create(k, as_bytes(value), seq, eol, ipns::create_options{ttl, v1});
    if (!rec) throw std::runtime_error(rec.error().message());
    auto id = crypto::peer_id::from_public_key(k.public_key());
    json c = {{"label", type + " seq " + std::to_string(seq)},
              {"key_type", type},
              {"private_key", to_hex(k.to_protobuf())},
              {"routing_key", to_hex(ipns::routing_key(id))},
              {"value", value},
              {"sequence", std::to_string(seq)},
              {"validity", ipns::format_rfc3339(eol)},
              {"ttl", std::to_string(ttl)},
              {"v1", v1},
              {"record", to_hex(*rec)}};
    c.update(extra);
    out.push_back(c);
    return c;
  };
  const wall_time eol = sys_days{year{2031} / 3 / 4} + 5h + 6min + 7s + 891011121ns;
  for (int i = 0; i < 6; ++i) {
    auto k = *crypto::private_key::generate(crypto::key_type::ed25519, rng);
    add(k, "Ed25519", 1 + 1000 * static_cast<std::uint64_t>(i), eol + hours{i}, 300'000'000'000ull + i, i % 2 == 0);
  }
  add(*crypto::private_key::generate(crypto::key_type::secp256k1, rng), "secp256k1", 42, eol, 1, true);
  add(*crypto::private_key::generate(crypto::key_type::rsa, rng), "RSA", 43, eol, 2, true);
  add(*crypto::private_key::generate(crypto::key_type::rsa, rng), "RSA", 44, eol, 3, false);
  // A selection group: converge and js must pick the same record.
  auto k = *crypto::private_key::generate(crypto::key_type::ed25519, rng);
  add(k, "Ed25519", 3, eol + 900h, 5, true, {{"select_group", 1}});
  add(k, "Ed25519", 5, eol, 5, true, {{"select_group", 1}});
  add(k, "Ed25519", 5, eol + 1h, 5, true, {{"select_group", 1}, {"select_best", true}});
  add(k, "Ed25519", 4, eol + 2h, 5, false, {{"select_group", 1}});
  // A forged record: the signature of another key. js must refuse it too.
  auto forged = add(k, "Ed25519", 9, eol, 5, true, {{"invalid", true}});
  auto other = *crypto::private_key::generate(crypto::key_type::ed25519, rng);
  auto other_rec = ipns::create(other, as_bytes(value), 9, eol, ipns::create_options{5, true});
  out.back()["record"] = to_hex(*other_rec);
  out.back()["key_type"] = "forged";
  std::cout << out.dump(1) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "read") return read_js(argv[2]);
  if (argc == 2 && std::string(argv[1]) == "emit") return emit();
  std::cerr << "usage: ipns_crosscheck read FILE | emit\n";
  return 2;
}
