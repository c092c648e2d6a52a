#include "unixfs/errors.hpp"

#include <string>

namespace converge::unixfs {
namespace {
struct unixfs_category_impl final : std::error_category {
  const char* name() const noexcept override { return "unixfs"; }
  std::string message(int ev) const override {
    switch (static_cast<unixfs_errc>(ev)) {
      case unixfs_errc::malformed_pb: return "malformed dag-pb node";
      case unixfs_errc::malformed_unixfs: return "malformed UnixFS data";
      case unixfs_errc::unsupported: return "unsupported UnixFS node";
      case unixfs_errc::inconsistent: return "inconsistent UnixFS DAG";
      case unixfs_errc::too_large: return "over a UnixFS bound";
      case unixfs_errc::not_a_file: return "not a file";
      case unixfs_errc::not_a_directory: return "not a directory";
      case unixfs_errc::not_found: return "no such path";
      case unixfs_errc::invalid_argument: return "invalid argument";
      case unixfs_errc::io: return "I/O error";
    }
    return "unknown unixfs error";
  }
};
}  // namespace

const std::error_category& unixfs_category() noexcept {
  static const unixfs_category_impl cat;
  return cat;
}

}  // namespace converge::unixfs
