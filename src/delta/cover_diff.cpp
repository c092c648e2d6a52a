// Cover-line search over a suffix array of the old file (libdivsufsort), in
// the manner of bsdiff: scan the new file, find the longest old match at each
// position, and start a new cover line only where a match beats the current
// alignment by more than a few bytes; then extend each line forwards and
// backwards while at least half its bytes agree, splitting any overlap at the
// point that maximises agreement.
#include <divsufsort.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "base/varint.hpp"
#include "delta/cover.hpp"

namespace converge::delta {

namespace {

struct match {
  std::int64_t pos = 0;
  std::int64_t len = 0;
};

class suffix_index {
 public:
  explicit suffix_index(bytes_view old) : old_(old) {}

  result<void> build() {
    if (old_.empty()) return ok();
    if (old_.size() >= static_cast<std::size_t>(std::numeric_limits<saidx_t>::max()))
      return fail(delta_errc::too_large, "old file over 2 GiB: too large for the suffix-array method");
    sa_.resize(old_.size());
    if (divsufsort(old_.data(), sa_.data(), static_cast<saidx_t>(old_.size())) != 0)
      return fail(delta_errc::invalid_argument, "divsufsort failed");
    return ok();
  }

  // The longest prefix of `needle` that occurs in the old file.
  [[nodiscard]] match longest(bytes_view needle) const {
    if (sa_.empty() || needle.empty()) return {};
    std::size_t lo = 0, hi = sa_.size();
    while (lo < hi) {  // first suffix not less than needle
      std::size_t mid = lo + (hi - lo) / 2;
      if (suffix_less(static_cast<std::size_t>(sa_[mid]), needle)) lo = mid + 1;
      else hi = mid;
    }
    match best;
    for (std::size_t i : {lo, lo - 1}) {
      if (i >= sa_.size()) continue;  // lo - 1 wraps when lo == 0
      auto p = static_cast<std::size_t>(sa_[i]);
      auto l = common_prefix(old_.subspan(p), needle);
      if (static_cast<std::int64_t>(l) > best.len) best = {static_cast<std::int64_t>(p), static_cast<std::int64_t>(l)};
    }
    return best;
  }

 private:
  static std::size_t common_prefix(bytes_view a, bytes_view b) {
    auto n = std::min(a.size(), b.size());
    return static_cast<std::size_t>(std::mismatch(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n), b.begin()).first - a.begin());
  }
  bool suffix_less(std::size_t p, bytes_view needle) const {
    auto suffix = old_.subspan(p);
    auto n = std::min(suffix.size(), needle.size());
    int c = n == 0 ? 0 : std::memcmp(suffix.data(), needle.data(), n);
    return c < 0 || (c == 0 && suffix.size() < needle.size());
  }

  bytes_view old_;
  std::vector<saidx_t> sa_;
};

struct streams {
  bytes ctrl, diff, extra;
  std::int64_t cursor = 0;  // the applier's old position after the last record

  void emit(bytes_view old, bytes_view neu, std::int64_t old_from, std::int64_t new_from, std::int64_t add,
            std::int64_t extra_len) {
    if (add + extra_len == 0) return;  // no progress: the next record's seek says it all
    append_uvarint(ctrl, zigzag_encode(old_from - cursor));
    append_uvarint(ctrl, static_cast<std::uint64_t>(add));
    append_uvarint(ctrl, static_cast<std::uint64_t>(extra_len));
    for (std::int64_t i = 0; i < add; ++i)
      diff.push_back(static_cast<std::uint8_t>(neu[static_cast<std::size_t>(new_from + i)] -
                                               old[static_cast<std::size_t>(old_from + i)]));
    auto e = neu.subspan(static_cast<std::size_t>(new_from + add), static_cast<std::size_t>(extra_len));
    extra.insert(extra.end(), e.begin(), e.end());
    cursor = old_from + add;
  }
};

// Past this length a match starts a new cover line even if the current
// alignment nearly matches too; it bounds bsdiff's quadratic worst case on
// long runs of repeated bytes.
constexpr std::int64_t accept_anyway_len = 4096;

}  // namespace

result<bytes> make_cover_body(bytes_view old, bytes_view neu, const cover_options& opts) {
  suffix_index idx(old);
  if (auto r = idx.build(); !r) return fail(r.error());
  const auto oldsize = static_cast<std::int64_t>(old.size());
  const auto newsize = static_cast<std::int64_t>(neu.size());
  auto same = [&](std::int64_t o, std::int64_t n) {
    return o >= 0 && o < oldsize && old[static_cast<std::size_t>(o)] == neu[static_cast<std::size_t>(n)];
  };

  streams out;
  std::int64_t scan = 0, len = 0, pos = 0, lastscan = 0, lastpos = 0, lastoffset = 0;
  while (scan < newsize) {
    std::int64_t oldscore = 0;
    std::int64_t scsc = scan += len;
    for (; scan < newsize; ++scan) {
      auto m = idx.longest(neu.subspan(static_cast<std::size_t>(scan)));
      pos = m.pos;
      len = m.len;
      for (; scsc < scan + len; ++scsc)
        if (same(scsc + lastoffset, scsc)) ++oldscore;
      if ((len == oldscore && len != 0) || len > oldscore + 8 || len >= accept_anyway_len) break;
      if (same(scan + lastoffset, scan)) --oldscore;
    }
    if (len == oldscore && scan != newsize) continue;

    // Extend the previous line forwards while at least half its bytes agree.
    std::int64_t s = 0, best = 0, lenf = 0;
    for (std::int64_t i = 0; lastscan + i < scan && lastpos + i < oldsize;) {
      if (same(lastpos + i, lastscan + i)) ++s;
      ++i;
      if (s * 2 - i > best * 2 - lenf) {
        best = s;
        lenf = i;
      }
    }
    // And the new line backwards.
    std::int64_t lenb = 0;
    if (scan < newsize) {
      s = 0;
      best = 0;
      for (std::int64_t i = 1; scan >= lastscan + i && pos >= i; ++i) {
        if (same(pos - i, scan - i)) ++s;
        if (s * 2 - i > best * 2 - lenb) {
          best = s;
          lenb = i;
        }
      }
    }
    if (lastscan + lenf > scan - lenb) {  // the extensions overlap: split where agreement peaks
      std::int64_t overlap = (lastscan + lenf) - (scan - lenb);
      s = 0;
      best = 0;
      std::int64_t lens = 0;
      for (std::int64_t i = 0; i < overlap; ++i) {
        if (same(lastpos + lenf - overlap + i, lastscan + lenf - overlap + i)) ++s;
        if (same(pos - lenb + i, scan - lenb + i)) --s;
        if (s > best) {
          best = s;
          lens = i + 1;
        }
      }
      lenf += lens - overlap;
      lenb -= lens;
    }
    out.emit(old, neu, lastpos, lastscan, lenf, (scan - lenb) - (lastscan + lenf));
    lastscan = scan - lenb;
    lastpos = pos - lenb;
    lastoffset = pos - scan;
  }

  coded_stream coded[3];
  const bytes* raw[3] = {&out.ctrl, &out.diff, &out.extra};
  const stream_kind kinds[3] = {stream_kind::control, stream_kind::diff, stream_kind::extra};
  for (int i = 0; i < 3; ++i) {
    auto c = encode_stream(*raw[i], kinds[i], opts.codecs);
    if (!c) return fail(c.error());
    coded[i] = std::move(*c);
  }
  bytes body;
  for (auto& c : coded) append_stream_header(body, c);
  for (auto& c : coded) append(body, c.data);
  return body;
}

}  // namespace converge::delta
