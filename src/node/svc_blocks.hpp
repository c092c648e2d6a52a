#pragma once
// The blocks service: the node's block store (<repo>/blocks), UnixFS import
// and export, CAR import and export, and Bitswap (src/bitswap/io) on the
// node's host.
//
// Configuration, config.json section "blocks" (every field optional; an
// unknown field is an error naming it):
//   {"enabled": true, "max_total_bytes": 68719476736, "upload_bytes_per_second": 0}
//
// RPC commands (paths are on the daemon's machine; the CLI sends absolute paths):
//   add        {"path", "cid_version"? 0|1, "raw_leaves"?, "pin"? true} -> {"cid", "size"}
//   get        {"cid", "out"}            fetches what is missing, writes the file or tree
//                                        -> {"path", "blocks_fetched", "bytes_fetched", "blocks_local"}
//   cat        {"cid"}  (stream)         fetches, then one line {"data_base64"} per leaf
//   block/get  {"cid"}                   -> {"data_base64", "size"}
//   block/stat                           -> {"blocks", "bytes", "max_bytes", "pins"}
//   dag/export {"cid", "out"}            fetches, writes a CARv1 -> {"blocks", "bytes"}
//   dag/import {"path", "pin"? true}     reads a CARv1/v2, every block verified -> {"roots", "blocks"}
// Fetching asks every connected peer that speaks Bitswap; a DAG nobody has
// fails with "no connected peer has <cid>".
#include <memory>
#include <optional>

#include "bitswap/io/service.hpp"
#include "blocks/blockstore.hpp"
#include "node/node.hpp"

namespace converge::node {

struct blocks_service_config {
  blocks::blockstore_options store;
  bitswap::service_options bitswap;
};

class blocks_service : public service {
 public:
  explicit blocks_service(blocks_service_config cfg) : cfg_(std::move(cfg)) {}
  [[nodiscard]] std::string_view name() const override { return "blocks"; }
  result<void> start(node& n, rpc_registry& rpc) override;
  void stop() override;
  [[nodiscard]] blocks::blockstore* store() const { return store_.get(); }
  [[nodiscard]] const std::shared_ptr<bitswap::service>& bitswap() const { return bitswap_; }

 private:
  blocks_service_config cfg_;
  std::shared_ptr<blocks::blockstore> store_;
  std::shared_ptr<bitswap::service> bitswap_;
};

// Offers every connected peer a Bitswap stream, then fetches the DAG under
// `root` (what the store holds is not fetched again). The get, cat and
// dag/export commands and the update agent fetch through this.
p2p::io::task<result<bitswap::session_stats>> fetch_dag(std::shared_ptr<p2p::io::host> h,
                                                        std::shared_ptr<bitswap::service> bs, mf::cid root,
                                                        bitswap::service::progress_fn progress = {});

[[nodiscard]] result<std::optional<blocks_service_config>> blocks_config(const nlohmann::json& section);
[[nodiscard]] result<void> add_blocks_service(node& n);

}  // namespace converge::node
