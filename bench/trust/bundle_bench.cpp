// Release bundle verification throughput on one core:
//   - bundles verified per second, every role 3-of-5 Ed25519;
//   - the same with targets signed by one FROST(Ed25519) group key (3-of-5 signers);
//   - libsodium's single-core Ed25519 verify rate in the same run, and the ratio;
//   - the cost of a repeated bundle (hash hit in the verified-bundle LRU).
// Each full verification runs the whole workflow on the bundle's documents:
// timestamp, snapshot, targets (thresholds, hashes, expiry), release rules,
// device selection; the already trusted root and persisted metadata are reused.
// Usage: bundle_bench [seconds per measurement, default 2] [profile]
#include <sodium.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <string_view>
#include <cstdlib>

#include "release_test_util.hpp"
#include "trust/frost.hpp"
#include "trust/frost_keygen.hpp"
#include "trust/release_client.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::test_util;

namespace {

const device_profile device{"stable", "android", "arm64", "12"};
const wall_time now = at("2026-06-01T00:00:00Z");

// Time is this thread's CPU time, so other processes on a shared machine do
// not count against whichever measurement they happened to interrupt.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct meter {
  std::size_t n = 0;
  double seconds = 0;
  double rate() const { return static_cast<double>(n) / seconds; }
};

// Runs f for about `slice` CPU seconds and adds the work to m.
template <class F>
void measure(meter& m, double slice, F&& f) {
  const double start = cpu_seconds();
  for (;;) {
    for (int i = 0; i < 16; ++i) f();
    m.n += 16;
    const double t = cpu_seconds();
    if (t - start >= slice) {
      m.seconds += t - start;
      return;
    }
  }
}

template <class F>
double per_second(double seconds, F&& f) {
  meter m;
  measure(m, seconds, f);
  return m.rate();
}

// A device that verifies every bundle in full (no verified-bundle cache).
release_client full_verifier(const std::string& root, memory_fs& fs, const bytes& bundle) {
  release_client_options o;
  o.verified_cache = 0;
  auto c = release_client::open(root, fs, device, o).value();
  if (!c.verify_bundle(bundle, now)) std::abort();
  return c;
}

double bundle_rate(const std::string& root, const bytes& bundle, double seconds) {
  memory_fs fs;
  auto c = full_verifier(root, fs, bundle);
  return per_second(seconds, [&] {
    if (!c.verify_bundle(bundle, now)) std::abort();
  });
}

// Root with targets = one FROST group key; a bundle whose targets carries the aggregate signature.
std::pair<std::string, bytes> frost_setup(publisher& pub) {
  deterministic_rng rng(42);
  auto dealt = frost::trusted_dealer_keygen(3, 5, rng).value();
  std::vector<frost::key_package> keys;
  for (const auto& s : dealt.shares) keys.push_back(frost::key_package_from_share(s).value());
  auto group = tuf::ed25519_public_key(dealt.public_package.group_public_key.bytes);
  auto root = pub.root_json(1);
  root["keys"][group.keyid] = group.object;
  root["roles"]["targets"] = {{"keyids", {group.keyid}}, {"threshold", 1}};
  std::string root_text = publisher::sign(root, pub.first(3));
  tuf::envelope env{tuf::to_json(release_to_targets(pub.make_release(1, "1.0.0")).value()), {}};
  std::string msg = tuf::signing_bytes(env.signed_part).value();
  std::vector<frost::signing_nonces> nonces;
  std::vector<frost::signing_commitment> list;
  for (frost::identifier id : {1, 2, 4}) {
    auto c = frost::commit(id, keys[id - 1].secret_share, rng);
    nonces.push_back(c.nonces);
    list.push_back(c.commitment);
  }
  std::vector<frost::signature_share> shares;
  for (std::size_t i = 0; i < list.size(); ++i)
    shares.push_back(frost::sign(keys[list[i].id - 1], nonces[i], as_bytes(msg), list).value());
  auto sig = frost::aggregate(dealt.public_package, as_bytes(msg), list, shares).value();
  tuf::add_signature(env, group.keyid, bytes(sig.begin(), sig.end()));
  auto b = pub.bundle(tuf::to_json(env).dump(2), 1, 1, pub.first(3), pub.first(3));
  return {root_text, encode_bundle(b).value()};
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  if (seconds <= 0) seconds = 2.0;
  // "profile": only the 3-of-5 bundle loop, for perf.
  const bool profile_only = argc > 2 && std::string_view(argv[2]) == "profile";

  publisher pub;
  bytes threshold_bundle = pub.good_bundle(pub.make_release(1, "1.0.0"));
  if (profile_only) {
    std::printf("bundle verify, 3-of-5 %10.0f /s\n", bundle_rate(pub.root_text, threshold_bundle, seconds));
    return 0;
  }
  auto [frost_root, frost_bundle] = frost_setup(pub);

  // libsodium Ed25519 verify, one core, over a message the size of a targets document.
  std::array<std::uint8_t, 32> seed{};
  seed.fill(9);
  tuf::ed25519_signer signer(seed);
  bytes msg(2048, 0x5a);
  auto sig = signer.sign(msg);
  const auto& pk = signer.key().material;
  // Interleaved quarter-second slices, so drifting machine load affects the
  // three rates alike.
  memory_fs fs35, fsfr;
  auto c35 = full_verifier(pub.root_text, fs35, threshold_bundle);
  auto cfr = full_verifier(frost_root, fsfr, frost_bundle);
  meter m_sodium, m35, mfr;
  for (double spent = 0; spent < seconds; spent += 0.25) {
    measure(m_sodium, 0.25, [&] {
      if (crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pk.data()) != 0) std::abort();
    });
    measure(m35, 0.25, [&] {
      if (!c35.verify_bundle(threshold_bundle, now)) std::abort();
    });
    measure(mfr, 0.25, [&] {
      if (!cfr.verify_bundle(frost_bundle, now)) std::abort();
    });
  }
  const double sodium = m_sodium.rate(), t35 = m35.rate(), fr = mfr.rate();

  memory_fs fs;
  auto cached = release_client::open(pub.root_text, fs, device).value();
  if (!cached.verify_bundle(threshold_bundle, now)) std::abort();
  double hits = per_second(seconds, [&] {
    auto r = cached.verify_bundle(threshold_bundle, now);
    if (!r || !r->already_verified) std::abort();
  });

  // Signatures a bundle carries and the device must check: timestamp 3,
  // snapshot 3, targets 3 (threshold) or 1 (FROST). The trusted root and the
  // persisted timestamp and snapshot were verified when they were accepted and
  // are not verified again while they are unchanged. Efficiency is those k
  // checks at libsodium's rate over the time a whole bundle takes.
  std::printf("bundle size                      %zu bytes (3-of-5), %zu bytes (FROST targets)\n",
              threshold_bundle.size(), frost_bundle.size());
  std::printf("libsodium ed25519 verify         %10.0f /s (one core, CPU time, 2 KiB message)\n", sodium);
  std::printf("bundle verify, 3-of-5            %10.0f /s  = %.1f ed25519 verifies of time for 9 signatures (%.0f%%)\n",
              t35, sodium / t35, 100.0 * 9 * t35 / sodium);
  std::printf("bundle verify, FROST targets     %10.0f /s  = %.1f ed25519 verifies of time for 7 signatures (%.0f%%)\n",
              fr, sodium / fr, 100.0 * 7 * fr / sodium);
  std::printf("repeated bundle (hash hit)       %10.0f /s  = %.2f us each\n", hits, 1e6 / hits);
  return 0;
}
