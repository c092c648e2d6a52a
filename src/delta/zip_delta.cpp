#include "delta/zip_delta.hpp"

#include <algorithm>

#include "base/varint.hpp"
#include "delta/cover.hpp"
#include "delta/deflate.hpp"

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

// Builds the inflated image of `data`; with `find_params`, only entries whose
// deflate zlib reproduces are inflated (the new archive must be rebuilt exactly).
result<std::pair<bytes, std::vector<span_rec>>> inflated_image(bytes_view data, const zip_archive& z, bool find_params,
                                                               std::uint64_t max_image) {
  bytes image;
  std::vector<span_rec> spans;
  std::uint64_t end = 0;
  std::optional<deflate_params> hint;
  for (const zip_entry* e : by_data_offset(z)) {
    bytes_view comp = data.subspan(static_cast<std::size_t>(e->data_offset), static_cast<std::size_t>(e->compressed_size));
    auto plain = inflate_raw(comp, e->uncompressed_size);
    if (!plain || plain->size() != e->uncompressed_size) continue;
    span_rec s{e->data_offset - end, e->compressed_size, e->uncompressed_size, {}};
    if (find_params) {
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

struct recipe {
  std::vector<span_rec> old_spans, new_spans;
  std::uint64_t old_image_size = 0, new_image_size = 0;
  std::uint64_t inner_offset = 0, inner_size = 0;
};

// Reads and checks both recipes against the archive sizes.
result<recipe> read_recipe(const input_source& patch, std::uint64_t off, std::uint64_t size, std::uint64_t old_size,
                           std::uint64_t new_size, std::uint64_t max_image) {
  region_reader r(patch, off, size);
  recipe rc;
  for (int side = 0; side < 2; ++side) {
    const bool is_new = side == 1;
    const std::uint64_t archive_size = is_new ? new_size : old_size;
    auto count = r.uvarint("zip recipe count");
    if (!count) return fail(count.error());
    if (*count > max_recipe_entries)
      return fail(delta_errc::too_large, "zip recipe lists " + std::to_string(*count) + " entries");
    auto& spans = is_new ? rc.new_spans : rc.old_spans;
    std::uint64_t end = 0, image = 0;
    for (std::uint64_t i = 0; i < *count; ++i) {
      span_rec s;
      for (auto* f : {&s.gap, &s.csize, &s.usize}) {
        auto v = r.uvarint("zip recipe entry");
        if (!v) return fail(v.error());
        *f = *v;
      }
      if (is_new) {
        for (auto* f : {&s.params.level, &s.params.strategy, &s.params.mem_level}) {
          auto b = r.byte("zip recipe parameters");
          if (!b) return fail(b.error());
          *f = *b;
        }
        if (!valid(s.params)) return fail(delta_errc::corrupt, "zip recipe entry " + std::to_string(i) + " has invalid deflate parameters");
      }
      if (s.gap > archive_size - end || s.csize > archive_size - end - s.gap)
        return fail(delta_errc::corrupt, "zip recipe entry " + std::to_string(i) + " lies outside the archive");
      end += s.gap + s.csize;
      if (s.usize > max_image || image + s.gap > max_image - s.usize)
        return fail(delta_errc::too_large, "inflated archive image over the limit " + std::to_string(max_image));
      image += s.gap + s.usize;
      spans.push_back(s);
    }
    if (archive_size - end > max_image - image) return fail(delta_errc::too_large, "inflated archive image over the limit");
    (is_new ? rc.new_image_size : rc.old_image_size) = image + (archive_size - end);
  }
  rc.inner_offset = r.position();
  rc.inner_size = off + size - rc.inner_offset;
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
  bytes body;
  for (const auto* spans : {&old_img->second, &new_img->second}) {
    append_uvarint(body, spans->size());
    for (const auto& s : *spans) {
      append_uvarint(body, s.gap);
      append_uvarint(body, s.csize);
      append_uvarint(body, s.usize);
      if (spans == &new_img->second) {
        body.push_back(s.params.level);
        body.push_back(s.params.strategy);
        body.push_back(s.params.mem_level);
      }
    }
  }
  old_img->second.clear();
  auto inner = make_cover_body(old_img->first, new_img->first, {.level = opts.level});
  if (!inner) return fail(inner.error());
  append(body, *inner);
  return body;
}

result<void> apply_zip_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                            std::uint64_t body_size, output_sink& out, const apply_limits& limits) {
  auto rc = read_recipe(patch, body_offset, body_size, old_file.size(), out.declared_size(), limits.max_scratch_size);
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
  auto h = parse_header(patch);
  if (!h) return fail(h.error());
  auto rc = read_recipe(patch, body_offset, body_size, h->old_size, h->new_size, apply_limits{}.max_scratch_size);
  if (!rc) return fail(rc.error());
  std::vector<std::pair<std::string, std::string>> d;
  d.emplace_back("old entries inflated", std::to_string(rc->old_spans.size()));
  d.emplace_back("new entries re-deflated", std::to_string(rc->new_spans.size()));
  d.emplace_back("old inflated image", std::to_string(rc->old_image_size) + " bytes");
  d.emplace_back("new inflated image", std::to_string(rc->new_image_size) + " bytes");
  region_reader r(patch, rc->inner_offset, rc->inner_size);
  const char* names[] = {"control stream", "diff stream", "extra stream"};
  for (const char* n : names) {
    auto v = r.uvarint("cover stream lengths");
    if (!v) return fail(v.error());
    d.emplace_back(n, std::to_string(*v) + " bytes");
  }
  return d;
}

}  // namespace converge::delta
