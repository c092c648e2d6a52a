// converge cid inspect CID | converge multiaddr inspect MULTIADDR: decode and
// describe content identifiers and multiaddrs, as lines or as JSON.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "command_registry.hpp"
#include "multiformats/cid.hpp"
#include "multiformats/multiaddr.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::cli {
namespace {

struct inspect_args {
  std::string input;
  bool json = false;
  bool hex = false;  // input is the binary form, hex-encoded
};

std::string code_hex(std::uint64_t code) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(code));
  return buf;
}

std::string name_or_unknown(std::uint64_t code) { return std::string(mf::codec_name(code).value_or("unknown")); }

nlohmann::json name_json(std::uint64_t code) {
  auto n = mf::codec_name(code);
  return n ? nlohmann::json(std::string(*n)) : nlohmann::json(nullptr);
}

// A v0 form exists only for dag-pb content hashed with full sha2-256.
std::optional<mf::cid> v0_form(const mf::cid& c) {
  if (c.codec() != mf::codec::dag_pb) return std::nullopt;
  auto v0 = mf::cid::v0(c.hash());
  if (!v0) return std::nullopt;
  return std::move(*v0);
}

mf::cid read_cid(const inspect_args& a) {
  if (a.hex) return unwrap(mf::cid::from_bytes(unwrap(from_hex(a.input), "CID hex")), "CID");
  return unwrap(mf::cid::parse(a.input), "CID");
}

void run_cid_inspect(const inspect_args& a) {
  auto c = read_cid(a);
  const auto& mh = c.hash();
  auto v0 = v0_form(c);
  auto v1 = c.to_v1();
  if (a.json) {
    nlohmann::json j{
        {"cid", c.to_string()},
        {"version", c.version()},
        {"codec", {{"name", name_json(c.codec())}, {"code", c.codec()}}},
        {"multihash",
         {{"name", name_json(mh.code())}, {"code", mh.code()}, {"length", mh.digest().size()}, {"digest", to_hex(mh.digest())}}},
        {"bytes", to_hex(c.to_bytes())},
        {"forms",
         {{"v0", v0 ? nlohmann::json(v0->to_string()) : nlohmann::json(nullptr)},
          {"base32", v1.to_string(mf::multibase::base32)},
          {"base36", v1.to_string(mf::multibase::base36)},
          {"base58btc", v1.to_string(mf::multibase::base58btc)}}},
    };
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("cid        %s\n", c.to_string().c_str());
  std::printf("version    %u\n", c.version());
  std::printf("codec      %s (%s)\n", name_or_unknown(c.codec()).c_str(), code_hex(c.codec()).c_str());
  std::printf("multihash  %s (%s), %zu-byte digest\n", name_or_unknown(mh.code()).c_str(), code_hex(mh.code()).c_str(),
              mh.digest().size());
  std::printf("digest     %s\n", to_hex(mh.digest()).c_str());
  std::printf("bytes      %s\n", to_hex(c.to_bytes()).c_str());
  std::printf("v0         %s\n", v0 ? v0->to_string().c_str() : "(none: v0 is dag-pb with sha2-256 only)");
  std::printf("base32     %s\n", v1.to_string(mf::multibase::base32).c_str());
  std::printf("base36     %s\n", v1.to_string(mf::multibase::base36).c_str());
  std::printf("base58btc  %s\n", v1.to_string(mf::multibase::base58btc).c_str());
}

void run_multiaddr_inspect(const inspect_args& a) {
  auto m = a.hex ? unwrap(mf::multiaddr::from_bytes(unwrap(from_hex(a.input), "multiaddr hex")), "multiaddr")
                 : unwrap(mf::multiaddr::parse(a.input), "multiaddr");
  if (a.json) {
    auto parts = nlohmann::json::array();
    for (const auto& c : m.components()) {
      nlohmann::json p{{"name", std::string(c.name)}, {"code", c.code}};
      if (mf::find_protocol(c.code)->size_bits != 0) {
        p["value"] = c.value_string();
        p["value_hex"] = to_hex(c.value);
      }
      parts.push_back(std::move(p));
    }
    nlohmann::json j{{"multiaddr", m.to_string()}, {"bytes", to_hex(m.to_bytes())}, {"components", std::move(parts)}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("multiaddr  %s\n", m.to_string().c_str());
  std::printf("bytes      %s (%zu bytes)\n", to_hex(m.to_bytes()).c_str(), m.to_bytes().size());
  for (const auto& c : m.components()) {
    std::string head = std::string(c.name) + " (" + std::to_string(c.code) + ")";
    if (mf::find_protocol(c.code)->size_bits == 0) {
      std::printf("  %s\n", head.c_str());
    } else {
      std::printf("  %-22s %s  [%s]\n", head.c_str(), c.value_string().c_str(), to_hex(c.value).c_str());
    }
  }
}

CLI::App* add_inspect(CLI::App* group, const std::shared_ptr<inspect_args>& args, const char* what, const char* help) {
  auto* inspect = group->add_subcommand("inspect", help);
  inspect->add_option(what, args->input, std::string("the ") + what + " (text, or hex bytes with --hex)")->required();
  inspect->add_flag("--json", args->json, "print one JSON object");
  inspect->add_flag("--hex", args->hex, "the argument is the binary form in hex");
  return inspect;
}

void setup_cid(CLI::App& app) {
  auto* group = app.add_subcommand("cid", "content identifiers (CIDv0 and CIDv1)");
  group->require_subcommand(1);
  auto args = std::make_shared<inspect_args>();
  add_inspect(group, args, "CID", "show a CID's version, codec, multihash and its forms in several bases")
      ->callback([args] { run_cid_inspect(*args); });
}

void setup_multiaddr(CLI::App& app) {
  auto* group = app.add_subcommand("multiaddr", "multiaddrs (self-describing network addresses)");
  group->require_subcommand(1);
  auto args = std::make_shared<inspect_args>();
  add_inspect(group, args, "MULTIADDR", "show a multiaddr's components and binary form")
      ->callback([args] { run_multiaddr_inspect(*args); });
}

CONVERGE_COMMAND_GROUP("cid", setup_cid);
CONVERGE_COMMAND_GROUP("multiaddr", setup_multiaddr);

}  // namespace
}  // namespace converge::cli
