// converge release frost dealer | dkg | sign: FROST(Ed25519) keys and a
// threshold signature on a metadata file (all signers in this process).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/rng.hpp"
#include "cmd_release_common.hpp"
#include "trust/frost.hpp"
#include "trust/frost_messages.hpp"
#include "trust/tuf_builder.hpp"

namespace converge::cli {
namespace {

using nlohmann::json;
namespace tuf = trust::tuf;
using namespace release_cmd;

// --- frost -------------------------------------------------------------------------------

void run_frost_dealer(unsigned t, unsigned n, const std::string& dir) {
  namespace frost = trust::frost;
  system_rng r;
  auto dealt = unwrap(frost::trusted_dealer_keygen(static_cast<std::uint16_t>(t), static_cast<std::uint16_t>(n), r),
                      "dealer");
  std::filesystem::create_directories(dir);
  for (const auto& s : dealt.shares) {
    auto kp = unwrap(frost::key_package_from_share(s), "share");
    write_text(dir + "/key-package-" + std::to_string(s.id) + ".json", frost::encode_key_package(kp), 0600);
  }
  write_text(dir + "/public-key-package.json", frost::encode_public_key_package(dealt.public_package));
  std::printf("%s: %u-of-%u FROST group, group key %s\n", dir.c_str(), t, n,
              to_hex(dealt.public_package.group_public_key.bytes).c_str());
}

// All participants' DKG rounds in one process (a rehearsal; real participants
// run dkg_part1..3 on their own machines and exchange the round messages).
void run_frost_dkg(unsigned t, unsigned n, const std::string& dir) {
  namespace frost = trust::frost;
  system_rng r;
  std::vector<frost::dkg_part1_output> p1;
  for (unsigned id = 1; id <= n; ++id)
    p1.push_back(unwrap(frost::dkg_part1(static_cast<frost::identifier>(id), static_cast<std::uint16_t>(t),
                                         static_cast<std::uint16_t>(n), r),
                        "dkg round 1"));
  std::vector<frost::dkg_part2_output> p2;
  for (const auto& me : p1) {
    std::vector<frost::dkg_round1_package> others;
    for (const auto& o : p1)
      if (o.package.sender != me.package.sender) others.push_back(o.package);
    p2.push_back(unwrap(frost::dkg_part2(me.secret, others), "dkg round 2"));
  }
  std::filesystem::create_directories(dir);
  std::optional<frost::public_key_package> pub;
  for (const auto& me : p2) {
    std::vector<frost::dkg_round2_package> mine;
    for (const auto& o : p2)
      for (const auto& pkg : o.packages)
        if (pkg.receiver == me.secret.id) mine.push_back(pkg);
    auto out = unwrap(frost::dkg_part3(me.secret, mine), "dkg round 3");
    write_text(dir + "/key-package-" + std::to_string(out.key.id) + ".json", frost::encode_key_package(out.key), 0600);
    pub = out.public_package;
  }
  write_text(dir + "/public-key-package.json", frost::encode_public_key_package(*pub));
  std::printf("%s: %u-of-%u FROST group by DKG, group key %s\n", dir.c_str(), t, n,
              to_hex(pub->group_public_key.bytes).c_str());
}

void run_frost_sign(const std::string& file, const std::string& group_path, const std::vector<std::string>& shares,
                    const std::string& out) {
  auto g = unwrap(publish::load_frost_group(group_path, shares));
  auto env = load_envelope(file);
  system_rng r;
  unwrap(publish::frost_sign(env, g, r));
  write_json(out.empty() ? file : out, tuf::to_json(env));
  std::printf("%s: FROST signature by %zu participants under group key %s\n", (out.empty() ? file : out).c_str(),
              g.shares.size(), tuf::ed25519_public_key(g.group.group_public_key.bytes).keyid.c_str());
}

void setup_release_frost(CLI::App& app) {
  auto* g = group(app);
  auto* frost = g->add_subcommand("frost", "FROST(Ed25519) threshold keys and signatures");
  frost->require_subcommand(1);
  auto fa = std::make_shared<std::tuple<unsigned, unsigned, std::string>>(2, 3, "");
  auto* dealer = frost->add_subcommand("dealer", "trusted-dealer key generation into a directory");
  auto* dkg = frost->add_subcommand("dkg", "Pedersen DKG, all participants in this process (rehearsal)");
  for (auto* c : {dealer, dkg}) {
    c->add_option("--min", std::get<0>(*fa), "threshold t")->required();
    c->add_option("--max", std::get<1>(*fa), "participants n")->required();
    c->add_option("--out-dir", std::get<2>(*fa), "directory for key-package-<id>.json and public-key-package.json")
        ->required();
  }
  dealer->callback([fa] { run_frost_dealer(std::get<0>(*fa), std::get<1>(*fa), std::get<2>(*fa)); });
  dkg->callback([fa] { run_frost_dkg(std::get<0>(*fa), std::get<1>(*fa), std::get<2>(*fa)); });
  auto fs = std::make_shared<std::tuple<std::string, std::string, std::vector<std::string>, std::string>>();
  auto* fsign = frost->add_subcommand("sign", "threshold-sign a metadata file with t key packages");
  fsign->add_option("FILE", std::get<0>(*fs), "metadata file")->required();
  fsign->add_option("--group", std::get<1>(*fs), "public key package")->required();
  fsign->add_option("--share", std::get<2>(*fs), "key package of a signer (repeat)")->required();
  fsign->add_option("-o,--output", std::get<3>(*fs), "write here instead of in place");
  fsign->callback([fs] { run_frost_sign(std::get<0>(*fs), std::get<1>(*fs), std::get<2>(*fs), std::get<3>(*fs)); });
}

}  // namespace

CONVERGE_COMMAND_GROUP("release", setup_release_frost);

}  // namespace converge::cli
