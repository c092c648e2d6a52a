#include "car/car.hpp"

#include <gtest/gtest.h>

#include <map>

#include "base/varint.hpp"
#include "car/errors.hpp"
#include "multiformats/multicodec.hpp"
#include "unixfs/dag_pb.hpp"
#include "unixfs/importer.hpp"

namespace converge::car {
namespace {

bytes pattern(std::size_t n) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 13 + (i >> 8));
  return b;
}

struct dag {
  std::map<mf::cid, bytes> blocks;
  std::vector<mf::cid> order;  // import order
  mf::cid root = mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, {}));
};

dag make_dag(std::size_t size, std::size_t chunk = 1000) {
  dag d;
  unixfs::import_options o;
  o.chunk_size = chunk;
  o.max_children = 5;
  d.root = unixfs::import_bytes(pattern(size), o, [&](const mf::cid& c, bytes_view b) -> result<void> {
             if (d.blocks.emplace(c, bytes(b.begin(), b.end())).second) d.order.push_back(c);
             return ok();
           })->cid;
  return d;
}

bytes write_car(const dag& d) {
  bytes out;
  auto w = car_writer::create({d.root}, [&](bytes_view b) -> result<void> {
             append(out, b);
             return ok();
           }).value();
  auto get = [&](const mf::cid& c) -> result<bytes> { return d.blocks.at(c); };
  EXPECT_TRUE(export_dag(d.root, get, unixfs::block_links, w));
  EXPECT_EQ(w.blocks_written(), d.blocks.size());
  EXPECT_EQ(w.bytes_written(), out.size());
  return out;
}

struct parsed {
  car_header header;
  std::vector<blocks::block> blocks;
};

result<parsed> parse_all(bytes_view in, std::size_t step, car_limits limits = {}) {
  car_parser p(limits);
  parsed out;
  for (std::size_t off = 0; off < in.size(); off += step) {
    if (auto r = p.feed(in.subspan(off, std::min(step, in.size() - off))); !r) return fail(r.error());
    for (;;) {
      auto b = p.next();
      if (!b) return fail(b.error());
      if (!*b) break;
      out.blocks.push_back(std::move(**b));
    }
  }
  if (auto r = p.finish(); !r) return fail(r.error());
  if (!p.header()) return fail(car_errc::truncated, "no header");
  out.header = *p.header();
  return out;
}

TEST(Car, HeaderBytesAsIpldCar) {
  // dag-cbor {roots: [CID], version: 1} with the keys in length-first order.
  auto root = mf::cid::parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku").value();
  auto h = encode_header({root});
  EXPECT_EQ(to_hex(h).substr(0, 26), "a265726f6f747381d82a582500");
  EXPECT_EQ(to_hex(h).substr(to_hex(h).size() - 18), "6776657273696f6e01");
  EXPECT_EQ(decode_header(h).value(), std::vector<mf::cid>{root});
  EXPECT_TRUE(decode_header(encode_header({})).value().empty());
}

TEST(Car, RoundTripAnyFragmentation) {
  auto d = make_dag(23456);
  auto car = write_car(d);
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, car.size()}) {
    auto p = parse_all(car, step).value();
    EXPECT_EQ(p.header.version, 1u);
    EXPECT_EQ(p.header.roots, std::vector<mf::cid>{d.root});
    ASSERT_EQ(p.blocks.size(), d.blocks.size());
    EXPECT_EQ(p.blocks.front().id, d.root);  // root first
    for (auto& b : p.blocks) EXPECT_EQ(b.data, d.blocks.at(b.id));
  }
}

TEST(Car, BadBlockIsRefused) {
  auto d = make_dag(5000);
  auto car = write_car(d);
  car[car.size() - 10] ^= 0x01;  // inside the last block
  auto r = parse_all(car, 100);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, car_errc::bad_block);
  EXPECT_NE(r.error().detail.find("offset"), std::string::npos);
}

TEST(Car, TruncationAtEveryOffsetIsAnError) {
  auto d = make_dag(2500);
  auto car = write_car(d);
  std::size_t header_end = 1 + encode_header({d.root}).size();
  std::vector<std::size_t> section_ends{header_end};
  {
    car_parser p;
    ASSERT_TRUE(p.feed(car));
    std::size_t n = 0;
    while (p.next().value()) ++n;
    EXPECT_EQ(n, d.blocks.size());
  }
  std::size_t ok_count = 0;
  for (std::size_t cut = 0; cut < car.size(); ++cut) {
    auto r = parse_all(bytes_view(car).first(cut), 64);
    if (r) {
      ++ok_count;  // a cut on a section boundary is a valid, shorter CAR
      continue;
    }
    EXPECT_TRUE(r.error().code == car_errc::truncated) << cut << ": " << r.error().message();
  }
  EXPECT_EQ(ok_count, d.blocks.size());  // the header alone, and after each block but the last
}

TEST(Car, MalformedHeaders) {
  auto parse = [](bytes in) { return parse_all(in, in.size() ? in.size() : 1); };
  auto framed = [](bytes h) {
    bytes out = encode_uvarint(h.size());
    append(out, h);
    return out;
  };
  EXPECT_EQ(parse({}).error().code, car_errc::truncated);
  EXPECT_EQ(parse(framed({0xa0})).error().code, car_errc::malformed_header);                  // {} no version
  EXPECT_EQ(parse(framed({0x80})).error().code, car_errc::malformed_header);                  // [] not a map
  EXPECT_EQ(parse(framed({0xa1, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x03})).error().code, car_errc::unsupported_version);
  EXPECT_EQ(parse(framed({0xa1, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x01})).error().code, car_errc::malformed_header);  // no roots
  EXPECT_EQ(parse(framed({0xbf})).error().code, car_errc::malformed_header);                  // indefinite map
  bytes unknown{0xa2, 0x61, 'x', 0x01, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x01};
  EXPECT_EQ(parse(framed(unknown)).error().code, car_errc::malformed_header);
  auto big = encode_uvarint(1 << 20);
  EXPECT_EQ(parse(big).error().code, car_errc::too_large);
  car_limits lim;
  lim.max_roots = 1;
  auto root = mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, {}));
  auto two = framed(encode_header({root, root}));
  EXPECT_EQ(parse_all(two, two.size(), lim).error().code, car_errc::too_large);
}

TEST(Car, MalformedSections) {
  auto root = mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, {}));
  auto h = encode_header({root});
  bytes base = encode_uvarint(h.size());
  append(base, h);
  auto with = [&](bytes tail) { return concat(base, tail); };
  EXPECT_EQ(parse_all(with({0x00}), 100).error().code, car_errc::malformed_section);        // empty section
  EXPECT_EQ(parse_all(with({0x03, 0x01, 0x55, 0x12}), 100).error().code, car_errc::malformed_section);  // CID cut
  car_limits lim;
  lim.max_section_bytes = 100;
  bytes huge = encode_uvarint(101);
  EXPECT_EQ(parse_all(with(huge), 100, lim).error().code, car_errc::too_large);
  // A block bigger than the section bound refused by the writer too.
  bytes out;
  auto w = car_writer::create({root}, [&](bytes_view b) -> result<void> { append(out, b); return ok(); }).value();
  bytes big(blocks::default_max_block_size + 1, 1);
  EXPECT_EQ(w.add(mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, big)), big).error().code, car_errc::too_large);
  EXPECT_EQ(w.add(root, to_bytes("not empty")).error().code, car_errc::bad_block);
}

bytes make_v2(const bytes& v1, std::size_t padding) {
  bytes out{0x0a, 0xa1, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x02};
  bytes header(40, 0);
  std::uint64_t data_offset = 11 + 40 + padding, data_size = v1.size(), index_offset = data_offset + data_size;
  for (int i = 0; i < 8; ++i) {
    header[16 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(data_offset >> (8 * i));
    header[24 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(data_size >> (8 * i));
    header[32 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(index_offset >> (8 * i));
  }
  append(out, header);
  out.resize(out.size() + padding, 0);
  append(out, v1);
  // An index we ignore (any bytes).
  append(out, bytes{0x80, 0x04, 0x01, 0x02, 0x03});
  return out;
}

TEST(Car, ReadsCarV2) {
  auto d = make_dag(7777);
  auto v1 = write_car(d);
  for (std::size_t padding : {0, 5, 300}) {
    auto v2 = make_v2(v1, padding);
    for (std::size_t step : {std::size_t{1}, std::size_t{33}, v2.size()}) {
      auto p = parse_all(v2, step).value();
      EXPECT_EQ(p.header.version, 2u);
      EXPECT_EQ(p.header.roots, std::vector<mf::cid>{d.root});
      EXPECT_EQ(p.blocks.size(), d.blocks.size());
    }
  }
  // A data size that cuts a section is an error.
  auto v2 = make_v2(v1, 0);
  v2[11 + 24] = static_cast<std::uint8_t>(v2[11 + 24] - 1);
  EXPECT_FALSE(parse_all(v2, 64));
}

TEST(Car, ParserBufferBound) {
  car_parser p;
  bytes junk(4 * 1024 * 1024, 0);
  auto r = p.feed(junk);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, car_errc::too_large);
}

}  // namespace
}  // namespace converge::car
