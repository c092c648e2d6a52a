#pragma once
// A growable ring of bytes for per-stream receive buffers. It grows by
// doubling up to a caller-given limit and never shrinks while in use, so a
// stream in steady state copies frames in without allocating.
#include <algorithm>
#include <cstddef>
#include <utility>

#include "base/bytes.hpp"

namespace converge::p2p {

class byte_ring {
 public:
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t capacity() const { return buf_.size(); }
  [[nodiscard]] bool empty() const { return size_ == 0; }

  // Makes room for `n` bytes in total; capacity stays at most max(n, limit).
  void reserve(std::size_t n, std::size_t limit) {
    if (n <= buf_.size()) return;
    std::size_t cap = std::max<std::size_t>(buf_.size() * 2, 4096);
    cap = std::max(n, std::min(cap, limit));
    bytes next(cap);
    auto [a, b] = peek();
    std::copy(a.begin(), a.end(), next.begin());
    std::copy(b.begin(), b.end(), next.begin() + static_cast<std::ptrdiff_t>(a.size()));
    buf_ = std::move(next);
    head_ = 0;
  }
  // Appends; the caller has reserved room (size() + data.size() <= capacity()).
  void push(bytes_view data) {
    std::size_t tail = (head_ + size_) % std::max<std::size_t>(buf_.size(), 1);
    std::size_t first = std::min(data.size(), buf_.size() - tail);
    std::copy_n(data.begin(), first, buf_.begin() + static_cast<std::ptrdiff_t>(tail));
    std::copy(data.begin() + static_cast<std::ptrdiff_t>(first), data.end(), buf_.begin());
    size_ += data.size();
  }
  // The buffered bytes as at most two contiguous pieces, oldest first.
  [[nodiscard]] std::pair<bytes_view, bytes_view> peek() const {
    if (size_ == 0) return {};
    std::size_t first = std::min(size_, buf_.size() - head_);
    return {bytes_view(buf_).subspan(head_, first), bytes_view(buf_).first(size_ - first)};
  }
  void consume(std::size_t n) {
    n = std::min(n, size_);
    size_ -= n;
    head_ = size_ == 0 ? 0 : (head_ + n) % buf_.size();
  }
  void release() {
    bytes().swap(buf_);
    head_ = size_ = 0;
  }

 private:
  bytes buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace converge::p2p
