#include "delta/delta.hpp"

#include <filesystem>

#include "base/varint.hpp"
#include "delta/cover.hpp"
#include "delta/prefix.hpp"
#include "delta/zip_delta.hpp"
#include "delta/zstd_stream.hpp"

namespace converge::delta {

namespace {

bytes with_header(method kind, bytes_view old_data, bytes_view new_data, bytes_view body) {
  patch_header h;
  h.kind = kind;
  h.old_size = old_data.size();
  h.new_size = new_data.size();
  h.old_sha256 = sha256_of(old_data);
  h.new_sha256 = sha256_of(new_data);
  bytes out = encode_header(h);
  append(out, body);
  return out;
}

result<bytes> make_body(method kind, bytes_view old_data, bytes_view new_data, const make_options& opts) {
  switch (kind) {
    case method::cover: return make_cover_body(old_data, new_data, {.codecs = opts.codecs});
    case method::zstd_prefix: return make_prefix_body(old_data, new_data, opts.zstd_level);
    case method::zip: return make_zip_body(old_data, new_data, {.codecs = opts.codecs});
  }
  return fail(delta_errc::invalid_argument, "unknown method");
}

}  // namespace

result<bytes> make_patch(bytes_view old_data, bytes_view new_data, const make_options& opts, make_report* report) {
  make_report local;
  make_report& rep = report != nullptr ? *report : local;
  rep = {};
  std::vector<method> kinds;
  switch (opts.choice) {
    case method_choice::cover: kinds = {method::cover}; break;
    case method_choice::zstd: kinds = {method::zstd_prefix}; break;
    case method_choice::zip: kinds = {method::zip}; break;
    case method_choice::automatic:
      kinds = {method::cover, method::zstd_prefix};
      if (looks_like_zip(old_data) && looks_like_zip(new_data)) kinds.insert(kinds.begin(), method::zip);
      break;
  }
  std::optional<bytes> best;
  for (method k : kinds) {
    auto body = make_body(k, old_data, new_data, opts);
    if (!body) {
      if (opts.choice != method_choice::automatic) return fail(body.error());
      rep.skipped.push_back(to_string(k) + ": " + body.error().message());
      continue;
    }
    bytes patch = with_header(k, old_data, new_data, *body);
    rep.tried.emplace_back(k, patch.size());
    if (!best || patch.size() < best->size()) {
      best = std::move(patch);
      rep.chosen = k;
    }
  }
  if (!best) return fail(delta_errc::no_benefit, "no delta method applies");
  rep.patch_size = best->size();
  if (opts.choice == method_choice::automatic) {
    auto full = zstd_compress(new_data, {.level = opts.full_level, .window_log = 0, .long_distance = true});
    if (!full) return fail(full.error());
    rep.full_size = std::min<std::uint64_t>(new_data.size(), full->size());
    if (static_cast<double>(best->size()) > opts.max_ratio * static_cast<double>(rep.full_size))
      return fail(delta_errc::no_benefit, "best patch (" + to_string(rep.chosen) + ", " + std::to_string(best->size()) +
                                              " bytes) is over " + std::to_string(opts.max_ratio) +
                                              " of the compressed full package (" + std::to_string(rep.full_size) +
                                              " bytes)");
  }
  return std::move(*best);
}

result<void> apply_patch(const input_source& old_file, const input_source& patch, output_sink& out,
                         const apply_limits& limits, const std::optional<digest>& expect) {
  auto h = parse_header(patch);
  if (!h) return fail(h.error());
  if (h->new_size > limits.max_new_size)
    return fail(delta_errc::too_large, "patch declares a new file of " + std::to_string(h->new_size) +
                                           " bytes, over the limit " + std::to_string(limits.max_new_size));
  if (out.declared_size() != h->new_size) return fail(delta_errc::invalid_argument, "output sink sized for another patch");
  if (expect && *expect != h->new_sha256)
    return fail(delta_errc::hash_mismatch, "patch builds sha256 " + to_hex(h->new_sha256) + ", expected " + to_hex(*expect));
  if (old_file.size() != h->old_size)
    return fail(delta_errc::old_mismatch, old_file.name() + " is " + std::to_string(old_file.size()) +
                                              " bytes, the patch was made against " + std::to_string(h->old_size));
  auto old_hash = old_file.hash();
  if (!old_hash) return fail(old_hash.error());
  if (*old_hash != h->old_sha256)
    return fail(delta_errc::old_mismatch, old_file.name() + " has sha256 " + to_hex(*old_hash) +
                                              ", the patch was made against " + to_hex(h->old_sha256));
  if (auto r = apply_body(*h, old_file, patch, out, limits); !r) return r;
  return out.commit(h->new_sha256);
}

result<void> apply_body(const patch_header& h, const input_source& old_file, const input_source& patch,
                        output_sink& out, const apply_limits& limits) {
  if (out.declared_size() != h.new_size) return fail(delta_errc::invalid_argument, "output sink sized for another patch");
  switch (h.kind) {
    case method::cover:
      return apply_cover_body(old_file, patch, h.body_offset, h.body_size, h.new_size, out, limits);
    case method::zstd_prefix: return apply_prefix_body(old_file, patch, h.body_offset, h.body_size, out, limits);
    case method::zip: return apply_zip_body(old_file, patch, h.body_offset, h.body_size, out, limits);
  }
  return fail(delta_errc::unsupported, "unknown method");
}

result<void> apply_patch_file(const std::string& old_path, const std::string& patch_path, const std::string& out_path,
                              apply_limits limits, const std::optional<digest>& expect) {
  auto old_file = input_source::open_file(old_path);
  if (!old_file) return fail(old_file.error());
  auto patch = input_source::open_file(patch_path);
  if (!patch) return fail(patch.error());
  auto h = parse_header(*patch);
  if (!h) return fail(with_context(h.error(), patch_path));
  if (h->new_size > limits.max_new_size)
    return fail(delta_errc::too_large, "patch declares a new file of " + std::to_string(h->new_size) + " bytes");
  if (limits.scratch_dir.empty()) {
    auto dir = std::filesystem::path(out_path).parent_path();
    limits.scratch_dir = dir.empty() ? "." : dir.string();
  }
  auto out = output_sink::to_file(out_path, h->new_size);
  if (!out) return fail(out.error());
  return apply_patch(*old_file, *patch, **out, limits, expect);
}

result<bytes> apply_patch_memory(bytes_view old_data, bytes_view patch, const apply_limits& limits) {
  auto p = input_source::from_memory(patch);
  auto h = parse_header(p);
  if (!h) return fail(h.error());
  if (h->new_size > limits.max_new_size)
    return fail(delta_errc::too_large, "patch declares a new file of " + std::to_string(h->new_size) + " bytes");
  auto out = output_sink::to_memory(h->new_size);
  if (auto r = apply_patch(input_source::from_memory(old_data), p, *out, limits); !r) return fail(r.error());
  return out->take_memory();
}

result<patch_info> inspect_patch(const input_source& patch) {
  auto h = parse_header(patch);
  if (!h) return fail(h.error());
  patch_info info{*h, {}};
  if (h->kind == method::cover) {
    auto d = describe_cover_body(patch, h->body_offset, h->body_size);
    if (!d) return fail(d.error());
    info.details = std::move(*d);
  } else if (h->kind == method::zstd_prefix) {
    info.details.emplace_back("zstd frame", std::to_string(h->body_size) + " bytes");
  } else {
    auto z = describe_zip_body(patch, h->body_offset, h->body_size);
    if (!z) return fail(z.error());
    for (auto& d : *z) info.details.push_back(std::move(d));
  }
  return info;
}

}  // namespace converge::delta
