#include "delta/zip_delta.hpp"

#include <algorithm>

#include "base/varint.hpp"
#include "delta/cover.hpp"
#include "delta/deflate.hpp"
#include "delta/zstd_stream.hpp"

namespace converge::delta {

namespace {

constexpr std::size_t max_recipe_entries = 1u << 18;
constexpr std::size_t chunk = 1 << 16;

struct span_rec {
  std::uint64_t gap = 0;  // raw archive bytes before this entry's data
  std::uint64_t csize = 0, usize = 0;
  deflate_params params{};
};

std::vector<const zip_entry*> by_data_offset(const zip_archive& z) {
  std::vector<const zip_entry*> v;
  for (const auto& e : z.entries)
    if (e.compression == 8 && !e.encrypted() && e.compressed_size > 0) v.push_back(&e);
  std::sort(v.begin(), v.end(), [](const zip_entry* a, const zip_entry* b) { return a->data_offset < b->data_offset; });
  return v;
}

// The old entries the method inflates: deflated, unencrypted, non-empty, in
// archive order. Maker and applier derive the same list from the old archive.
std::vector<span_rec> old_spans_of(const zip_archive& z) {
  std::vector<span_rec> spans;
  std::uint64_t end = 0;
  for (const zip_entry* e : by_data_offset(z)) {
    spans.push_back({e->data_offset - end, e->compressed_size, e->uncompressed_size, {}});
    end = e->data_offset + e->compressed_size;
  }
  return spans;
}

// Builds an inflated image of `data`. On the old side every listed entry must
// inflate cleanly (else the method does not apply); on the new side only
// entries whose deflate zlib reproduces are inflated.
result<std::pair<bytes, std::vector<span_rec>>> inflated_image(bytes_view data, const zip_archive& z, bool new_side,
                                                               std::uint64_t max_image) {
  bytes image;
  std::vector<span_rec> spans;
  std::uint64_t end = 0;
  std::optional<deflate_params> hint;
  for (const zip_entry* e : by_data_offset(z)) {
    bytes_view comp = data.subspan(static_cast<std::size_t>(e->data_offset), static_cast<std::size_t>(e->compressed_size));
    auto plain = inflate_raw(comp, e->uncompressed_size);
    bool clean = plain && plain->size() == e->uncompressed_size;
    if (!new_side && !clean) return fail(delta_errc::not_zip, "old archive entry " + e->name + " does not inflate cleanly");
    if (!clean) continue;
    span_rec s{e->data_offset - end, e->compressed_size, e->uncompressed_size, {}};
    if (new_side) {
      auto p = find_deflate_params(*plain, comp, hint);
      if (!p) continue;
      s.params = *p;
      hint = p;
    }
    if (image.size() + s.gap + s.usize > max_image) return fail(delta_errc::too_large, "inflated archive image over the limit");
    image.insert(image.end(), data.begin() + static_cast<std::ptrdiff_t>(end), data.begin() + static_cast<std::ptrdiff_t>(e->data_offset));
    append(image, *plain);
    end = e->data_offset + e->compressed_size;
    spans.push_back(s);
  }
  image.insert(image.end(), data.begin() + static_cast<std::ptrdiff_t>(end), data.end());
  return std::pair{std::move(image), std::move(spans)};
}

constexpr deflate_params initial_params{6, 0, 8};

// New spans, most of them equal to an old span: code 2k+1 copies old span
// (cursor + k) with the previous parameters; code 0 is followed by a literal
// span (gap, csize, usize, level, strategy, mem_level).
bytes encode_new_spans(const std::vector<span_rec>& old_spans, const std::vector<span_rec>& new_spans) {
  bytes out;
  append_uvarint(out, new_spans.size());
  std::size_t cursor = 0;
  deflate_params prev = initial_params;
  for (const auto& s : new_spans) {
    std::size_t found = SIZE_MAX;
    if (s.params == prev)
      for (std::size_t k = cursor; k < old_spans.size() && k < cursor + 256; ++k)
        if (old_spans[k].gap == s.gap && old_spans[k].csize == s.csize && old_spans[k].usize == s.usize) {
          found = k;
          break;
        }
    if (found != SIZE_MAX) {
      append_uvarint(out, 2 * (found - cursor) + 1);
      cursor = found + 1;
      continue;
    }
    out.push_back(0);
    append_uvarint(out, s.gap);
    append_uvarint(out, s.csize);
    append_uvarint(out, s.usize);
    out.push_back(s.params.level);
    out.push_back(s.params.strategy);
    out.push_back(s.params.mem_level);
    prev = s.params;
  }
  return out;
}

struct recipe {
  std::vector<span_rec> old_spans, new_spans;
  std::uint64_t old_image_size = 0, new_image_size = 0;
  std::uint64_t recipe_offset = 0, recipe_size = 0;
  std::uint64_t inner_offset = 0, inner_size = 0;
};

// Checks spans against their archive and returns the inflated image size.
result<std::uint64_t> image_size(const std::vector<span_rec>& spans, std::uint64_t archive_size, std::uint64_t max_image) {
  std::uint64_t end = 0, image = 0;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto& s = spans[i];
    if (s.gap > archive_size - end || s.csize > archive_size - end - s.gap)
      return fail(delta_errc::corrupt, "zip span " + std::to_string(i) + " lies outside the archive");
    end += s.gap + s.csize;
    if (s.usize > max_image || image + s.gap > max_image - s.usize)
      return fail(delta_errc::too_large, "inflated archive image over the limit " + std::to_string(max_image));
    image += s.gap + s.usize;
  }
  if (archive_size - end > max_image - image) return fail(delta_errc::too_large, "inflated archive image over the limit");
  return image + (archive_size - end);
}

// The old spans come from the (hash-verified) old archive itself; the new
// spans from the patch's zstd-compressed recipe.
result<recipe> read_recipe(const input_source& old_file, const input_source& patch, std::uint64_t off, std::uint64_t size,
                           std::uint64_t new_size, const apply_limits& limits) {
  recipe rc;
  {
    auto view = old_file.map();
    if (!view) return fail(view.error());
    auto z = parse_zip(*view);
    old_file.drop_mapped_pages();
    if (!z) return fail(delta_errc::old_mismatch, "old file is not the archive the patch expects: " + z.error().detail);
    rc.old_spans = old_spans_of(*z);
  }
  auto old_image = image_size(rc.old_spans, old_file.size(), limits.max_scratch_size);
  if (!old_image) return fail(old_image.error());
  rc.old_image_size = *old_image;

  region_reader r(patch, off, size);
  auto len = r.uvarint("zip recipe length");
  if (!len) return fail(len.error());
  rc.recipe_offset = r.position();
  if (*len > off + size - rc.recipe_offset) return fail(delta_errc::truncated, "zip recipe runs past the patch");
  rc.recipe_size = *len;
  rc.inner_offset = rc.recipe_offset + *len;
  rc.inner_size = off + size - rc.inner_offset;
  zstd_reader z(patch, rc.recipe_offset, *len, limits.max_stream_window_log, "zip recipe");
  auto count = z.uvarint();
  if (!count) return fail(count.error());
  if (*count > max_recipe_entries) return fail(delta_errc::too_large, "zip recipe lists " + std::to_string(*count) + " entries");
  std::size_t cursor = 0;
  deflate_params prev = initial_params;
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto code = z.uvarint();
    if (!code) return fail(code.error());
    span_rec s;
    if (*code % 2 == 1) {
      std::uint64_t k = *code / 2;
      if (k >= rc.old_spans.size() - std::min(cursor, rc.old_spans.size()))
        return fail(delta_errc::corrupt, "zip recipe entry " + std::to_string(i) + " copies a span the old archive lacks");
      s = rc.old_spans[cursor + k];
      s.params = prev;
      cursor += k + 1;
    } else if (*code == 0) {
      for (auto* f : {&s.gap, &s.csize, &s.usize}) {
        auto v = z.uvarint();
        if (!v) return fail(v.error());
        *f = *v;
      }
      std::uint8_t p[3];
      if (auto rd = z.read(p); !rd) return fail(rd.error());
      s.params = {p[0], p[1], p[2]};
      if (!valid(s.params)) return fail(delta_errc::corrupt, "zip recipe entry " + std::to_string(i) + " has invalid deflate parameters");
      prev = s.params;
    } else {
      return fail(delta_errc::corrupt, "zip recipe entry " + std::to_string(i) + " has an unknown code");
    }
    rc.new_spans.push_back(s);
  }
  if (auto e = z.expect_end(); !e) return fail(e.error());
  auto new_image = image_size(rc.new_spans, new_size, limits.max_scratch_size);
  if (!new_image) return fail(new_image.error());
  rc.new_image_size = *new_image;
  return rc;
}

// Turns the new inflated image back into the archive: raw bytes pass through,
// entry content is deflated with its recorded parameters and must come out at
// exactly the recorded compressed size.
class redeflate_sink final : public byte_sink {
 public:
  redeflate_sink(const std::vector<span_rec>& spans, byte_sink& out) : spans_(spans), out_(out) {
    if (!spans_.empty()) {
      gap_left_ = spans_[0].gap;
      entry_left_ = spans_[0].usize;
    }
  }

  result<void> write(bytes_view data) override {
    if (auto r = settle(); !r) return r;
    while (!data.empty()) {
      std::size_t n = data.size();
      if (idx_ >= spans_.size()) return out_.write(data);
      if (gap_left_ > 0) {
        n = static_cast<std::size_t>(std::min<std::uint64_t>(n, gap_left_));
        if (auto r = out_.write(data.first(n)); !r) return r;
        gap_left_ -= n;
      } else {
        n = static_cast<std::size_t>(std::min<std::uint64_t>(n, entry_left_));
        if (auto r = start(); !r) return r;
        if (auto r = d_->write(data.first(n), out_); !r) return r;
        entry_left_ -= n;
      }
      data = data.subspan(n);
      if (auto r = settle(); !r) return r;
    }
    return ok();
  }

  result<void> finish() {
    if (auto r = settle(); !r) return r;
    if (idx_ != spans_.size()) return fail(delta_errc::corrupt, "inner delta ends before the last zip entry");
    return ok();
  }

 private:
  result<void> start() {
    if (d_) return ok();
    d_ = std::make_unique<deflater>(spans_[idx_].params);
    return d_->init();
  }
  // Closes every entry whose content is complete.
  result<void> settle() {
    while (idx_ < spans_.size() && gap_left_ == 0 && entry_left_ == 0) {
      if (auto r = start(); !r) return r;
      if (auto r = d_->finish(out_); !r) return r;
      if (d_->produced() != spans_[idx_].csize)
        return fail(delta_errc::hash_mismatch, "zip entry " + std::to_string(idx_) + " re-deflates to " +
                                                   std::to_string(d_->produced()) + " bytes, expected " +
                                                   std::to_string(spans_[idx_].csize) + " (a different zlib?)");
      d_.reset();
      if (++idx_ < spans_.size()) {
        gap_left_ = spans_[idx_].gap;
        entry_left_ = spans_[idx_].usize;
      }
    }
    return ok();
  }

  const std::vector<span_rec>& spans_;
  byte_sink& out_;
  std::size_t idx_ = 0;
  std::uint64_t gap_left_ = 0, entry_left_ = 0;
  std::unique_ptr<deflater> d_;
};

result<void> copy_range(const input_source& src, std::uint64_t off, std::uint64_t len, byte_sink& out) {
  bytes buf(static_cast<std::size_t>(std::min<std::uint64_t>(chunk, len)));
  while (len > 0) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, len));
    if (auto r = src.read_at(off, {buf.data(), n}); !r) return r;
    if (auto r = out.write({buf.data(), n}); !r) return r;
    off += n;
    len -= n;
  }
  return ok();
}

}  // namespace

result<bytes> make_zip_body(bytes_view old_data, bytes_view new_data, const zip_options& opts) {
  auto oz = parse_zip(old_data);
  if (!oz) return fail(with_context(oz.error(), "old archive"));
  auto nz = parse_zip(new_data);
  if (!nz) return fail(with_context(nz.error(), "new archive"));
  auto old_img = inflated_image(old_data, *oz, false, opts.max_image_size);
  if (!old_img) return fail(old_img.error());
  auto new_img = inflated_image(new_data, *nz, true, opts.max_image_size);
  if (!new_img) return fail(new_img.error());
  auto recipe = zstd_compress(encode_new_spans(old_img->second, new_img->second), {.level = 19, .window_log = 20});
  if (!recipe) return fail(recipe.error());
  bytes body;
  append_uvarint(body, recipe->size());
  append(body, *recipe);
  auto inner = make_cover_body(old_img->first, new_img->first, {.codecs = opts.codecs});
  if (!inner) return fail(inner.error());
  append(body, *inner);
  return body;
}

result<void> apply_zip_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                            std::uint64_t body_size, output_sink& out, const apply_limits& limits) {
  auto rc = read_recipe(old_file, patch, body_offset, body_size, out.declared_size(), limits);
  if (!rc) return fail(rc.error());
  auto scratch = scratch_writer::create(limits.scratch_dir, rc->old_image_size);
  if (!scratch) return fail(scratch.error());
  std::uint64_t end = 0;
  for (const auto& s : rc->old_spans) {
    if (auto r = copy_range(old_file, end, s.gap, *scratch); !r) return r;
    if (auto r = inflate_region(old_file, end + s.gap, s.csize, s.usize, *scratch); !r) return r;
    end += s.gap + s.csize;
  }
  if (auto r = copy_range(old_file, end, old_file.size() - end, *scratch); !r) return r;
  auto old_image = scratch->finish();
  if (!old_image) return fail(old_image.error());
  redeflate_sink sink(rc->new_spans, out);
  if (auto r = apply_cover_body(*old_image, patch, rc->inner_offset, rc->inner_size, rc->new_image_size, sink, limits); !r)
    return r;
  return sink.finish();
}

result<std::vector<std::pair<std::string, std::string>>> describe_zip_body(const input_source& patch,
                                                                            std::uint64_t body_offset,
                                                                            std::uint64_t body_size) {
  region_reader head(patch, body_offset, body_size);
  auto len = head.uvarint("zip recipe length");
  if (!len) return fail(len.error());
  std::uint64_t recipe_offset = head.position();
  if (*len > body_offset + body_size - recipe_offset) return fail(delta_errc::truncated, "zip recipe runs past the patch");
  zstd_reader z(patch, recipe_offset, *len, apply_limits{}.max_stream_window_log, "zip recipe");
  auto count = z.uvarint();
  if (!count) return fail(count.error());
  std::vector<std::pair<std::string, std::string>> d;
  d.emplace_back("zip recipe", std::to_string(*len) + " bytes");
  d.emplace_back("new entries re-deflated", std::to_string(*count));
  std::uint64_t inner = recipe_offset + *len;
  auto c = describe_cover_body(patch, inner, body_offset + body_size - inner);
  if (!c) return fail(c.error());
  for (auto& x : *c) d.push_back(std::move(x));
  return d;
}

}  // namespace converge::delta
