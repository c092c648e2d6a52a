#include "base/log.hpp"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

namespace converge {
namespace {
std::atomic<log_level> g_level{log_level::warn};
std::mutex g_sink_mutex;
std::shared_ptr<const log_sink> g_sink;

void default_sink(log_level level, std::string_view module, std::string_view message) {
  std::fprintf(stderr, "%.*s %.*s: %.*s\n", static_cast<int>(to_string(level).size()), to_string(level).data(),
               static_cast<int>(module.size()), module.data(), static_cast<int>(message.size()), message.data());
}
}  // namespace

void set_log_sink(log_sink sink) {
  std::lock_guard lock(g_sink_mutex);
  g_sink = sink ? std::make_shared<const log_sink>(std::move(sink)) : nullptr;
}

void set_log_level(log_level min_level) { g_level = min_level; }

bool log_enabled(log_level level) { return level >= g_level.load(std::memory_order_relaxed) && level != log_level::off; }

void log(log_level level, std::string_view module, std::string_view message) {
  if (!log_enabled(level)) return;
  std::shared_ptr<const log_sink> sink;
  {
    std::lock_guard lock(g_sink_mutex);
    sink = g_sink;
  }
  if (sink)
    (*sink)(level, module, message);
  else
    default_sink(level, module, message);
}

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    case log_level::off: return "off";
  }
  return "?";
}

}  // namespace converge
