#include "p2p/security/noise_xx.hpp"

#include <cstring>

#include "p2p/security/errors.hpp"

namespace converge::p2p::security::noise {

namespace {
std::array<std::uint8_t, dh_len> take_key(bytes_view in) {
  std::array<std::uint8_t, dh_len> k{};
  std::memcpy(k.data(), in.data(), dh_len);
  return k;
}
}  // namespace

xx_handshake::xx_handshake(bool initiator, const x25519_keypair& static_key, rng& r, bytes_view prologue)
    : initiator_(initiator), ss_(protocol_name), s_(static_key), e_(x25519_keypair::generate(r)) {
  ss_.mix_hash(prologue);
}

xx_handshake::~xx_handshake() {
  s_.wipe();
  e_.wipe();
}

result<void> xx_handshake::mix_dh(const x25519_keypair& local, const std::array<std::uint8_t, dh_len>& remote) {
  auto shared = local.dh(remote);
  if (!shared) return fail(shared.error());
  ss_.mix_key(*shared);
  std::memset(shared->data(), 0, shared->size());
  return ok();
}

result<void> xx_handshake::write_message(bytes_view payload, bytes& out) {
  if (!is_my_turn())
    return fail(security_errc::invalid_state, "write of XX message " + std::to_string(index_ + 1) + " out of turn");
  switch (index_) {
    case 0:  // -> e
      append(out, e_.public_key);
      ss_.mix_hash(e_.public_key);
      break;
    case 1:  // <- e, ee, s, es   (responder: es = DH(s, re))
      append(out, e_.public_key);
      ss_.mix_hash(e_.public_key);
      if (auto x = mix_dh(e_, *re_); !x) return x;
      if (auto x = ss_.encrypt_and_hash(s_.public_key, out); !x) return x;
      if (auto x = mix_dh(s_, *re_); !x) return x;
      break;
    case 2:  // -> s, se   (initiator: se = DH(s, re))
      if (auto x = ss_.encrypt_and_hash(s_.public_key, out); !x) return x;
      if (auto x = mix_dh(s_, *re_); !x) return x;
      break;
    default: break;
  }
  if (auto x = ss_.encrypt_and_hash(payload, out); !x) return x;
  ++index_;
  return ok();
}

result<void> xx_handshake::read_message(bytes_view message, bytes& payload_out) {
  if (index_ >= 3 || is_my_turn())
    return fail(security_errc::invalid_state, "read of XX message " + std::to_string(index_ + 1) + " out of turn");
  const std::string which = "XX message " + std::to_string(index_ + 1);
  std::size_t min_len = index_ == 0 ? xx_message1_len : index_ == 1 ? xx_message2_len : xx_message3_len;
  if (message.size() < min_len)
    return fail(security_errc::malformed_message, which + " has " + std::to_string(message.size()) +
                                                      " bytes, at least " + std::to_string(min_len) + " required");
  bytes_view rest = message;
  bytes scratch;
  switch (index_) {
    case 0:  // -> e
      re_ = take_key(rest);
      ss_.mix_hash(rest.first(dh_len));
      rest = rest.subspan(dh_len);
      break;
    case 1: {  // <- e, ee, s, es   (initiator: ee = DH(e, re), es = DH(e, rs))
      re_ = take_key(rest);
      ss_.mix_hash(rest.first(dh_len));
      rest = rest.subspan(dh_len);
      if (auto x = mix_dh(e_, *re_); !x) return fail(with_context(x.error(), which + " ee"));
      if (auto x = ss_.decrypt_and_hash(rest.first(dh_len + tag_len), scratch); !x)
        return fail(with_context(x.error(), which + " static key"));
      rest = rest.subspan(dh_len + tag_len);
      rs_ = take_key(scratch);
      if (auto x = mix_dh(e_, *rs_); !x) return fail(with_context(x.error(), which + " es"));
      break;
    }
    case 2:  // -> s, se   (responder: se = DH(e, rs))
      if (auto x = ss_.decrypt_and_hash(rest.first(dh_len + tag_len), scratch); !x)
        return fail(with_context(x.error(), which + " static key"));
      rest = rest.subspan(dh_len + tag_len);
      rs_ = take_key(scratch);
      if (auto x = mix_dh(e_, *rs_); !x) return fail(with_context(x.error(), which + " se"));
      break;
    default: break;
  }
  if (auto x = ss_.decrypt_and_hash(rest, payload_out); !x) return fail(with_context(x.error(), which + " payload"));
  ++index_;
  return ok();
}

transport_ciphers xx_handshake::split() {
  auto [c1, c2] = ss_.split();
  if (initiator_) return {std::move(c1), std::move(c2)};
  return {std::move(c2), std::move(c1)};
}

}  // namespace converge::p2p::security::noise
