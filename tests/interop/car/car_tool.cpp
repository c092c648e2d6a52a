// CAR interop helper: `write SIZE OUT` imports the deterministic content of
// SIZE bytes and writes it as a CARv1; `check IN SIZE` reads a CAR (v1 or v2),
// verifies every block, rebuilds the file from its root and compares it with
// the content. Exit 0 on success, 1 with a message otherwise.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "car/car.hpp"
#include "unixfs/dag_pb.hpp"
#include "unixfs/errors.hpp"
#include "unixfs/exporter.hpp"
#include "unixfs/importer.hpp"

using namespace converge;

namespace {
bytes content(std::size_t n) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(((i * 7) ^ (i >> 9)) & 0xff);
  return b;
}

int die(const std::string& m) {
  std::cerr << "car_tool: " << m << "\n";
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return die("usage: car_tool write SIZE OUT | check IN SIZE");
  std::string mode = argv[1];
  std::map<mf::cid, bytes> blocks;
  if (mode == "write") {
    auto size = std::stoull(argv[2]);
    auto root = unixfs::import_bytes(content(size), {}, [&](const mf::cid& c, bytes_view b) -> result<void> {
      blocks.emplace(c, bytes(b.begin(), b.end()));
      return ok();
    });
    if (!root) return die(root.error().message());
    std::ofstream out(argv[3], std::ios::binary);
    auto w = car::car_writer::create({root->cid}, [&](bytes_view b) -> result<void> {
      out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
      return ok();
    });
    if (!w) return die(w.error().message());
    auto get = [&](const mf::cid& c) -> result<bytes> { return blocks.at(c); };
    if (auto r = car::export_dag(root->cid, get, unixfs::block_links, *w); !r) return die(r.error().message());
    std::cout << root->cid.to_string() << "\n";
    return 0;
  }
  if (mode == "check") {
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) return die(std::string("cannot open ") + argv[2]);
    car::car_parser p;
    bytes buf(65536);
    for (;;) {
      in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
      auto n = static_cast<std::size_t>(in.gcount());
      if (n == 0) break;
      if (auto r = p.feed(bytes_view(buf).first(n)); !r) return die(r.error().message());
      for (;;) {
        auto b = p.next();
        if (!b) return die(b.error().message());
        if (!*b) break;
        blocks.emplace((*b)->id, std::move((*b)->data));
      }
    }
    if (auto r = p.finish(); !r) return die(r.error().message());
    if (!p.header() || p.header()->roots.size() != 1) return die("expected one root");
    auto root = p.header()->roots[0];
    auto get = [&](const mf::cid& c) -> result<bytes> {
      auto it = blocks.find(c);
      if (it == blocks.end()) return fail(unixfs::unixfs_errc::not_found, c.to_string());
      return it->second;
    };
    auto data = unixfs::read_file(root, get, std::uint64_t{1} << 32);
    if (!data) return die(data.error().message());
    if (*data != content(std::stoull(argv[3]))) return die("content differs");
    std::cout << "ok " << root.to_string() << " " << blocks.size() << " blocks\n";
    return 0;
  }
  return die("unknown mode " + mode);
}
