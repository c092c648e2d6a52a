#include "ipns/record.hpp"

#include <charconv>
#include <cstdio>

#include "ipns/cbor.hpp"
#include "ipns/ipns.pb.h"
#include "multiformats/multibase.hpp"

namespace converge::ipns {

namespace {

constexpr std::string_view v2_prefix = "ipns-signature:";

bytes v2_payload(bytes_view data) { return concat(as_bytes(v2_prefix), data); }

template <class T>
const T* field(const cbor::map& m, const char* name) {
  auto it = m.find(name);
  return it == m.end() ? nullptr : std::get_if<T>(&it->second);
}

int digits(std::string_view s, std::size_t pos, std::size_t n, bool& okay) {
  int v = 0;
  if (pos + n > s.size()) {
    okay = false;
    return 0;
  }
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') okay = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::string format_rfc3339(wall_time t) {
  using namespace std::chrono;
  auto ns = time_point_cast<nanoseconds>(t);
  auto day = floor<days>(ns);
  year_month_day ymd{day};
  hh_mm_ss hms{ns - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%09lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  return buf;
}

result<wall_time> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  auto bad = [&] { return fail(ipns_errc::invalid_validity, "\"" + std::string(s.substr(0, 64)) + "\" is not RFC 3339"); };
  bool okay = true;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return bad();
  int y = digits(s, 0, 4, okay), mo = digits(s, 5, 2, okay), d = digits(s, 8, 2, okay);
  int h = digits(s, 11, 2, okay), mi = digits(s, 14, 2, okay), se = digits(s, 17, 2, okay);
  if (!okay || h > 23 || mi > 59 || se > 60) return bad();
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad();
  std::size_t pos = 19;
  std::int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    std::size_t n = pos - start;
    if (n == 0 || n > 9) return bad();
    for (std::size_t i = 0; i < 9; ++i) frac_ns = frac_ns * 10 + (i < n ? s[start + i] - '0' : 0);
  }
  std::int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh = digits(s, pos + 1, 2, okay), om = digits(s, pos + 4, 2, okay);
    if (!okay || oh > 23 || om > 59) return bad();
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  // In whole seconds first: years 0000..9999 overflow nanoseconds since 1970
  // (which span 1678..2262). Later EOLs mean "never expires" and clamp to the
  // end of time; earlier ones to its start (long expired).
  auto secs = (sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} - seconds{offset_s}).time_since_epoch().count();
  const auto max_s = duration_cast<seconds>(wall_time::max().time_since_epoch()).count() - 1;
  const auto min_s = duration_cast<seconds>(wall_time::min().time_since_epoch()).count() + 1;
  if (secs > max_s) return wall_time::max();
  if (secs < min_s) return wall_time::min();
  return wall_time{duration_cast<wall_time::duration>(seconds{secs} + nanoseconds{frac_ns})};
}

bytes routing_key(const crypto::peer_id& name) { return concat(as_bytes("/ipns/"), name.to_bytes()); }

result<crypto::peer_id> name_from_routing_key(bytes_view key) {
  if (key.size() < 6 || as_chars(key.first(6)) != "/ipns/")
    return fail(ipns_errc::invalid_name, "an IPNS routing key starts with \"/ipns/\"");
  auto id = crypto::peer_id::from_bytes(key.subspan(6));
  if (!id) return fail(ipns_errc::invalid_name, "routing key holds no peer ID: " + id.error().message());
  return id;
}

std::string name_string(const crypto::peer_id& name) { return name.to_cid_string(mf::multibase::base36); }

result<crypto::peer_id> parse_name(std::string_view text) {
  if (text.starts_with("/ipns/")) text.remove_prefix(6);
  if (auto slash = text.find('/'); slash != std::string_view::npos) text = text.substr(0, slash);
  auto id = crypto::peer_id::parse(text);
  if (!id) return fail(ipns_errc::invalid_name, "\"" + std::string(text.substr(0, 80)) + "\": " + id.error().message());
  return id;
}

result<bytes> create(const crypto::private_key& key, bytes_view value, std::uint64_t sequence, wall_time eol,
                     const create_options& o) {
  std::string validity = format_rfc3339(eol);
  cbor::map m;
  m.emplace("Value", to_bytes(value));
  m.emplace("Validity", to_bytes(validity));
  m.emplace("ValidityType", std::uint64_t{0});
  m.emplace("Sequence", sequence);
  m.emplace("TTL", o.ttl_ns);
  bytes data = cbor::encode_map(m);
  auto sig2 = key.sign(v2_payload(data));
  if (!sig2) return fail(ipns_errc::invalid_argument, "signing: " + sig2.error().message());
  pb::IpnsEntry e;
  if (o.v1_compatible) {
    auto sig1 = key.sign(concat(value, as_bytes(validity), as_bytes("EOL")));
    if (!sig1) return fail(ipns_errc::invalid_argument, "signing V1: " + sig1.error().message());
    e.set_value(value.data(), value.size());
    e.set_signaturev1(sig1->data(), sig1->size());
    e.set_validitytype(pb::IpnsEntry::EOL);
    e.set_validity(validity);
    e.set_sequence(sequence);
    e.set_ttl(o.ttl_ns);
  }
  auto id = crypto::peer_id::from_public_key(key.public_key());
  if (!id.has_embedded_key()) {
    auto pk = key.public_key().to_protobuf();
    e.set_pubkey(pk.data(), pk.size());
  }
  e.set_signaturev2(sig2->data(), sig2->size());
  e.set_data(data.data(), data.size());
  bytes out(e.ByteSizeLong());
  e.SerializeWithCachedSizesToArray(out.data());
  if (out.size() > max_record_size)
    return fail(ipns_errc::record_too_large, "record of " + std::to_string(out.size()) + " bytes exceeds 10 KiB");
  return out;
}

result<record> parse(bytes_view marshalled) {
  if (marshalled.size() > max_record_size)
    return fail(ipns_errc::record_too_large,
                "record of " + std::to_string(marshalled.size()) + " bytes exceeds " + std::to_string(max_record_size));
  pb::IpnsEntry e;
  if (!e.ParseFromArray(marshalled.data(), static_cast<int>(marshalled.size())))
    return fail(ipns_errc::malformed_record, "not an IpnsEntry protobuf");
  if (!e.has_signaturev2() || !e.has_data()) return fail(ipns_errc::malformed_record, "signatureV2 or data missing");
  auto m = cbor::decode_map(as_bytes(e.data()));
  if (!m) return fail(with_context(m.error(), "IPNS data"));
  const auto* value = field<bytes>(*m, "Value");
  const auto* validity = field<bytes>(*m, "Validity");
  const auto* vtype = field<std::uint64_t>(*m, "ValidityType");
  const auto* seq = field<std::uint64_t>(*m, "Sequence");
  const auto* ttl = field<std::uint64_t>(*m, "TTL");
  if (!value || !validity || !vtype || !seq || !ttl)
    return fail(ipns_errc::malformed_record, "data lacks Value, Validity, ValidityType, Sequence or TTL of the right type");
  if (*vtype != 0) return fail(ipns_errc::invalid_validity, "ValidityType " + std::to_string(*vtype) + " is not EOL (0)");
  record r;
  r.value = *value;
  r.validity = std::string(as_chars(*validity));
  auto eol = parse_rfc3339(r.validity);
  if (!eol) return fail(eol.error());
  r.eol = *eol;
  r.sequence = *seq;
  r.ttl_ns = *ttl;
  if (e.has_pubkey()) r.pub_key = to_bytes(e.pubkey());
  r.signature_v2 = to_bytes(e.signaturev2());
  r.data = to_bytes(e.data());
  if (e.has_value() && e.has_signaturev1()) {
    r.has_v1 = true;
    if (!equal(as_bytes(e.value()), r.value)) return fail(ipns_errc::field_mismatch, "value differs from data.Value");
    if (e.validity() != r.validity) return fail(ipns_errc::field_mismatch, "validity differs from data.Validity");
    if (!e.has_validitytype() || e.validitytype() != pb::IpnsEntry::EOL)
      return fail(ipns_errc::field_mismatch, "validityType differs from data.ValidityType");
    if (e.sequence() != r.sequence) return fail(ipns_errc::field_mismatch, "sequence differs from data.Sequence");
    if (e.ttl() != r.ttl_ns) return fail(ipns_errc::field_mismatch, "ttl differs from data.TTL");
  }
  return r;
}

result<record> validate(const crypto::peer_id& name, bytes_view marshalled, wall_time now) {
  auto r = parse(marshalled);
  if (!r) return r;
  std::optional<crypto::public_key> pk;
  if (r->pub_key) {
    auto k = crypto::public_key::from_protobuf(*r->pub_key);
    if (!k) return fail(ipns_errc::key_mismatch, "pubKey is not a public key: " + k.error().message());
    pk = std::move(*k);
  } else {
    auto k = name.extract_public_key();
    if (!k) return fail(ipns_errc::key_mismatch, "no pubKey in the record and the name does not inline one");
    pk = std::move(*k);
  }
  if (!name.matches(*pk)) return fail(ipns_errc::key_mismatch, "the record's key is not the key of " + name_string(name));
  if (!pk->verify(v2_payload(r->data), r->signature_v2))
    return fail(ipns_errc::bad_signature, "signatureV2 does not verify for " + name_string(name));
  if (r->eol <= now) return fail(ipns_errc::expired, "EOL " + r->validity + " has passed");
  return r;
}

std::size_t select(std::span<const bytes> records) {
  std::size_t best = 0;
  std::optional<record> best_rec;
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto r = parse(records[i]);
    if (!r) continue;
    if (!best_rec || r->sequence > best_rec->sequence ||
        (r->sequence == best_rec->sequence && r->eol > best_rec->eol)) {
      best = i;
      best_rec = std::move(*r);
    }
  }
  return best;
}

}  // namespace converge::ipns
