#include "delta/diff_coder.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace converge::delta {

namespace {

// 4096 / (1 + e^(-x/256)) sampled every 128 steps of x in [-2048, 2048].
constexpr std::array<int, 33> squash_points{1,    2,    4,    6,    10,   17,   27,   45,   74,   120,  194,
                                            311,  488,  747,  1102, 1546, 2048, 2550, 2994, 3349, 3608, 3785,
                                            3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095};

int squash(int d) {  // logit (x256) -> 12-bit probability
  if (d > 2047) d = 2047;
  if (d < -2047) d = -2047;
  int w = d & 127;
  int i = (d >> 7) + 16;
  return (squash_points[static_cast<std::size_t>(i)] * (128 - w) + squash_points[static_cast<std::size_t>(i) + 1] * w + 64) >> 7;
}

struct stretch_table {
  std::array<std::int16_t, 4096> t{};
  stretch_table() {
    int pi = 0;
    for (int x = -2047; x <= 2047; ++x) {
      int v = squash(x);
      for (int j = pi; j <= v; ++j) t[static_cast<std::size_t>(j)] = static_cast<std::int16_t>(x);
      pi = v + 1;
    }
    for (int j = pi; j < 4096; ++j) t[static_cast<std::size_t>(j)] = 2047;
  }
};
int stretch(int p) {
  static const stretch_table table;
  return table.t[static_cast<std::size_t>(p)];
}

// An adaptive probability (16 bits) with a count: it learns fast while young.
class counters {
 public:
  explicit counters(std::size_t n) : p_(n, 32768), n_(n, 0) {}
  [[nodiscard]] int p12(std::size_t i) const { return p_[i] >> 4; }
  void update(std::size_t i, int bit) {
    static constexpr int limit = 60;
    int k = n_[i];
    int target = bit != 0 ? 65535 : 0;
    int p = p_[i];
    p += (target - p) * 2 / (2 * k + 3);
    p_[i] = static_cast<std::uint16_t>(std::clamp(p, 64, 65472));
    if (k < limit) n_[i] = static_cast<std::uint8_t>(k + 1);
  }

 private:
  std::vector<std::uint16_t> p_;
  std::vector<std::uint8_t> n_;
};

// Logistic mixing of N stretched predictions, one weight set per selector.
template <std::size_t N>
class mixer {
 public:
  explicit mixer(std::size_t sets) : w_(sets * N, 19661) {}  // 0.3 in 16.16
  int mix(const std::array<int, N>& x, std::size_t set) {
    x_ = x;
    set_ = set * N;
    std::int64_t dot = 0;
    for (std::size_t i = 0; i < N; ++i) dot += static_cast<std::int64_t>(w_[set_ + i]) * x[i];
    pr_ = std::clamp(squash(static_cast<int>(dot >> 16)), 1, 4095);
    return pr_;
  }
  void update(int bit) {
    int err = ((bit << 12) - pr_) * 5;
    for (std::size_t i = 0; i < N; ++i) w_[set_ + i] += (x_[i] * err) >> 12;
  }

 private:
  std::vector<std::int32_t> w_;
  std::array<int, N> x_{};
  std::size_t set_ = 0;
  int pr_ = 2048;
};

constexpr int bias_input = 256;

}  // namespace

class diff_model {
 public:
  diff_model() : z1_(1u << 10), z2_(1u << 18), z3_(1u << 20), v1_(1u << 16), v2_(1u << 20), mz_(4), mv_(256) {}

  int begin(old_context c) {
    flags_ = (d1_ != 0 ? 2u : 0u) | (d2_ != 0 ? 1u : 0u);
    o0_ = c.o0;
    c1_ = (std::size_t{c.o0} << 2) | flags_;
    c2_ = (std::size_t{c.o1} << 10) | c1_;
    std::size_t dist = std::min<std::uint64_t>(index_ - last_nonzero_, 15);
    c3_ = ((std::size_t{c.o2} << 12) ^ (std::size_t{c.o1} << 6) ^ c.o0 ^ (dist << 16)) & ((1u << 20) - 1);
    return mz_.mix({stretch(z1_.p12(c1_)), stretch(z2_.p12(c2_)), stretch(z3_.p12(c3_)), bias_input}, flags_);
  }
  void flag(int bit) {
    mz_.update(bit);
    z1_.update(c1_, bit);
    z2_.update(c2_, bit);
    z3_.update(c3_, bit);
  }
  int predict_bit(std::size_t node) {
    a_ = (std::size_t{d1_} << 8) | node;
    b_ = ((std::size_t{o0_} * 0x9e3779b1u >> 12) ^ (std::size_t{d1_} << 8) ^ node) & ((1u << 20) - 1);
    return mv_.mix({stretch(v1_.p12(a_)), stretch(v2_.p12(b_)), bias_input}, node);
  }
  void bit(int b) {
    mv_.update(b);
    v1_.update(a_, b);
    v2_.update(b_, b);
  }
  void end(std::uint8_t d) {
    if (d != 0) last_nonzero_ = index_;
    ++index_;
    d2_ = d1_;
    d1_ = d;
  }

 private:
  counters z1_, z2_, z3_, v1_, v2_;
  mixer<4> mz_;
  mixer<3> mv_;
  std::size_t c1_ = 0, c2_ = 0, c3_ = 0, a_ = 0, b_ = 0, flags_ = 0;
  std::uint8_t d1_ = 0, d2_ = 0, o0_ = 0;
  std::uint64_t index_ = 0, last_nonzero_ = 0;
};

// ---- encoder ----
diff_encoder::diff_encoder() : m_(std::make_unique<diff_model>()) {}
diff_encoder::~diff_encoder() = default;

// p1: 12-bit probability that `bit` is 1.
void diff_encoder::code(int bit, int p1) {
  std::uint32_t mid = x1_ + static_cast<std::uint32_t>((std::uint64_t{x2_ - x1_} * static_cast<std::uint32_t>(p1)) >> 12);
  if (bit != 0) x2_ = mid;
  else x1_ = mid + 1;
  while (((x1_ ^ x2_) & 0xff000000u) == 0) {
    out_.push_back(static_cast<std::uint8_t>(x2_ >> 24));
    x1_ <<= 8;
    x2_ = (x2_ << 8) | 255;
  }
}

void diff_encoder::put(std::uint8_t d, old_context ctx) {
  int nz = d != 0 ? 1 : 0;
  code(nz, m_->begin(ctx));
  m_->flag(nz);
  if (nz != 0) {
    std::size_t node = 1;
    for (int i = 7; i >= 0; --i) {
      int b = (d >> i) & 1;
      code(b, m_->predict_bit(node));
      m_->bit(b);
      node = node * 2 + static_cast<std::size_t>(b);
    }
  }
  m_->end(d);
}

bytes diff_encoder::finish() {
  for (int i = 0; i < 4; ++i) {
    out_.push_back(static_cast<std::uint8_t>(x1_ >> 24));
    x1_ <<= 8;
  }
  return std::move(out_);
}

// ---- decoder ----
diff_decoder::diff_decoder(const input_source& src, std::uint64_t offset, std::uint64_t size)
    : m_(std::make_unique<diff_model>()), src_(src), pos_(offset), end_(offset + size) {}
diff_decoder::~diff_decoder() = default;

result<std::uint8_t> diff_decoder::next_byte() {
  if (at_ == buf_.size()) {
    if (pos_ >= end_) return fail(delta_errc::corrupt, "diff stream is shorter than the control data needs");
    buf_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(1 << 16, end_ - pos_)));
    if (auto r = src_.read_at(pos_, buf_); !r) return fail(r.error());
    pos_ += buf_.size();
    at_ = 0;
  }
  return buf_[at_++];
}

result<int> diff_decoder::code(int p1) {
  std::uint32_t mid = x1_ + static_cast<std::uint32_t>((std::uint64_t{x2_ - x1_} * static_cast<std::uint32_t>(p1)) >> 12);
  int bit = x_ <= mid ? 1 : 0;
  if (bit != 0) x2_ = mid;
  else x1_ = mid + 1;
  while (((x1_ ^ x2_) & 0xff000000u) == 0) {
    x1_ <<= 8;
    x2_ = (x2_ << 8) | 255;
    auto b = next_byte();
    if (!b) return fail(b.error());
    x_ = (x_ << 8) | *b;
  }
  return bit;
}

result<std::uint8_t> diff_decoder::get(old_context ctx) {
  if (!started_) {
    for (int i = 0; i < 4; ++i) {
      auto b = next_byte();
      if (!b) return fail(b.error());
      x_ = (x_ << 8) | *b;
    }
    started_ = true;
  }
  auto nz = code(m_->begin(ctx));
  if (!nz) return fail(nz.error());
  m_->flag(*nz);
  std::uint8_t d = 0;
  if (*nz != 0) {
    std::size_t node = 1;
    for (int i = 7; i >= 0; --i) {
      auto b = code(m_->predict_bit(node));
      if (!b) return fail(b.error());
      m_->bit(*b);
      node = node * 2 + static_cast<std::size_t>(*b);
    }
    d = static_cast<std::uint8_t>(node & 0xff);
    if (d == 0) return fail(delta_errc::corrupt, "diff stream codes a zero byte as non-zero");
  }
  m_->end(d);
  return d;
}

result<void> diff_decoder::expect_end() const {
  if (!started_ && end_ == pos_) return ok();  // no difference bytes at all: an empty stream
  if (at_ != buf_.size() || pos_ != end_) return fail(delta_errc::corrupt, "bytes after the end of the diff stream");
  return ok();
}

}  // namespace converge::delta
