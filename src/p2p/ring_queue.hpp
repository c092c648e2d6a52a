#pragma once
// A FIFO on a power-of-two ring that grows by doubling and never shrinks, so
// a queue that is filled and drained in steady state never allocates (unlike
// std::deque, which allocates and frees a node every few hundred bytes of churn).
// Callers bound its length themselves.
#include <cstddef>
#include <utility>
#include <vector>

namespace converge::p2p {

template <class T>
class ring_queue {
 public:
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::size_t size() const { return size_; }
  void push_back(T v) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(v);
    ++size_;
  }
  T pop_front() {
    T v = std::move(slots_[head_]);
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
    return v;
  }
  void clear() { head_ = size_ = 0; }

 private:
  void grow() {
    std::vector<T> next(slots_.empty() ? 16 : slots_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) next[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
    slots_ = std::move(next);
    head_ = 0;
  }
  std::vector<T> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace converge::p2p
