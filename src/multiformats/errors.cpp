#include "multiformats/errors.hpp"

#include <string>

namespace converge::mf {
namespace {
struct mf_category_impl final : std::error_category {
  const char* name() const noexcept override { return "multiformats"; }
  std::string message(int ev) const override {
    switch (static_cast<mf_errc>(ev)) {
      case mf_errc::unknown_base: return "unsupported multibase";
      case mf_errc::invalid_character: return "invalid character";
      case mf_errc::non_canonical: return "non-canonical encoding";
      case mf_errc::too_large: return "input too large";
      case mf_errc::truncated: return "input truncated";
      case mf_errc::trailing_data: return "trailing data";
      case mf_errc::invalid_multihash: return "invalid multihash";
      case mf_errc::unknown_code: return "unknown multicodec";
      case mf_errc::invalid_cid: return "invalid CID";
      case mf_errc::invalid_multiaddr: return "invalid multiaddr";
      case mf_errc::unknown_protocol: return "unknown multiaddr protocol";
      case mf_errc::invalid_value: return "invalid multiaddr value";
    }
    return "unknown multiformats error";
  }
};
}  // namespace

const std::error_category& mf_category() noexcept {
  static const mf_category_impl cat;
  return cat;
}

}  // namespace converge::mf
