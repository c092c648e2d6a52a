// converge key gen|inspect and converge peerid parse: libp2p identities.
//
// Key files are the protobuf PrivateKey go-libp2p-daemon's -id flag reads,
// or, with --passphrase-file, the encrypted converge-key-v1 container
// (src/crypto/key_file.hpp). Files are written with mode 0600.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "command_registry.hpp"
#include "crypto/key_file.hpp"
#include "crypto/peer_id.hpp"

namespace converge::cli {
namespace {

struct gen_args {
  std::string type = "ed25519";
  unsigned bits = 0;
  std::string out;
  std::string passphrase_file;
  bool force = false;
};

struct inspect_args {
  std::string path;
  std::string passphrase_file;
  bool json = false;
};

std::optional<std::string> read_passphrase(const std::string& path) {
  if (path.empty()) return std::nullopt;
  auto raw = unwrap(read_file(path), "reading passphrase file");
  std::string pass(as_chars(raw));
  // One trailing line break is the editor's, not the passphrase's.
  if (pass.ends_with("\r\n"))
    pass.resize(pass.size() - 2);
  else if (pass.ends_with('\n'))
    pass.pop_back();
  if (pass.empty()) throw cli_error("passphrase file " + path + " is empty");
  return pass;
}

// Escapes a string for JSON (our values are base58/base32/hex, but be exact).
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void run_gen(const gen_args& a) {
  auto type = crypto::key_type_from_name(a.type);
  if (!type) throw cli_error("unknown key type '" + a.type + "' (ed25519, secp256k1, ecdsa, rsa)");
  if (a.bits != 0 && *type != crypto::key_type::rsa) throw cli_error("--bits applies to RSA keys only");
  std::error_code ec;
  if (!a.force && std::filesystem::symlink_status(a.out, ec).type() != std::filesystem::file_type::not_found)
    throw cli_error(a.out + " already exists (use --force to replace it)");
  auto pass = read_passphrase(a.passphrase_file);
  system_rng r;
  auto key = unwrap(crypto::private_key::generate(*type, r, a.bits == 0 ? crypto::default_rsa_bits : a.bits),
                    "generating key");
  unwrap(crypto::write_private_key_file(a.out, key, pass), "writing key file");
  std::printf("%s: %s key%s, peer ID %s\n", a.out.c_str(), std::string(crypto::key_type_name(*type)).c_str(),
              pass ? " (encrypted)" : "", crypto::peer_id::from_public_key(key.public_key()).to_base58().c_str());
}

void run_inspect(const inspect_args& a) {
  auto data = unwrap(read_file(a.path), "reading key file");
  auto pass = read_passphrase(a.passphrase_file);
  auto decoded = crypto::decode_private_key_file(data, pass);
  if (!decoded && decoded.error().code == crypto::crypto_errc::passphrase_required)
    throw cli_error(a.path + ": the key file is encrypted: pass --passphrase-file");
  auto key = unwrap(std::move(decoded), a.path);
  const auto& pub = key.public_key();
  auto id = crypto::peer_id::from_public_key(pub);
  std::string type(crypto::key_type_name(key.type()));
  std::string b32 = id.to_cid_string(mf::multibase::base32);
  std::string b36 = id.to_cid_string(mf::multibase::base36);
  std::string pub_hex = to_hex(pub.to_protobuf());
  if (a.json) {
    std::printf("{\"id\":%s,\"type\":%s,\"cid\":%s,\"cid_base36\":%s,\"public_key\":%s}\n",
                json_string(id.to_base58()).c_str(), json_string(type).c_str(), json_string(b32).c_str(),
                json_string(b36).c_str(), json_string(pub_hex).c_str());
    return;
  }
  std::printf("type          %s%s\n", type.c_str(), crypto::is_encrypted_key_file(data) ? " (encrypted file)" : "");
  std::printf("peer id       %s\n", id.to_base58().c_str());
  std::printf("cid base32    %s\n", b32.c_str());
  std::printf("cid base36    %s\n", b36.c_str());
  std::printf("public key    %s\n", pub_hex.c_str());
}

void run_peerid_parse(const std::string& text) {
  auto id = unwrap(crypto::peer_id::parse(text), "parsing peer ID");
  std::printf("base58btc     %s\n", id.to_base58().c_str());
  std::printf("cid base32    %s\n", id.to_cid_string(mf::multibase::base32).c_str());
  std::printf("cid base36    %s\n", id.to_cid_string(mf::multibase::base36).c_str());
  std::printf("multihash     %s (%s)\n", to_hex(id.to_bytes()).c_str(),
              id.has_embedded_key() ? "identity: the public key is inline" : "sha2-256 of the public key");
  if (auto key = id.extract_public_key()) {
    std::printf("key type      %s\n", std::string(crypto::key_type_name(key->type())).c_str());
    std::printf("public key    %s\n", to_hex(key->to_protobuf()).c_str());
  }
}

void setup_key(CLI::App& app) {
  auto* group = app.add_subcommand("key", "generate and inspect libp2p private keys");
  group->require_subcommand(1);

  auto ga = std::make_shared<gen_args>();
  auto* gen = group->add_subcommand("gen", "generate a private key file (mode 0600)");
  gen->add_option("--type", ga->type, "key type (default ed25519)")
      ->check(CLI::IsMember({"ed25519", "secp256k1", "ecdsa", "rsa"}));
  gen->add_option("--bits", ga->bits, "RSA modulus size (default 2048)")->check(CLI::Range(2048u, 8192u));
  gen->add_option("-o,--output", ga->out, "key file to create")->required();
  gen->add_option("--passphrase-file", ga->passphrase_file,
                  "encrypt the key (Argon2id + XChaCha20-Poly1305) with the passphrase in this file");
  gen->add_flag("--force", ga->force, "replace an existing file");
  gen->callback([ga] { run_gen(*ga); });

  auto ia = std::make_shared<inspect_args>();
  auto* inspect = group->add_subcommand("inspect", "show a key file's type, peer ID and public key");
  inspect->add_option("FILE", ia->path, "key file")->required();
  inspect->add_option("--passphrase-file", ia->passphrase_file, "passphrase of an encrypted key file");
  inspect->add_flag("--json", ia->json, "print one JSON object: id, type, cid, cid_base36, public_key");
  inspect->callback([ia] { run_inspect(*ia); });
}

void setup_peerid(CLI::App& app) {
  auto* group = app.add_subcommand("peerid", "libp2p peer IDs");
  group->require_subcommand(1);
  auto text = std::make_shared<std::string>();
  auto* parse = group->add_subcommand("parse", "parse a peer ID (base58btc or CID) and print all its forms");
  parse->add_option("ID", *text, "peer ID")->required();
  parse->callback([text] { run_peerid_parse(*text); });
}

}  // namespace

CONVERGE_COMMAND_GROUP("key", setup_key);
CONVERGE_COMMAND_GROUP("peerid", setup_peerid);

}  // namespace converge::cli
