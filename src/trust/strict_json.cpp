#include "trust/canonical_json.hpp"

#include <optional>
#include <vector>

#include <simdjson.h>

// Two parsers with one contract (canonical_json.hpp). The reference is
// nlohmann's SAX parser driving a strict DOM builder. The fast path lets
// simdjson validate and index the text (about ten times nlohmann's lexer on
// TUF documents) and builds the same nlohmann DOM from its tape. The fast
// path only ever accepts what the reference accepts, or refuses with the
// reference's own error; everything else (syntax errors, floats, big
// numbers, escapes that decode to invalid UTF-8) it declines, and the
// reference decides and words the error. fuzz/trust/canonical_json_fuzz.cpp
// checks that the two agree.

namespace converge::trust {
namespace {

result<nlohmann::json> size_error(std::string_view text, const json_limits& limits) {
  return fail(trust_errc::too_large,
              "JSON is " + std::to_string(text.size()) + " bytes, limit " + std::to_string(limits.max_bytes));
}

error depth_error(std::size_t max_depth) {
  return error{make_error_code(trust_errc::too_large), "nesting deeper than " + std::to_string(max_depth)};
}

error duplicate_key_error(std::string_view key) {
  return error{make_error_code(trust_errc::invalid_json), "duplicate object key \"" + std::string(key) + "\""};
}

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
    if (!inserted) return refuse(duplicate_key_error(k));
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
  bool refuse(trust_errc code, std::string detail) { return refuse(error{make_error_code(code), std::move(detail)}); }
  bool refuse(error e) {
    if (!error_) error_ = std::move(e);
    return false;
  }
  bool open(json container) {
    if (stack_.size() + 1 > limits_.max_depth)
      return refuse(depth_error(limits_.max_depth));
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

result<nlohmann::json> parse_json_reference(std::string_view text, const json_limits& limits) {
  if (text.size() > limits.max_bytes) return size_error(text, limits);
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

namespace {

// Builds the nlohmann DOM from simdjson's, in document order, so that the
// first refusal is the one the reference's SAX walk would meet first.
class simd_dom_builder {
 public:
  using json = nlohmann::json;
  enum class outcome { built, refused, declined };
  // maybe_minus_zero: the text contains "-0" somewhere. simdjson reads "-0"
  // as the integer 0; nlohmann keeps it signed and "0" unsigned.
  simd_dom_builder(const json_limits& limits, bool maybe_minus_zero)
      : limits_(limits), maybe_minus_zero_(maybe_minus_zero) {}

  outcome build(simdjson::dom::element e, json& out, std::size_t depth) {
    using t = simdjson::dom::element_type;
    switch (e.type()) {
      case t::NULL_VALUE: out = nullptr; return outcome::built;
      case t::BOOL: out = e.get_bool().value_unsafe(); return outcome::built;
      case t::INT64: {
        const std::int64_t v = e.get_int64().value_unsafe();
        if (v == 0 && maybe_minus_zero_) return outcome::declined;
        // nlohmann keeps non-negative integers unsigned.
        if (v >= 0) out = static_cast<std::uint64_t>(v);
        else out = v;
        return outcome::built;
      }
      case t::UINT64: out = e.get_uint64().value_unsafe(); return outcome::built;
      case t::DOUBLE: return outcome::declined;  // the reference keeps the lexeme's own rules (-0, 1e2)
      case t::STRING: {
        const std::string_view s = e.get_string().value_unsafe();
        if (!is_valid_utf8(s)) return outcome::declined;  // an escaped lone surrogate
        out = std::string(s);
        return outcome::built;
      }
      case t::ARRAY: {
        if (depth + 1 > limits_.max_depth) return refuse(depth_error(limits_.max_depth));
        out = json::array();
        auto& a = out.get_ref<json::array_t&>();
        // Held in a local: a range-for over value_unsafe() of the temporary result dangles.
        const simdjson::dom::array arr = e.get_array().value_unsafe();
        for (simdjson::dom::element v : arr) {
          a.emplace_back();
          if (auto r = build(v, a.back(), depth + 1); r != outcome::built) return r;
        }
        return outcome::built;
      }
      case t::OBJECT: {
        if (depth + 1 > limits_.max_depth) return refuse(depth_error(limits_.max_depth));
        out = json::object();
        auto& o = out.get_ref<json::object_t&>();
        const simdjson::dom::object obj = e.get_object().value_unsafe();
        for (simdjson::dom::key_value_pair kv : obj) {
          if (!is_valid_utf8(kv.key)) return outcome::declined;
          auto [it, inserted] = o.try_emplace(std::string(kv.key));
          if (!inserted) return refuse(duplicate_key_error(kv.key));
          if (auto r = build(kv.value, it->second, depth + 1); r != outcome::built) return r;
        }
        return outcome::built;
      }
    }
    return outcome::declined;
  }

  error take_error() && { return std::move(*error_); }

 private:
  outcome refuse(error e) {
    error_ = std::move(e);
    return outcome::refused;
  }

  const json_limits& limits_;
  const bool maybe_minus_zero_;
  std::optional<error> error_;
};

// The parser keeps its buffers between calls; one that grew for a large
// document gives them back (a daemon's usual documents are a few KiB).
constexpr std::size_t kept_parser_capacity = 64 * 1024;

}  // namespace

result<nlohmann::json> parse_json(std::string_view text, const json_limits& limits) {
  if (text.size() > limits.max_bytes) return size_error(text, limits);
  thread_local simdjson::dom::parser parser;
  std::optional<result<nlohmann::json>> fast;
  try {
    simdjson::dom::element root;
    if (parser.parse(text.data(), text.size()).get(root) == simdjson::SUCCESS) {
      simd_dom_builder builder(limits, text.find("-0") != std::string_view::npos);
      nlohmann::json out;
      switch (builder.build(root, out, 0)) {
        case simd_dom_builder::outcome::built: fast.emplace(std::move(out)); break;
        case simd_dom_builder::outcome::refused: fast.emplace(fail(std::move(builder).take_error())); break;
        case simd_dom_builder::outcome::declined: break;
      }
    }
  } catch (const std::bad_alloc&) {
    fast.emplace(fail(trust_errc::too_large, "out of memory while parsing JSON"));
  }
  if (parser.capacity() > kept_parser_capacity) parser = simdjson::dom::parser{};
  if (fast) return std::move(*fast);
  return parse_json_reference(text, limits);
}

}  // namespace converge::trust
