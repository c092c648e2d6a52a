#include "delta/zip.hpp"

#include <algorithm>

namespace converge::delta {

namespace {

constexpr std::uint32_t sig_local = 0x04034b50, sig_central = 0x02014b50, sig_eocd = 0x06054b50,
                        sig_zip64_eocd = 0x06064b50, sig_zip64_locator = 0x07064b50;
constexpr std::size_t eocd_size = 22, locator_size = 20, zip64_eocd_size = 56, central_size = 46, local_size = 30;

// Little-endian fields at fixed offsets; callers check bounds first.
std::uint64_t le(bytes_view d, std::size_t at, unsigned width) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= std::uint64_t{d[at + i]} << (8 * i);
  return v;
}

auto bad(std::string what) { return fail(delta_errc::not_zip, std::move(what)); }

bool fits(bytes_view d, std::uint64_t off, std::uint64_t len) { return off <= d.size() && len <= d.size() - off; }

// Applies the zip64 extended-information extra field (id 1): each 32-bit field
// that holds the 0xffffffff (or 0xffff) marker is replaced, in APPNOTE order.
result<void> apply_zip64_extra(bytes_view extra, zip_entry& e, bool need_u, bool need_c, bool need_off) {
  std::size_t at = 0;
  while (at + 4 <= extra.size()) {
    auto id = le(extra, at, 2);
    auto len = static_cast<std::size_t>(le(extra, at + 2, 2));
    if (len > extra.size() - at - 4) return bad("extra field runs past its entry");
    if (id == 1) {
      bytes_view f = extra.subspan(at + 4, len);
      std::size_t p = 0;
      auto take = [&](std::uint64_t& out) -> bool {
        if (p + 8 > f.size()) return false;
        out = le(f, p, 8);
        p += 8;
        return true;
      };
      if ((need_u && !take(e.uncompressed_size)) || (need_c && !take(e.compressed_size)) ||
          (need_off && !take(e.local_header_offset)))
        return bad("zip64 extra field too short for " + e.name);
      return ok();
    }
    at += 4 + len;
  }
  if (need_u || need_c || need_off) return bad("entry " + e.name + " needs a zip64 extra field and has none");
  return ok();
}

}  // namespace

bool looks_like_zip(bytes_view d) { return d.size() >= 4 && le(d, 0, 4) == sig_local; }

result<zip_archive> parse_zip(bytes_view d, const zip_limits& limits) {
  if (d.size() < eocd_size) return bad("file is shorter than an end of central directory record");
  // The EOCD is the last record: its comment must run exactly to the end of the file.
  std::size_t eocd = SIZE_MAX;
  std::size_t lowest = d.size() >= eocd_size + 0xffff ? d.size() - eocd_size - 0xffff : 0;
  for (std::size_t i = d.size() - eocd_size + 1; i-- > lowest;) {
    if (le(d, i, 4) == sig_eocd && le(d, i + 20, 2) == d.size() - i - eocd_size) {
      eocd = i;
      break;
    }
  }
  if (eocd == SIZE_MAX) return bad("no end of central directory record");
  zip_archive z;
  std::uint64_t disk = le(d, eocd + 4, 2), cd_disk = le(d, eocd + 6, 2);
  std::uint64_t count_disk = le(d, eocd + 8, 2), count = le(d, eocd + 10, 2);
  z.central_directory_size = le(d, eocd + 12, 4);
  z.central_directory_offset = le(d, eocd + 16, 4);
  std::uint64_t cd_limit = eocd;  // the central directory ends before this
  if (count == 0xffff || count_disk == 0xffff || z.central_directory_size == 0xffffffff ||
      z.central_directory_offset == 0xffffffff || disk == 0xffff || cd_disk == 0xffff) {
    if (eocd < locator_size || le(d, eocd - locator_size, 4) != sig_zip64_locator)
      return bad("EOCD fields need zip64 and there is no zip64 locator");
    std::uint64_t rec = le(d, eocd - locator_size + 8, 8);
    if (le(d, eocd - locator_size + 16, 4) > 1) return bad("multi-disk archive");
    if (rec > eocd - locator_size || eocd - locator_size - rec < zip64_eocd_size || le(d, rec, 4) != sig_zip64_eocd)
      return bad("zip64 end of central directory record missing or out of place");
    disk = le(d, rec + 16, 4);
    cd_disk = le(d, rec + 20, 4);
    count_disk = le(d, rec + 24, 8);
    count = le(d, rec + 32, 8);
    z.central_directory_size = le(d, rec + 40, 8);
    z.central_directory_offset = le(d, rec + 48, 8);
    cd_limit = rec;
    z.zip64 = true;
  }
  if (disk != 0 || cd_disk != 0 || count_disk != count) return bad("multi-disk archive");
  if (count > limits.max_entries)
    return fail(delta_errc::too_large, std::to_string(count) + " entries, over the limit " + std::to_string(limits.max_entries));
  if (z.central_directory_offset > cd_limit || z.central_directory_size > cd_limit - z.central_directory_offset)
    return bad("central directory lies outside the archive");
  if (count * central_size > z.central_directory_size) return bad("central directory too small for its entry count");

  bytes_view cd = d.subspan(static_cast<std::size_t>(z.central_directory_offset), static_cast<std::size_t>(z.central_directory_size));
  std::size_t at = 0;
  z.entries.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    if (at + central_size > cd.size() || le(cd, at, 4) != sig_central)
      return bad("central directory entry " + std::to_string(i) + " is missing or damaged");
    zip_entry e;
    e.flags = static_cast<std::uint16_t>(le(cd, at + 8, 2));
    e.compression = static_cast<std::uint16_t>(le(cd, at + 10, 2));
    e.crc32 = static_cast<std::uint32_t>(le(cd, at + 16, 4));
    e.compressed_size = le(cd, at + 20, 4);
    e.uncompressed_size = le(cd, at + 24, 4);
    auto name_len = static_cast<std::size_t>(le(cd, at + 28, 2));
    auto extra_len = static_cast<std::size_t>(le(cd, at + 30, 2));
    auto comment_len = static_cast<std::size_t>(le(cd, at + 32, 2));
    auto start_disk = le(cd, at + 34, 2);
    e.local_header_offset = le(cd, at + 42, 4);
    if (central_size + name_len + extra_len + comment_len > cd.size() - at)
      return bad("central directory entry " + std::to_string(i) + " runs past the directory");
    e.name.assign(reinterpret_cast<const char*>(cd.data() + at + central_size), name_len);
    bytes_view extra = cd.subspan(at + central_size + name_len, extra_len);
    bool need_u = e.uncompressed_size == 0xffffffff, need_c = e.compressed_size == 0xffffffff,
         need_off = e.local_header_offset == 0xffffffff;
    if (auto r = apply_zip64_extra(extra, e, need_u, need_c, need_off); !r) return fail(r.error());
    if (start_disk != 0 && start_disk != 0xffff) return bad("multi-disk archive");
    at += central_size + name_len + extra_len + comment_len;

    const std::uint64_t lh = e.local_header_offset;
    if (!fits(d, lh, local_size) || le(d, lh, 4) != sig_local) return bad("local header of " + e.name + " is missing");
    auto lname = static_cast<std::size_t>(le(d, lh + 26, 2));
    auto lextra = static_cast<std::size_t>(le(d, lh + 28, 2));
    if (!fits(d, lh + local_size, lname + lextra)) return bad("local header of " + e.name + " runs past the archive");
    if (lname != name_len || !std::equal(e.name.begin(), e.name.end(), d.begin() + static_cast<std::ptrdiff_t>(lh + local_size)))
      return bad("local and central names differ for " + e.name);
    e.data_offset = lh + local_size + lname + lextra;
    if (e.data_offset > z.central_directory_offset || e.compressed_size > z.central_directory_offset - e.data_offset)
      return bad("data of " + e.name + " runs into the central directory");
    z.entries.push_back(std::move(e));
  }
  // Entries may not share bytes (overlapping entries are a zip-bomb device).
  std::vector<const zip_entry*> by_offset;
  by_offset.reserve(z.entries.size());
  for (const auto& e : z.entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const zip_entry* a, const zip_entry* b) { return a->local_header_offset < b->local_header_offset; });
  for (std::size_t i = 1; i < by_offset.size(); ++i)
    if (by_offset[i]->local_header_offset < by_offset[i - 1]->data_offset + by_offset[i - 1]->compressed_size)
      return bad("entries " + by_offset[i - 1]->name + " and " + by_offset[i]->name + " overlap");
  return z;
}

}  // namespace converge::delta
