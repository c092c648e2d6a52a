#include "multiformats/multiaddr.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

#include "multiformats/multiaddr_values.hpp"
#include "multiformats/multicodec.hpp"
#include "multiformats/multihash.hpp"

using namespace converge;
using namespace converge::mf;

namespace {
bytes hex(std::string_view h) { return from_hex(h).value(); }

multiaddr ma(std::string_view text) {
  auto m = multiaddr::parse(text);
  EXPECT_TRUE(m) << text << ": " << m.error().message();
  return m ? *m : multiaddr{};
}

constexpr const char* peer = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC";
}  // namespace

// Texts from @multiformats/multiaddr's round-trip tests: each prints unchanged.
TEST(multiaddr, js_round_trip_variants) {
  for (std::string text : std::initializer_list<std::string>{
           "/ip4/1.2.3.4", "/ip4/0.0.0.0", "/ip6/::1", "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095",
           "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/5000", "/ip4/1.2.3.4/udp/5000",
           "/ip6zone/x/ip6/fe80::1", "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/udp/5000/utp",
           "/ip4/127.0.0.1/tcp/80/unix/a%2Fb%2Fc%2Fd%2Fe%2Ff", "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/8000/https",
           "/ip4/1.2.3.4/udp/4001/quic-v1/webtransport",
           "/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ/certhash/"
           "uEiAfbgiymPP2_nX7Dgir8B4QkksjHp2lVuJZz0F79Be9JA/p2p/12D3KooWBdmLJjhpgJ9KZgLM3f894ff9xyBfPvPjFNn7MKJpyrC2",
           "/ip6zone/x/ip6/fe80::1/udp/1234/quic", "/unix/a%2Fb%2Fc%2Fd%2Fe", std::string("/p2p/") + peer,
           "/ip4/127.0.0.1/tcp/9090/tls/ws", "/ip4/127.0.0.1/tcp/9090/tls/sni/example.com/ws",
           "/ip4/127.0.0.1/tcp/9090/tls/http-path/tmp%2Ffoo%2F..%2Fbar", "/onion/timaq4ygg2iegci7:1234",
           "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234",
           std::string("/p2p-circuit/p2p/") + peer, std::string("/p2p/") + peer + "/p2p-circuit",
           std::string("/ip4/127.0.0.1/tcp/9090/ws/p2p-webrtc-star/p2p/") + peer,
           "/ip4/127.0.0.1/tcp/9090/http/p2p-webrtc-direct", "/ip4/127.0.0.1/tcp/9090/ws/p2p-websocket-star",
           std::string("/memory/test/p2p/") + peer, "/dns4/example.com/tcp/443/wss", "/dnsaddr/bootstrap.libp2p.io",
           "/dns6/example.com/udp/1/quic-v1", "/dns/localhost/tcp/0", "/ip4/10.0.0.1/tcp/1/noise", "/ipcidr/24",
           "/ip4/1.2.3.4/udp/1/webrtc-direct", "/webrtc", "/sctp/65535", "/dccp/9"}) {
    auto m = multiaddr::parse(text);
    ASSERT_TRUE(m) << text << ": " << m.error().message();
    EXPECT_EQ(m->to_string(), text);
    auto back = multiaddr::from_bytes(m->to_bytes());
    ASSERT_TRUE(back) << text << ": " << back.error().message();
    EXPECT_EQ(*back, *m);
    EXPECT_EQ(back->to_string(), text);
  }
}

// js 'normalize' tests plus the aliases.
TEST(multiaddr, normalises_text) {
  struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"/ip6/0001:08a0:00c5:4201:3ac9:86ff:fe31:0709", "/ip6/1:8a0:c5:4201:3ac9:86ff:fe31:709"},
      {"/ip6/0000:0000:0000:0000:0000:0000:0000:0001", "/ip6/::1"},
      {"/ip6/::00:0:000:0:001", "/ip6/::1"},
      {"/ip6/::101.45.75.219/tcp/9090", "/ip6/::652d:4bdb/tcp/9090"},
      {"/ip6/::1.45.5.219/tcp/9090", "/ip6/::12d:5db/tcp/9090"},
      {"/ip6/0:00:0000:0002:0000:059c:0a24:0801/tcp/64142", "/ip6/::2:0:59c:a24:801/tcp/64142"},
      {"/ip6/::ffff:1.2.3.4", "/ip6/::ffff:102:304"},
      {"/ip6/1:0:0:2:0:0:0:3", "/ip6/1:0:0:2::3"},
      {"/ip6/1:0:2:3:4:5:6:7", "/ip6/1:0:2:3:4:5:6:7"},
      {"/ip6/FE80::ABCD", "/ip6/fe80::abcd"},
      {"/ip6/1::", "/ip6/1::"},
      {"/ip6/::", "/ip6/::"},
      {"/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"},
      {"/unix/a:b c", "/unix/a%3Ab%20c"},
      {"/certhash/f1220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "/certhash/uEiDjsMRCmPwcFJr79MiZb7kkJ65B5GSbk0yklZkbeFK4VQ"},
      {"/", "/"},
      {"//", "/"},
      {"/ip4/1.2.3.4/tcp/1/", "/ip4/1.2.3.4/tcp/1"},
      {"/ip4/1.2.3.4//tcp/1", "/ip4/1.2.3.4/tcp/1"},
  };
  for (auto& c : cases) EXPECT_EQ(ma(c.in).to_string(), c.out) << c.in;
}

TEST(multiaddr, p2p_accepts_libp2p_key_cid_and_prints_base58) {
  bytes pk = hex("08011220");
  for (int i = 0; i < 32; ++i) pk.push_back(static_cast<std::uint8_t>(i));
  auto text = ma("/p2p/bafzaajaiaejcaaabaibqibiga4eascqlbqgq4dyqcejbgfavcylrqgi2dmob2hq7");
  EXPECT_EQ(text.to_string(), "/p2p/12D3KooW9pP4Seg3kZYhySpuVjn1RPdQBsUFZKiFxGMGQN5MeL6A");
  EXPECT_EQ(text.components()[0].value, multihash::identity(pk).value().bytes());
  // A CID of another codec is not a peer ID.
  auto e = multiaddr::parse("/p2p/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, mf_errc::invalid_value);
}

TEST(multiaddr, binary_layout) {
  auto m = ma("/ip4/127.0.0.1/tcp/4001/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC");
  EXPECT_EQ(to_hex(m.to_bytes()).substr(0, 20), "047f000001060fa1a503");
  ASSERT_EQ(m.components().size(), 3u);
  EXPECT_EQ(m.components()[1].name, "tcp");
  EXPECT_EQ(m.components()[1].value, hex("0fa1"));
  EXPECT_EQ(m.value_for(codec::tcp).value(), "4001");
  EXPECT_EQ(m.value_for(codec::p2p).value(), peer);
  EXPECT_FALSE(m.value_for(codec::udp));
  EXPECT_EQ(to_hex(ma("/dns4/a.b/tcp/1").to_bytes()), "3603612e62060001");
  EXPECT_EQ(to_hex(ma("/unix/%2Ftmp").to_bytes()), "9003042f746d70");
  EXPECT_EQ(to_hex(ma("/http-path/a%2Fb").to_bytes()), "e1030" "42f612f62");
}

TEST(multiaddr, text_errors_name_the_problem) {
  struct {
    const char* text;
    mf_errc code;
    const char* mentions;
  } cases[] = {
      {"", mf_errc::invalid_multiaddr, "start with '/'"},
      {"ip4/1.2.3.4", mf_errc::invalid_multiaddr, "start with '/'"},
      {"/ip5/1.2.3.4", mf_errc::unknown_protocol, "\"ip5\""},
      {"/ip4/1.2.3.256", mf_errc::invalid_value, "invalid IPv4 address"},
      {"/ip4/1.2.3", mf_errc::invalid_value, "invalid IPv4"},
      {"/ip4/01.2.3.4", mf_errc::invalid_value, "invalid IPv4"},
      {"/ip6/1:2:3", mf_errc::invalid_value, "invalid IPv6"},
      {"/ip6/fe80::1%eth0", mf_errc::invalid_value, "invalid IPv6"},
      {"/ip4/1.2.3.4/tcp/65536", mf_errc::invalid_value, "out of range"},
      {"/ip4/1.2.3.4/tcp/080", mf_errc::invalid_value, "not a decimal"},
      {"/ip4/1.2.3.4/tcp/-1", mf_errc::invalid_value, "not a decimal"},
      {"/ip4/1.2.3.4/tcp", mf_errc::invalid_multiaddr, "missing its value"},
      {"/ip4/1.2.3.4/tcp/", mf_errc::invalid_multiaddr, "missing its value"},
      {"/ip4//1.2.3.4", mf_errc::invalid_multiaddr, "missing its value"},
      {"/p2p/QmNotAPeer0", mf_errc::invalid_character, "offset"},
      {"/unix/%2", mf_errc::invalid_value, "percent escape"},
      {"/unix/%zz", mf_errc::invalid_value, "percent escape"},
      {"/unix/%ff", mf_errc::invalid_value, "UTF-8"},
      {"/certhash/uEiA", mf_errc::truncated, "certhash"},
      {"/onion/timaq4ygg2iegci:80", mf_errc::invalid_value, "16 base32"},
      {"/onion/timaq4ygg2iegci7", mf_errc::invalid_value, "no port"},
      {"/onion/timaq4ygg2iegci7:0", mf_errc::invalid_value, "port 0"},
  };
  for (auto& c : cases) {
    auto m = multiaddr::parse(c.text);
    ASSERT_FALSE(m) << c.text;
    EXPECT_EQ(m.error().code, c.code) << c.text << ": " << m.error().message();
    EXPECT_NE(m.error().message().find(c.mentions), std::string::npos) << c.text << ": " << m.error().message();
  }
}

TEST(multiaddr, binary_errors) {
  struct {
    const char* hex;
    std::error_code code;
  } cases[] = {
      {"047f0000", mf_errc::truncated},          // ip4 needs 4 bytes
      {"06", mf_errc::truncated},                // tcp without its port
      {"ff01", mf_errc::unknown_protocol},       // code 255
      {"3605612e62", mf_errc::truncated},        // dns length 5, 3 present
      {"3600", mf_errc::invalid_value},          // empty variable value
      {"3603612f62", mf_errc::invalid_value},    // '/' inside a dns name
      {"3602c328", mf_errc::invalid_value},      // not UTF-8
      {"a5030400010000", mf_errc::trailing_data},  // p2p value is not one multihash
      {"e103012f", mf_errc::invalid_value},      // http-path "/" alone
      {"80", base_errc::truncated},              // code varint cut short
      {"8000", base_errc::not_minimal},
  };
  for (auto& c : cases) {
    auto m = multiaddr::from_bytes(hex(c.hex));
    ASSERT_FALSE(m) << c.hex;
    EXPECT_EQ(m.error().code, c.code) << c.hex << ": " << m.error().message();
  }
  EXPECT_TRUE(multiaddr::from_bytes({}));
  EXPECT_EQ(multiaddr::from_bytes({})->to_string(), "/");
}

TEST(multiaddr, size_bounds) {
  std::string name(max_multiaddr_bytes - 3, 'a');  // code (1) + length (2) + name = the bound exactly
  auto m = multiaddr::parse("/dns/" + name);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->to_bytes().size(), max_multiaddr_bytes);
  EXPECT_EQ(multiaddr::parse("/dns/" + name + "a").error().code, mf_errc::too_large);
  EXPECT_EQ(multiaddr::from_bytes(bytes(max_multiaddr_bytes + 1, 0x06)).error().code, mf_errc::too_large);
  EXPECT_EQ(multiaddr::parse("/" + std::string(max_multiaddr_text, 'a')).error().code, mf_errc::too_large);
  EXPECT_EQ(m->encapsulate(ma("/tcp/1")).error().code, mf_errc::too_large);
}

TEST(multiaddr, encapsulate_and_decapsulate) {
  auto base = ma("/ip4/1.2.3.4/tcp/4001");
  auto full = base.encapsulate(ma(std::string("/p2p/") + peer)).value();
  EXPECT_EQ(full.to_string(), std::string("/ip4/1.2.3.4/tcp/4001/p2p/") + peer);
  EXPECT_EQ(full, ma(full.to_string()));
  EXPECT_EQ(full.decapsulate(ma(std::string("/p2p/") + peer)).value(), base);
  EXPECT_EQ(full.decapsulate(ma("/tcp/4001")).value(), ma("/ip4/1.2.3.4"));
  EXPECT_EQ(full.decapsulate(ma("/tcp/4002")).error().code, mf_errc::invalid_multiaddr);
  EXPECT_EQ(full.decapsulate_code(codec::tcp), ma("/ip4/1.2.3.4"));
  EXPECT_EQ(full.decapsulate_code(codec::udp), full);
  auto circuit = ma(std::string("/ip4/1.2.3.4/tcp/1/p2p/") + peer + "/p2p-circuit/p2p/12D3KooWBdmLJjhpgJ9KZgLM3f894ff9xyBfPvPjFNn7MKJpyrC2");
  EXPECT_EQ(circuit.value_for(codec::p2p).value(), peer);
  EXPECT_EQ(circuit.last_value_for(codec::p2p).value(), "12D3KooWBdmLJjhpgJ9KZgLM3f894ff9xyBfPvPjFNn7MKJpyrC2");
  EXPECT_TRUE(circuit.has(codec::p2p_circuit));
  EXPECT_EQ(circuit.decapsulate_code(codec::p2p_circuit).to_string(), std::string("/ip4/1.2.3.4/tcp/1/p2p/") + peer);
  std::unordered_set<multiaddr> set{full, base, full};
  EXPECT_EQ(set.size(), 2u);
}

TEST(multiaddr, percent_encoding_matches_encode_uri_component) {
  EXPECT_EQ(detail::percent_encode(to_bytes("/tmp/p2p.sock")), "%2Ftmp%2Fp2p.sock");
  EXPECT_EQ(detail::percent_encode(to_bytes("a-_.!~*'()z ?#%")), "a-_.!~*'()z%20%3F%23%25");
  EXPECT_EQ(detail::percent_encode(to_bytes("\xc3\xa9")), "%C3%A9");
  EXPECT_EQ(detail::percent_decode("%c3%A9x").value(), to_bytes("\xc3\xa9x"));
  EXPECT_FALSE(detail::valid_utf8(to_bytes("\xc0\x80")));      // overlong
  EXPECT_FALSE(detail::valid_utf8(to_bytes("\xed\xa0\x80")));  // surrogate
  EXPECT_FALSE(detail::valid_utf8(to_bytes("\xf4\x90\x80\x80")));
  EXPECT_FALSE(detail::valid_utf8(to_bytes("\xe2\x82")));
  EXPECT_TRUE(detail::valid_utf8(to_bytes("\xf0\x9f\x9a\x80")));
}

// Random component sequences: binary -> text -> binary is the identity.
TEST(multiaddr, random_round_trips) {
  std::mt19937 gen(5);
  auto peer_mh = multihash::sum(codec::sha2_256, to_bytes("peer")).bytes();
  for (int i = 0; i < 3000; ++i) {
    bytes bin;
    int n = 1 + static_cast<int>(gen() % 6);
    for (int k = 0; k < n; ++k) {
      switch (gen() % 9) {
        case 0: {
          bin.push_back(0x04);
          for (int j = 0; j < 4; ++j) bin.push_back(static_cast<std::uint8_t>(gen()));
          break;
        }
        case 1: {
          bin.push_back(0x29);
          for (int j = 0; j < 16; ++j) bin.push_back(gen() % 3 == 0 ? static_cast<std::uint8_t>(gen()) : 0);
          break;
        }
        case 2: bin.insert(bin.end(), {0x06, static_cast<std::uint8_t>(gen()), static_cast<std::uint8_t>(gen())}); break;
        case 3: bin.insert(bin.end(), {0x91, 0x02, static_cast<std::uint8_t>(gen()), static_cast<std::uint8_t>(gen())}); break;
        case 4: bin.insert(bin.end(), {0xcd, 0x03}); break;
        case 5: {
          bin.insert(bin.end(), {0xa5, 0x03, static_cast<std::uint8_t>(peer_mh.size())});
          append(bin, peer_mh);
          break;
        }
        case 6: {
          std::string path;
          int len = 1 + static_cast<int>(gen() % 12);
          for (int j = 0; j < len; ++j) path.push_back(static_cast<char>(0x20 + gen() % 0x5f));
          bin.insert(bin.end(), {0x90, 0x03, static_cast<std::uint8_t>(path.size())});
          append(bin, to_bytes(path));
          break;
        }
        case 7: bin.insert(bin.end(), {0xa2, 0x02}); break;  // p2p-circuit
        default: {
          bin.insert(bin.end(), {0x36, 0x07});
          append(bin, to_bytes("a.b-c.d"));
          break;
        }
      }
    }
    auto m = multiaddr::from_bytes(bin);
    ASSERT_TRUE(m) << to_hex(bin) << ": " << m.error().message();
    auto text = m->to_string();
    auto again = multiaddr::parse(text);
    ASSERT_TRUE(again) << text << ": " << again.error().message();
    ASSERT_EQ(again->to_bytes(), bin) << text;
    ASSERT_EQ(again->to_string(), text);
  }
}

// Found by fuzz-smoke: a multiaddr at the binary bound must parse back from its
// own text (512 x /ipcidr/255 is 1024 bytes but 5632 characters).
TEST(multiaddr, text_of_the_largest_binary_form_parses_back) {
  bytes in;
  for (std::size_t i = 0; i < max_multiaddr_bytes / 2; ++i) {
    in.push_back(0x2b);  // ipcidr
    in.push_back(0xff);
  }
  auto m = multiaddr::from_bytes(in);
  ASSERT_TRUE(m) << m.error().message();
  auto text = m->to_string();
  EXPECT_GT(text.size(), 4096u);
  auto back = multiaddr::parse(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == *m);
}

// Found by fuzz-smoke in CI: a libp2p-key CID whose multihash is neither
// identity nor sha2-256 printed as base58btc text starting with 'T', which
// parses as neither form. Such peer IDs are refused in text and binary alike.
TEST(multiaddr, p2p_accepts_only_peer_id_multihashes) {
  auto odd = multiaddr::parse("/p2p/bafzagjaiaejcaaabaibqibiga4eascqlbqgq4dyqcejbgfavcylrqgi2dmob2hq7");
  ASSERT_FALSE(odd);
  EXPECT_NE(odd.error().detail.find("identity or sha2-256"), std::string::npos) << odd.error().detail;
  // The same value in binary: /p2p + varint length + multihash code 3.
  bytes in{0xa5, 0x03, 0x26, 0x03, 0x24};
  in.resize(in.size() + 36, 0x01);
  auto bin = multiaddr::from_bytes(in);
  EXPECT_FALSE(bin);
  EXPECT_TRUE(multiaddr::parse("/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"));
  EXPECT_TRUE(multiaddr::parse("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"));
}
