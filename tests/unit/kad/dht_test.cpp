#include <gtest/gtest.h>

#include <algorithm>

#include "harness.hpp"

namespace converge::kad {
namespace {

using test::mesh;

// n server nodes; node i knows i+1, i+2 and 3 random others, then everyone bootstraps.
void build(mesh& m, std::size_t n, dht_options o = {}) {
  for (std::size_t i = 0; i < n; ++i) m.add(o);
  for (std::size_t i = 0; i < n; ++i) {
    m.introduce(m.order[i], m.order[(i + 1) % n]);
    m.introduce(m.order[i], m.order[(i + 2) % n]);
    for (int j = 0; j < 3; ++j) m.introduce(m.order[i], m.order[m.rng.uniform(n)]);
  }
  for (auto& id : m.order) m.at(id).bootstrap(m.clock.now());
  m.pump();
}

std::vector<crypto::peer_id> true_closest(const mesh& m, const kad_key& target, std::size_t n) {
  auto all = m.order;
  std::sort(all.begin(), all.end(), [&](auto& a, auto& b) {
    return closer(target, kad_key::of(a.to_bytes()), kad_key::of(b.to_bytes()));
  });
  if (all.size() > n) all.erase(all.begin() + static_cast<std::ptrdiff_t>(n), all.end());
  return all;
}

TEST(KadDht, FindNodeFindsThePeerAndTheTrueClosest) {
  mesh m;
  build(m, 40);
  auto& a = m.at(std::size_t{0});
  auto target = m.order[33];
  auto q = a.find_node(target.to_bytes(), m.clock.now());
  ASSERT_TRUE(q);
  auto r = m.wait(m.order[0], *q);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->failure);
  ASSERT_TRUE(r->found);
  EXPECT_EQ(r->found->id, target);
  // The k closest it reports are the network's k closest to the key (minus itself).
  auto key = kad_key::of(target.to_bytes());
  auto want = true_closest(m, key, 21);
  std::erase(want, m.order[0]);
  want.erase(want.begin() + 20, want.end());
  ASSERT_EQ(r->closest.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(r->closest[i].id, want[i]) << i;
  EXPECT_GE(r->stats.hops, 1u);
  EXPECT_LE(r->stats.requests, 60u);
}

TEST(KadDht, PutThenGetWithQuorumFromAnotherNode) {
  mesh m;
  build(m, 30);
  auto q = m.at(std::size_t{1}).put_value(to_bytes("/v/app"), to_bytes("seq:5"), m.clock.now());
  ASSERT_TRUE(q);
  auto put = m.wait(m.order[1], *q);
  ASSERT_TRUE(put);
  EXPECT_FALSE(put->failure);
  EXPECT_EQ(put->stored, 20u);
  auto g = m.at(std::size_t{17}).get_value(to_bytes("/v/app"), 5, m.clock.now());
  auto got = m.wait(m.order[17], *g);
  ASSERT_TRUE(got);
  ASSERT_FALSE(got->failure) << got->failure->message();
  EXPECT_EQ(*got->value, to_bytes("seq:5"));
  EXPECT_GE(got->records, 5u);
  EXPECT_EQ(got->corrected, 0u);
}

TEST(KadDht, GetValueSelectsTheBestAndCorrectsStalePeers) {
  mesh m;
  build(m, 30);
  auto key = to_bytes("/v/chan");
  auto q = m.at(std::size_t{0}).put_value(key, to_bytes("seq:1"), m.clock.now());
  ASSERT_TRUE(m.wait(m.order[0], *q));
  // One holder learns seq:2 out of band; the others still hold seq:1.
  auto holders = true_closest(m, kad_key::of(key), 20);
  ASSERT_TRUE(m.nodes.at(holders[3]).store->put(key, to_bytes("seq:2"), m.clock.wall_now()));
  auto asker = m.order[29];
  auto g = m.at(asker).get_value(key, 25, m.clock.now());  // quorum above the holders: ask them all
  auto got = m.wait(asker, *g);
  ASSERT_TRUE(got);
  ASSERT_FALSE(got->failure);
  EXPECT_EQ(*got->value, to_bytes("seq:2"));
  EXPECT_GE(got->corrected, 10u);
  m.pump();
  std::size_t updated = 0;
  for (auto& h : holders)
    if (h != asker)
      if (auto v = m.nodes.at(h).store->get(key, m.clock.wall_now()); v && *v && **v == to_bytes("seq:2")) ++updated;
  EXPECT_GE(updated, got->corrected);
}

TEST(KadDht, InvalidOversizedAndUnknownRecordsAreNeverStored) {
  mesh m;
  build(m, 5);
  auto& a = m.at(std::size_t{0});
  EXPECT_EQ(a.put_value(to_bytes("/v/x"), to_bytes("nope"), m.clock.now()).error().code, kad_errc::invalid_record);
  EXPECT_EQ(a.put_value(to_bytes("/other/x"), to_bytes("seq:1"), m.clock.now()).error().code,
            kad_errc::unknown_namespace);
  EXPECT_EQ(a.put_value(to_bytes("/v/x"), to_bytes("seq:" + std::string(80, '1')), m.clock.now()).error().code,
            kad_errc::record_too_large);
  EXPECT_EQ(m.nodes.at(m.order[0]).store->size(), 0u);
  // A remote PUT_VALUE with an invalid value is refused and nothing is stored.
  message put;
  put.type = message_type::put_value;
  put.key = to_bytes("/v/x");
  put.rec = record{put.key, to_bytes("seq:-1"), {}};
  auto r = m.at(std::size_t{1}).handle_request(m.order[0], encode_message(put), m.clock.now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kad_errc::invalid_record);
  // Record key that differs from the message key.
  put.rec = record{to_bytes("/v/y"), to_bytes("seq:1"), {}};
  EXPECT_EQ(m.at(std::size_t{1}).handle_request(m.order[0], encode_message(put), m.clock.now()).error().code,
            kad_errc::malformed_message);
  EXPECT_EQ(m.nodes.at(m.order[1]).store->size(), 0u);
}

TEST(KadDht, LowerSequenceLosesAndKeepsTheStoredRecord) {
  mesh m;
  build(m, 3);
  auto& b = m.at(std::size_t{1});
  message put;
  put.type = message_type::put_value;
  put.key = to_bytes("/v/x");
  put.rec = record{put.key, to_bytes("seq:7"), {}};
  auto ok7 = b.handle_request(m.order[0], encode_message(put), m.clock.now());
  ASSERT_TRUE(ok7);
  EXPECT_EQ(**ok7, encode_message(put));  // echoed
  put.rec->value = to_bytes("seq:6");
  EXPECT_EQ(b.handle_request(m.order[0], encode_message(put), m.clock.now()).error().code, kad_errc::stale_record);
  EXPECT_EQ(**m.nodes.at(m.order[1]).store->get(put.key, m.clock.wall_now()), to_bytes("seq:7"));
  // GET_VALUE serves it.
  message get;
  get.type = message_type::get_value;
  get.key = put.key;
  auto resp = decode_message(**b.handle_request(m.order[0], encode_message(get), m.clock.now()));
  ASSERT_TRUE(resp && resp->rec);
  EXPECT_EQ(resp->rec->value, to_bytes("seq:7"));
}

TEST(KadDht, InvalidRecordsFromTheNetworkAreIgnored) {
  manual_clock clock;
  deterministic_rng r(5);
  auto reg = test::test_registry();
  auto self = test::make_peer(r), liar = test::make_peer(r);
  dht d(self, reg, std::make_shared<memory_record_store>(reg), clock, r, dht_options{}, clock.now());
  d.peer_connected(peer_info{liar, {}, {}}, true, clock.now());
  auto q = d.get_value(to_bytes("/v/k"), 1, clock.now());
  ASSERT_TRUE(q);
  auto req = d.poll_request();
  ASSERT_TRUE(req);
  message resp;
  resp.type = message_type::get_value;
  resp.key = to_bytes("/v/k");
  resp.rec = record{resp.key, to_bytes("forged"), {}};
  d.handle_response(req->id, encode_message(resp), clock.now());
  auto e = d.poll_event();
  ASSERT_TRUE(e);
  auto& done = std::get<query_done>(*e);
  ASSERT_TRUE(done.failure);
  EXPECT_EQ(done.failure->code, kad_errc::not_found);
  EXPECT_EQ(done.records, 0u);
  // A response of the wrong type counts as a failure of that peer, not a crash.
  auto q2 = d.find_node(to_bytes("x"), clock.now());
  ASSERT_TRUE(q2);
  if (auto req2 = d.poll_request()) d.handle_response(req2->id, encode_message(resp), clock.now());
  auto e2 = d.poll_event();
  ASSERT_TRUE(e2);
  EXPECT_EQ(std::get<query_done>(*e2).stats.failures, 1u);
}

TEST(KadDht, ProvidersAreFoundRepublishedAndExpire) {
  mesh m;
  dht_options o;
  o.refresh_interval = 6h;
  build(m, 30, o);
  auto cid = to_bytes("\x12\x20multihash-of-a-block-000000000000");
  auto p = m.at(std::size_t{2}).provide(cid, m.clock.now());
  ASSERT_TRUE(p);
  auto provided = m.wait(m.order[2], *p);
  ASSERT_TRUE(provided);
  EXPECT_EQ(provided->stored, 20u);
  auto g = m.at(std::size_t{20}).get_providers(cid, 1, m.clock.now());
  auto got = m.wait(m.order[20], *g);
  ASSERT_TRUE(got);
  ASSERT_FALSE(got->failure);
  ASSERT_EQ(got->providers.size(), 1u);
  EXPECT_EQ(got->providers[0].id, m.order[2]);
  // 22 h later the provider announces again (ADD_PROVIDER counted at the holders).
  auto count_adds = [&] {
    std::size_t n = 0;
    for (auto& [id, mem] : m.nodes) n += std::count(mem.served.begin(), mem.served.end(), message_type::add_provider);
    return n;
  };
  auto before = count_adds();
  m.run_for(22h + 1min);
  EXPECT_GE(count_adds(), before + 20);
  // A provider that goes away is forgotten 48 h after its last announcement.
  m.nodes.at(m.order[2]).online = false;
  m.run_for(49h);
  auto g2 = m.at(std::size_t{21}).get_providers(cid, 1, m.clock.now());
  auto gone = m.wait(m.order[21], *g2);
  ASSERT_TRUE(gone);
  ASSERT_TRUE(gone->failure);
  EXPECT_EQ(gone->failure->code, kad_errc::not_found);
}

TEST(KadDht, AddProviderForSomeoneElseIsIgnored) {
  mesh m;
  build(m, 3);
  deterministic_rng r(9);
  message add;
  add.type = message_type::add_provider;
  add.key = to_bytes("cid");
  add.provider_peers.push_back(peer_info{test::make_peer(r), {}, {}});
  auto resp = m.at(std::size_t{1}).handle_request(m.order[0], encode_message(add), m.clock.now());
  ASSERT_TRUE(resp);
  EXPECT_FALSE(*resp);  // ADD_PROVIDER has no answer
  EXPECT_EQ(m.at(std::size_t{1}).providers().keys(), 0u);
}

TEST(KadDht, ClientModeAsksButNeverServesNorEntersTables) {
  mesh m;
  build(m, 20);
  dht_options client;
  client.mode = mode::client;
  auto c = m.add(client);
  for (std::size_t i = 0; i < 3; ++i) {
    m.introduce(c, m.order[i]);
    m.introduce(m.order[i], c);  // skipped: c is a client
  }
  m.at(c).bootstrap(m.clock.now());
  m.pump();
  for (std::size_t i = 0; i < 20; ++i) EXPECT_FALSE(m.at(i).table().contains(c));
  EXPECT_GT(m.at(c).table().size(), 3u);
  message ping;
  EXPECT_EQ(m.at(c).handle_request(m.order[0], encode_message(ping), m.clock.now()).error().code,
            kad_errc::client_mode);
  auto q = m.at(c).put_value(to_bytes("/v/c"), to_bytes("seq:1"), m.clock.now());
  auto put = m.wait(c, *q);
  ASSERT_TRUE(put);
  EXPECT_EQ(put->stored, 20u);
}

TEST(KadDht, DeadPeersTimeOutAndLeaveTheTable) {
  mesh m;
  dht_options o;
  o.request_timeout = 5s;
  build(m, 30, o);
  // A third of the network goes away silently.
  for (std::size_t i = 10; i < 20; ++i) m.nodes.at(m.order[i]).online = false;
  auto asker = m.order[0];
  for (int round = 0; round < 3; ++round) {
    auto q = m.at(asker).find_node(m.order[25].to_bytes(), m.clock.now());
    auto r = m.wait(asker, *q);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->failure);
    EXPECT_EQ(r->found->id, m.order[25]);
    for (auto& p : r->closest) EXPECT_TRUE(m.nodes.at(p.id).online);
  }
  std::size_t dead_in_table = 0;
  for (std::size_t i = 10; i < 20; ++i) dead_in_table += m.at(asker).table().contains(m.order[i]) ? 1 : 0;
  EXPECT_LT(dead_in_table, 10u);
}

TEST(KadDht, QueryBoundAndBadArguments) {
  manual_clock clock;
  deterministic_rng r(6);
  auto reg = test::test_registry();
  dht_options o;
  o.max_queries = 2;
  dht d(test::make_peer(r), reg, std::make_shared<memory_record_store>(reg), clock, r, o, clock.now());
  d.peer_connected(peer_info{test::make_peer(r), {}, {}}, true, clock.now());
  ASSERT_TRUE(d.find_node(to_bytes("a"), clock.now()));
  ASSERT_TRUE(d.find_node(to_bytes("b"), clock.now()));
  EXPECT_EQ(d.find_node(to_bytes("c"), clock.now()).error().code, kad_errc::too_many_queries);
  EXPECT_EQ(d.active_queries(), 2u);
  // Nobody answers: both finish at the query deadline at the latest, and the bound frees.
  for (int i = 0; i < 20 && d.active_queries() > 0; ++i) {
    clock.advance_to(*d.poll_timeout());
    d.handle_timeout(clock.now());
  }
  EXPECT_EQ(d.active_queries(), 0u);
  EXPECT_TRUE(d.find_node(to_bytes("c"), clock.now()));
  EXPECT_EQ(d.find_node(bytes{}, clock.now()).error().code, kad_errc::invalid_argument);
  // Unknown and late responses are ignored.
  d.handle_response(12345, bytes{}, clock.now());
  d.handle_request_failed(12345, clock.now());
}

TEST(KadDht, EmptyTableQueriesFinishAtOnce) {
  manual_clock clock;
  deterministic_rng r(8);
  auto reg = test::test_registry();
  auto store = std::make_shared<memory_record_store>(reg);
  dht d(test::make_peer(r), reg, store, clock, r, dht_options{}, clock.now());
  auto q = d.get_value(to_bytes("/v/k"), 1, clock.now());
  ASSERT_TRUE(q);
  auto e = d.poll_event();
  ASSERT_TRUE(e);
  EXPECT_EQ(std::get<query_done>(*e).failure->code, kad_errc::not_found);
  // With a local record, quorum 1 is met locally.
  ASSERT_TRUE(store->put(to_bytes("/v/k"), to_bytes("seq:3"), clock.wall_now()));
  ASSERT_TRUE(d.get_value(to_bytes("/v/k"), 1, clock.now()));
  auto e2 = d.poll_event();
  ASSERT_TRUE(e2);
  EXPECT_EQ(*std::get<query_done>(*e2).value, to_bytes("seq:3"));
}

}  // namespace
}  // namespace converge::kad
