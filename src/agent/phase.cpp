#include "agent/phase.hpp"

#include <array>
#include <utility>

namespace converge::agent {
namespace {
constexpr std::array<std::pair<phase, std::string_view>, 9> phase_names{{
    {phase::idle, "idle"},
    {phase::announced, "announced"},
    {phase::verified, "verified"},
    {phase::downloading, "downloading"},
    {phase::downloaded, "downloaded"},
    {phase::staged, "staged"},
    {phase::installing, "installing"},
    {phase::installed, "installed"},
    {phase::failed, "failed"},
}};
constexpr std::array<std::pair<heard_via, std::string_view>, 5> via_names{{
    {heard_via::gossip, "gossip"},
    {heard_via::ipns, "ipns"},
    {heard_via::dht, "dht"},
    {heard_via::dnslink, "dnslink"},
    {heard_via::local, "local"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, n] : table)
    if (v == e) return n;
  return "unknown";
}
template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [v, n] : table)
    if (n == s) return v;
  return std::nullopt;
}
}  // namespace

std::string_view to_string(phase p) { return name_of(phase_names, p); }
std::string_view to_string(heard_via v) { return name_of(via_names, v); }
std::optional<phase> phase_from_string(std::string_view s) { return value_of(phase_names, s); }
std::optional<heard_via> heard_via_from_string(std::string_view s) { return value_of(via_names, s); }

}  // namespace converge::agent
