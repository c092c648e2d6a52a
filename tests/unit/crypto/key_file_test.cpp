#include "crypto/key_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "test_vectors.hpp"

using namespace converge;
using namespace converge::crypto;
namespace tv = converge::crypto::test_vectors;

namespace {
std::error_code code_of(const auto& r) { return r ? std::error_code{} : r.error().code; }

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    path = std::filesystem::temp_directory_path() / ("converge-keyfile-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

private_key gen(key_type t) {
  deterministic_rng r(3);
  return private_key::generate(t, r).value();
}
}  // namespace

TEST(key_file, plain_file_is_the_protobuf_private_key_with_mode_0600) {
  temp_dir d;
  auto path = (d.path / "id.key").string();
  auto old_umask = ::umask(0);  // the file mode must not depend on the umask
  auto key = private_key::from_protobuf(from_hex(tv::ed25519_private).value()).value();
  ASSERT_TRUE(write_private_key_file(path, key));
  ::umask(old_umask);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(to_hex(read_file(path).value()), tv::ed25519_private);
  auto back = read_private_key_file(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, key);
  // A passphrase given for a plain file is simply not needed.
  EXPECT_TRUE(read_private_key_file(path, std::string("unused")));
}

TEST(key_file, passphrase_round_trip_for_every_key_type) {
  temp_dir d;
  for (auto t : {key_type::ed25519, key_type::secp256k1, key_type::ecdsa, key_type::rsa}) {
    SCOPED_TRACE(std::string(key_type_name(t)));
    auto path = (d.path / (std::string(key_type_name(t)) + ".key")).string();
    auto key = gen(t);
    ASSERT_TRUE(write_private_key_file(path, key, std::string("correct horse"), kdf_params::minimum()));
    auto data = read_file(path).value();
    EXPECT_TRUE(is_encrypted_key_file(data));
    EXPECT_EQ(std::string(as_chars(bytes_view(data).first(15))), "converge-key-v1");
    auto back = read_private_key_file(path, std::string("correct horse"));
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, key);
  }
}

TEST(key_file, wrong_passphrase_missing_passphrase_and_tampering) {
  deterministic_rng r(5);
  auto key = gen(key_type::ed25519);
  bytes file = encode_private_key_file(key, std::string("pw"), r, kdf_params::minimum()).value();
  auto wrong = decode_private_key_file(file, std::string("pW"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, crypto_errc::wrong_passphrase);
  EXPECT_NE(wrong.error().message().find("wrong passphrase or corrupted key file"), std::string::npos);
  EXPECT_EQ(code_of(decode_private_key_file(file, std::nullopt)), crypto_errc::passphrase_required);
  // Every byte after the magic and KDF fields is authenticated.
  for (std::size_t i : {std::size_t{32}, std::size_t{50}, std::size_t{72}, file.size() - 1}) {
    bytes t = file;
    t[i] ^= 1;
    EXPECT_EQ(code_of(decode_private_key_file(t, std::string("pw"))), crypto_errc::wrong_passphrase) << i;
  }
  // Raising opslimit within bounds changes the derived key: detected as well.
  bytes ops = file;
  ops[16] = 2;
  EXPECT_EQ(code_of(decode_private_key_file(ops, std::string("pw"))), crypto_errc::wrong_passphrase);
  EXPECT_EQ(code_of(decode_private_key_file(bytes_view(file).first(80), std::string("pw"))),
            crypto_errc::invalid_key_file);
  EXPECT_EQ(code_of(encode_private_key_file(key, std::string(), r)), crypto_errc::invalid_argument);
}

TEST(key_file, hostile_kdf_parameters_are_refused_before_deriving) {
  deterministic_rng r(6);
  bytes file = encode_private_key_file(gen(key_type::ed25519), std::string("pw"), r, kdf_params::minimum()).value();
  bytes huge_mem = file;
  huge_mem[24 + 7] = 0x40;  // memlimit ~ 2^62
  EXPECT_EQ(code_of(decode_private_key_file(huge_mem, std::string("pw"))), crypto_errc::invalid_key_file);
  bytes huge_ops = file;
  huge_ops[16] = 0xff;
  EXPECT_EQ(code_of(decode_private_key_file(huge_ops, std::string("pw"))), crypto_errc::invalid_key_file);
  bytes zero_ops = file;
  zero_ops[16] = 0;
  EXPECT_EQ(code_of(decode_private_key_file(zero_ops, std::string("pw"))), crypto_errc::invalid_key_file);
  bytes bad_kdf = file;
  bad_kdf[15] = 9;
  EXPECT_EQ(code_of(decode_private_key_file(bad_kdf, std::string("pw"))), crypto_errc::invalid_key_file);
  kdf_limits tight{1, 8192};
  bytes ok_file = encode_private_key_file(gen(key_type::ed25519), std::string("pw"), r, {1, 16384}).value();
  EXPECT_EQ(code_of(decode_private_key_file(ok_file, std::string("pw"), tight)), crypto_errc::invalid_key_file);
}

TEST(key_file, garbage_and_missing_files) {
  EXPECT_FALSE(decode_private_key_file(to_bytes("not a key"), std::nullopt));
  EXPECT_FALSE(decode_private_key_file({}, std::nullopt));
  EXPECT_FALSE(read_private_key_file("/nonexistent/converge/key"));
  EXPECT_FALSE(decode_private_key_file(bytes(100000, 8), std::nullopt));
}
