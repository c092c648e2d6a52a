#pragma once
// The agent's configuration: the "update" section of config.json.
//
//   {"channel": "stable",                        required, [a-z0-9._-]{1,64}
//    "root": "/abs/path/root.json",              required; relative paths are against the repo dir
//    "device": {"os": "linux", "arch": "x86_64", required: os, arch
//               "os_version": "12",              optional ("" matches only artifacts without min_os)
//               "salt": "<hex>"},                optional, 8..64 bytes; absent: the agent makes one
//                                                 and keeps it in its DB
//    "topic": "unimaker/mobile/version",
//    "ipns": ["k51...", "example.org"],          IPNS names or DNSLink domains to poll; default []
//    "poll_interval_s": 300,                     IPNS/DHT check period (also at start-up)
//    "retry": {"initial_s": 30, "max_s": 3600},  exponential backoff after a failure (+ jitter)
//    "jitter_s": 0,                              random (per device and release) delay before a download
//    "windows": [{"start": "02:00", "end": "05:00"}],   UTC; may wrap midnight; [] = any time
//    "network": {"allow_metered": false},
//    "battery": {"require_charging": false, "min_percent": 20},
//    "download_bytes_per_second": 0,             0 = unlimited
//    "upload_bytes_per_day": 0,                  0 = unlimited
//    "installer": {...}}                         opaque here (installer_config parses it)
//
// Strict: unknown fields are errors and every error is agent_errc::bad_config
// with a detail naming the field's path, e.g.
// "update.retry.max_s: must be >= update.retry.initial_s (30)".
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/errors.hpp"
#include "base/bytes.hpp"
#include "trust/release.hpp"

namespace converge::agent {

inline constexpr std::size_t max_ipns_names = 16;
inline constexpr std::size_t max_windows = 24;
inline constexpr std::uint64_t max_period_s = 7 * 24 * 3600;  // bound for every *_s period

// A daily UTC window [start, end) in minutes after midnight; end < start wraps midnight.
struct time_window {
  int start_min = 0;
  int end_min = 0;
};

struct agent_config {
  std::string channel;
  std::filesystem::path root;  // absolute after parsing
  std::string os, arch, os_version;
  std::optional<bytes> salt;   // from config; otherwise the store's
  std::string topic = "unimaker/mobile/version";
  std::vector<std::string> ipns;
  std::chrono::seconds poll_interval{300};
  std::chrono::seconds retry_initial{30};
  std::chrono::seconds retry_max{3600};
  std::chrono::seconds jitter{0};
  std::vector<time_window> windows;
  bool allow_metered = false;
  bool require_charging = false;
  int min_battery_percent = 20;
  std::uint64_t download_bytes_per_second = 0;
  std::uint64_t upload_bytes_per_day = 0;
  nlohmann::json installer = nlohmann::json::object();

  [[nodiscard]] trust::device_profile device() const { return {channel, os, arch, os_version}; }
};

// `section` is node.config().service("update"). Never throws.
result<agent_config> parse_agent_config(const nlohmann::json& section, const std::filesystem::path& repo_dir);

// The section back as JSON (paths absolute, salt hex when set); it parses to the same config.
nlohmann::json to_json(const agent_config& c);

}  // namespace converge::agent
