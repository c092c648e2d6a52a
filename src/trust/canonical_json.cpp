#include "trust/canonical_json.hpp"

#include <optional>
#include <set>
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

namespace {

// Builds the DOM through nlohmann's SAX interface, refusing a duplicate key
// when it is read (an object member is looked up in the object itself: no
// per-event DOM copies, no key sets) and bounding the nesting depth.
class strict_dom_builder {
 public:
  using json = nlohmann::json;
  explicit strict_dom_builder(const json_limits& limits) : limits_(limits) {}

  bool null() { return put(nullptr) != nullptr; }
  bool boolean(bool v) { return put(v) != nullptr; }
  bool number_integer(json::number_integer_t v) { return put(v) != nullptr; }
  bool number_unsigned(json::number_unsigned_t v) { return put(v) != nullptr; }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(v) != nullptr; }
  bool string(json::string_t& v) { return put(std::move(v)) != nullptr; }
  bool binary(json::binary_t&) { return refuse(trust_errc::invalid_json, "binary values are not JSON"); }
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { stack_.pop_back(); return true; }
  bool end_array() { stack_.pop_back(); return true; }
  bool key(json::string_t& k) {
    auto& obj = stack_.back()->get_ref<json::object_t&>();
    auto [it, inserted] = obj.try_emplace(k);
    if (!inserted) return refuse(trust_errc::invalid_json, "duplicate object key \"" + k + "\"");
    member_ = &it->second;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    return refuse(trust_errc::invalid_json, ex.what());
  }

  result<json> take() && {
    if (error_) return fail(std::move(*error_));
    return std::move(root_);
  }
  bool failed() const { return error_.has_value(); }

 private:
  bool refuse(trust_errc code, std::string detail) {
    if (!error_) error_ = error{make_error_code(code), std::move(detail)};
    return false;
  }
  bool open(json container) {
    if (stack_.size() + 1 > limits_.max_depth)
      return refuse(trust_errc::too_large, "nesting deeper than " + std::to_string(limits_.max_depth));
    json* v = put(std::move(container));
    stack_.push_back(v);
    return true;
  }
  // Places a value: the root, the next array element or the pending member.
  // Pointers stay valid: a container only grows while it is the innermost.
  template <class V>
  json* put(V&& v) {
    if (stack_.empty()) {
      root_ = std::forward<V>(v);
      return &root_;
    }
    json* top = stack_.back();
    if (top->is_array()) {
      auto& a = top->get_ref<json::array_t&>();
      a.emplace_back(std::forward<V>(v));
      return &a.back();
    }
    *member_ = std::forward<V>(v);
    return member_;
  }

  const json_limits& limits_;
  json root_;
  std::vector<json*> stack_;
  json* member_ = nullptr;
  std::optional<error> error_;
};

}  // namespace

result<nlohmann::json> parse_json(std::string_view text, const json_limits& limits) {
  if (text.size() > limits.max_bytes)
    return fail(trust_errc::too_large,
                "JSON is " + std::to_string(text.size()) + " bytes, limit " + std::to_string(limits.max_bytes));
  strict_dom_builder builder(limits);
  try {
    const bool parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &builder, nlohmann::json::input_format_t::json,
                                                  /*strict=*/true, /*ignore_comments=*/false);
    if (!parsed && !builder.failed()) return fail(trust_errc::invalid_json, "JSON parse failed");
    return std::move(builder).take();
  } catch (const nlohmann::json::exception& ex) {
    return fail(trust_errc::invalid_json, ex.what());
  } catch (const std::bad_alloc&) {
    return fail(trust_errc::too_large, "out of memory while parsing JSON");
  }
}

result<std::string> encode_canonical(const nlohmann::json& value, std::size_t max_depth) {
  std::string out;
  if (auto r = write_value(out, value, 0, max_depth); !r) return fail(r.error());
  return out;
}

}  // namespace converge::trust
