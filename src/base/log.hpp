#pragma once
// A logging facade: modules log through it, the application decides where it
// goes. The default sink writes "level module: message" to stderr for warn and
// above. Sinks must be thread-safe; the facade itself holds no lock.
#include <functional>
#include <string_view>

namespace converge {

enum class log_level { trace, debug, info, warn, error, off };

using log_sink = std::function<void(log_level, std::string_view module, std::string_view message)>;

void set_log_sink(log_sink sink);
void set_log_level(log_level min_level);
[[nodiscard]] bool log_enabled(log_level level);
void log(log_level level, std::string_view module, std::string_view message);
std::string_view to_string(log_level level);

}  // namespace converge
