#include "trust/canonical_json.hpp"

#include <vector>

namespace converge::trust {
namespace {

void write_string(std::string& out, const std::string& s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

result<void> write_value(std::string& out, const nlohmann::json& v, std::size_t depth, std::size_t max_depth) {
  using t = nlohmann::json::value_t;
  switch (v.type()) {
    case t::null: out += "null"; return ok();
    case t::boolean: out += v.get<bool>() ? "true" : "false"; return ok();
    case t::number_integer: out += std::to_string(v.get<std::int64_t>()); return ok();
    case t::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); return ok();
    case t::number_float:
      return fail(trust_errc::invalid_json, "canonical JSON has no floating-point numbers");
    case t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (!is_valid_utf8(s)) return fail(trust_errc::invalid_json, "string is not valid UTF-8");
      write_string(out, s);
      return ok();
    }
    case t::array:
    case t::object: {
      if (depth >= max_depth) return fail(trust_errc::invalid_json, "nesting deeper than " + std::to_string(max_depth));
      bool obj = v.is_object();
      out.push_back(obj ? '{' : '[');
      bool first = true;
      // nlohmann's object_t is a std::map<std::string,...>: iteration is byte-wise sorted.
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out.push_back(',');
        first = false;
        if (obj) {
          if (!is_valid_utf8(it.key())) return fail(trust_errc::invalid_json, "object key is not valid UTF-8");
          write_string(out, it.key());
          out.push_back(':');
        }
        if (auto r = write_value(out, *it, depth + 1, max_depth); !r) return r;
      }
      out.push_back(obj ? '}' : ']');
      return ok();
    }
    case t::binary:
    case t::discarded: break;
  }
  return fail(trust_errc::invalid_json, "value has no JSON representation");
}

}  // namespace

bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) { ++i; continue; }
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + n >= s.size()) return false;  // continuation bytes run past the end
    for (std::size_t k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr std::uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

result<std::string> encode_canonical(const nlohmann::json& value, std::size_t max_depth) {
  std::string out;
  if (auto r = write_value(out, value, 0, max_depth); !r) return fail(r.error());
  return out;
}

}  // namespace converge::trust
