#pragma once
// A growable ring of bytes for per-stream receive buffers. It grows by
// doubling (as data actually arrives, never ahead of it) up to a caller-given
// limit and never shrinks while in use, so a stream in steady state copies
// frames in without allocating.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>

#include "base/bytes.hpp"

namespace converge::p2p {

class byte_ring {
 public:
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t capacity() const { return cap_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }

  // Makes room for `n` bytes in total; capacity stays at most max(n, limit).
  void reserve(std::size_t n, std::size_t limit) {
    if (n <= cap_) return;
    std::size_t cap = std::max<std::size_t>(cap_ * 2, 4096);
    cap = std::max(n, std::min(cap, limit));
    auto next = std::make_unique_for_overwrite<std::uint8_t[]>(cap);
    auto [a, b] = peek();
    std::copy(a.begin(), a.end(), next.get());
    std::copy(b.begin(), b.end(), next.get() + a.size());
    buf_ = std::move(next);
    cap_ = cap;
    head_ = 0;
  }
  // Appends; the caller has reserved room (size() + data.size() <= capacity()).
  void push(bytes_view data) {
    if (data.empty()) return;
    std::size_t tail = (head_ + size_) % cap_;
    std::size_t first = std::min(data.size(), cap_ - tail);
    std::copy_n(data.begin(), first, buf_.get() + tail);
    std::copy(data.begin() + static_cast<std::ptrdiff_t>(first), data.end(), buf_.get());
    size_ += data.size();
  }
  // The buffered bytes as at most two contiguous pieces, oldest first.
  [[nodiscard]] std::pair<bytes_view, bytes_view> peek() const {
    if (size_ == 0) return {};
    std::size_t first = std::min(size_, cap_ - head_);
    return {bytes_view(buf_.get() + head_, first), bytes_view(buf_.get(), size_ - first)};
  }
  void consume(std::size_t n) {
    n = std::min(n, size_);
    size_ -= n;
    head_ = size_ == 0 ? 0 : (head_ + n) % cap_;
  }
  void release() {
    buf_.reset();
    cap_ = head_ = size_ = 0;
  }

 private:
  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t cap_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace converge::p2p
