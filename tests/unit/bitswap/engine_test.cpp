#include "bitswap/engine.hpp"

#include <gtest/gtest.h>

#include <array>

#include "bitswap/errors.hpp"
#include "harness.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::bitswap {
namespace {
using namespace testing;

TEST(BitswapEngine, FetchesADagFromOnePeer) {
  net n;
  auto seeder = n.add(), fetcher = n.add();
  auto d = make_dag(1 << 20);
  seed(*n.nodes[seeder], d);
  n.connect(seeder, fetcher);
  auto sid = n.nodes[fetcher]->eng->start_session(d.root, n.clock.now()).value();
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(n.nodes[fetcher]->done.front(), sid);
  EXPECT_EQ(n.nodes[fetcher]->store.blocks.size(), d.blocks.size());
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
  auto* ps = n.nodes[seeder]->eng->peer(fetcher);
  EXPECT_EQ(ps->blocks_sent, d.blocks.size());
  EXPECT_EQ(n.nodes[fetcher]->eng->sessions(), 0u);
  // Node-wide totals agree with the ledgers and outlive the peer.
  const auto sent = n.nodes[seeder]->eng->totals();
  EXPECT_EQ(sent.blocks_sent, d.blocks.size());
  EXPECT_EQ(sent.bytes_sent, ps->bytes_sent);
  EXPECT_GT(sent.bytes_sent, d.content.size());
  EXPECT_EQ(n.nodes[fetcher]->eng->totals().blocks_received, d.blocks.size());
  n.nodes[seeder]->eng->peer_disconnected(fetcher, n.clock.now());
  EXPECT_EQ(n.nodes[seeder]->eng->totals().bytes_sent, sent.bytes_sent);
}

TEST(BitswapEngine, SpreadsWantsOverSeveralPeers) {
  net n;
  auto d = make_dag(2 << 20);
  std::vector<std::size_t> seeders;
  for (int i = 0; i < 3; ++i) {
    seeders.push_back(n.add());
    seed(*n.nodes.back(), d);
  }
  engine_options o;
  o.max_inflight_per_peer = 8;
  auto fetcher = n.add(o);
  for (auto s : seeders) n.connect(s, fetcher);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
  std::uint64_t total = 0;
  for (auto s : seeders) {
    auto sent = n.nodes[s]->eng->peer(fetcher)->blocks_sent;
    EXPECT_GT(sent, d.blocks.size() / 6) << "seeder " << s;
    total += sent;
  }
  EXPECT_EQ(total, d.blocks.size());  // no block fetched twice
}

TEST(BitswapEngine, ResumesFetchingOnlyWhatIsMissing) {
  net n;
  auto seeder = n.add(), fetcher = n.add();
  auto d = make_dag(1 << 20);
  seed(*n.nodes[seeder], d);
  // A previous run stored every other block before it crashed.
  std::size_t i = 0, have = 0;
  for (const auto& [c, b] : d.blocks)
    if (i++ % 2 == 0 && c != d.root) {
      n.nodes[fetcher]->store.blocks.emplace(c, b);
      ++have;
    }
  n.connect(seeder, fetcher);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  auto& done = std::get<events::session_done>(*std::find_if(n.nodes[fetcher]->events.begin(), n.nodes[fetcher]->events.end(),
                                                            [](const event& e) { return std::holds_alternative<events::session_done>(e); }));
  EXPECT_EQ(done.stats.blocks_fetched, d.blocks.size() - have);
  EXPECT_EQ(done.stats.blocks_local, have);
  EXPECT_EQ(n.nodes[seeder]->eng->peer(fetcher)->blocks_sent, d.blocks.size() - have);
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
}

TEST(BitswapEngine, WholeDagAlreadyLocalIsDoneAtOnce) {
  net n;
  auto f = n.add();
  auto d = make_dag(100000);
  seed(*n.nodes[f], d);
  (void)n.nodes[f]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[f]->done.empty(); }));
}

TEST(BitswapEngine, CorruptingPeerIsDroppedAndTheFileCompletes) {
  net n;
  auto liar = n.add(), honest = n.add(), fetcher = n.add();
  auto d = make_dag(1 << 20);
  seed(*n.nodes[liar], d);
  seed(*n.nodes[honest], d);
  n.hook = [&](std::size_t from, std::size_t, bytes& payload) {
    if (from != liar) return true;
    auto m = decode_message(payload).value();
    for (auto& b : m.blocks) b.data[b.data.size() / 2] ^= 0x5a;
    payload = encode_message(m, protocol_version::v1_2_0);
    return true;
  };
  n.connect(liar, fetcher);
  n.connect(honest, fetcher);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  ASSERT_EQ(n.nodes[fetcher]->penalised.size(), 1u);
  EXPECT_EQ(n.nodes[fetcher]->penalised[0].first, liar);
  EXPECT_NE(n.nodes[fetcher]->penalised[0].second.find("unwanted block"), std::string::npos);
  EXPECT_FALSE(n.nodes[fetcher]->eng->connected(liar));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
  for (const auto& [c, b] : n.nodes[fetcher]->store.blocks) EXPECT_TRUE(blocks::verify_block(c, b));
}

TEST(BitswapEngine, BlocksArrivingAfterACancelAreNotHeldAgainstTheSender) {
  // The driver cancels a session when it cannot store a block (a full disk)
  // or the agent gives up; blocks the seeder had already sent for it arrive
  // afterwards. They were asked for: no strike, and the seeder stays connected.
  net n;
  auto seeder = n.add(), fetcher = n.add();
  auto d = make_dag(4 << 20);
  seed(*n.nodes[seeder], d);
  n.connect(seeder, fetcher);
  auto sid = n.nodes[fetcher]->eng->start_session(d.root, n.clock.now()).value();
  ASSERT_TRUE(n.run([&] {
    const auto* ps = n.nodes[seeder]->eng->peer(fetcher);
    return ps && ps->blocks_sent >= 4;
  }));
  n.nodes[fetcher]->eng->cancel_session(sid);
  (void)n.run([] { return false; });
  EXPECT_TRUE(n.nodes[fetcher]->penalised.empty());
  EXPECT_TRUE(n.nodes[fetcher]->eng->connected(seeder));
  EXPECT_EQ(n.nodes[fetcher]->eng->peer(seeder)->strikes, 0u);
  // A new session for the same DAG completes from the same seeder.
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
}

TEST(BitswapEngine, MalformedMessagePenalisesAtOnce) {
  net n;
  auto a = n.add(), b = n.add();
  n.connect(a, b);
  n.nodes[b]->eng->handle_message(a, bytes{0x0a, 0x05, 0x00}, n.clock.now());
  auto e = n.nodes[b]->eng->poll_event();
  ASSERT_TRUE(e);
  auto* p = std::get_if<events::peer_penalised>(&*e);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->peer, a);
  EXPECT_NE(p->reason.find("malformed"), std::string::npos);
  EXPECT_FALSE(n.nodes[b]->eng->connected(a));
}

// Two peers without `d` and a fetcher whose session for it has stalled on the
// root (both said DONT_HAVE): {empty1, empty2, fetcher}.
std::array<std::size_t, 3> stall_on_two_empty_peers(net& n, const dag& d) {
  auto empty1 = n.add(), empty2 = n.add(), fetcher = n.add();
  n.connect(empty1, fetcher);
  n.connect(empty2, fetcher);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  n.run([&] { return !n.nodes[fetcher]->need.empty(); });
  EXPECT_EQ(n.nodes[fetcher]->need.size(), 1u);
  return {empty1, empty2, fetcher};
}

TEST(BitswapEngine, DontHaveMovesToTheNextPeerAndNeedProvidersWhenNobodyHasIt) {
  net n;
  auto d = make_dag(200000);
  auto [empty1, empty2, fetcher] = stall_on_two_empty_peers(n, d);
  ASSERT_EQ(n.nodes[fetcher]->need.size(), 1u);
  EXPECT_EQ(n.nodes[fetcher]->need[0], d.root);
  EXPECT_EQ(n.nodes[fetcher]->eng->peer(empty1)->dont_haves_received, 1u);
  EXPECT_EQ(n.nodes[fetcher]->eng->peer(empty2)->dont_haves_received, 1u);
  EXPECT_TRUE(n.nodes[fetcher]->done.empty());
  // Each keeps the fetcher's want, now a want-have: it will say HAVE, not
  // send the block, when it gets it.
  n.run([&] { return false; }, 1000);
  EXPECT_EQ(n.nodes[empty1]->eng->peer(fetcher)->wantlist_size, 1u);
  EXPECT_EQ(n.nodes[empty2]->eng->peer(fetcher)->wantlist_size, 1u);
  // A provider appears (found through the DHT, say): the session resumes.
  auto seeder = n.add();
  seed(*n.nodes[seeder], d);
  n.connect(seeder, fetcher);
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
}

TEST(BitswapEngine, APeerThatSaidDontHaveSaysHaveWhenItGetsTheBlockAndIsAskedAgain) {
  net n;
  auto d = make_dag(300000);
  auto [late, other, fetcher] = stall_on_two_empty_peers(n, d);
  ASSERT_EQ(n.nodes[fetcher]->need.size(), 1u);
  // `late` gets the DAG (another session, an import): it tells the fetcher, which fetches from it.
  seed(*n.nodes[late], d);
  n.nodes[late]->eng->block_added(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
  EXPECT_EQ(n.nodes[fetcher]->eng->peer(late)->blocks_received, d.blocks.size());  // no duplicates
  // Done: nothing is left wanted anywhere.
  n.run([&] { return false; }, 1000);
  EXPECT_EQ(n.nodes[late]->eng->peer(fetcher)->wantlist_size, 0u);
  EXPECT_EQ(n.nodes[other]->eng->peer(fetcher)->wantlist_size, 0u);
}

TEST(BitswapEngine, RequestsInFlightStayUnderTheByteBound) {
  net n;
  engine_options o;
  o.max_inflight_bytes = 512 * 1024;  // two blocks of the 256 KiB estimate
  auto seeder = n.add(), fetcher = n.add(o);
  auto d = make_dag(4 << 20, 256 * 1024);
  seed(*n.nodes[seeder], d);
  // The seeder's first message (the root) arrives; after that it goes silent,
  // so every request for a child stays in flight.
  int from_seeder = 0;
  n.hook = [&](std::size_t from, std::size_t, bytes&) { return from != seeder || from_seeder++ == 0; };
  n.connect(seeder, fetcher);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] {
    const auto* p = n.nodes[fetcher]->eng->peer(seeder);
    return p->blocks_received == 1 && p->inflight > 0;  // the root is in, its children asked for
  }));
  EXPECT_EQ(n.nodes[fetcher]->eng->peer(seeder)->blocks_received, 1u);
  // Sixteen children are wanted; two are asked for (the bound), the rest wait.
  EXPECT_EQ(n.nodes[fetcher]->eng->peer(seeder)->inflight, 2u);
}

TEST(BitswapEngine, SilentPeerTimesOutAndAnotherServes) {
  net n;
  auto silent = n.add(), seeder = n.add(), fetcher = n.add(engine_options{.request_timeout = 2s});
  auto d = make_dag(300000);
  seed(*n.nodes[silent], d);
  seed(*n.nodes[seeder], d);
  n.hook = [&](std::size_t from, std::size_t, bytes&) { return from != silent; };
  n.connect(silent, fetcher, protocol_version::v1_1_0, protocol_version::v1_1_0);  // no DONT_HAVE in 1.1.0
  n.connect(seeder, fetcher);
  auto start = n.clock.now();
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
  EXPECT_GT(n.nodes[fetcher]->eng->peer(silent)->timeouts, 0u);
  EXPECT_GE(n.clock.now() - start, 2s);
}

TEST(BitswapEngine, OldPeersServeCidV0Dags) {
  net n;
  auto old_server = n.add(), fetcher = n.add();
  auto d = make_dag(500000, 16 * 1024, unixfs::cid_v0_options());
  ASSERT_EQ(d.root.version(), 0u);
  seed(*n.nodes[old_server], d);
  n.connect(old_server, fetcher, protocol_version::v1_0_0, protocol_version::v1_0_0);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
}

// One seeder, one fetcher: the virtual seconds the fetcher takes to get d.
struct paced_run {
  std::size_t seeder, fetcher;
  double seconds;
};
paced_run fetch_from_one_seeder(net& n, const dag& d, engine_options seeder_o, engine_options fetcher_o) {
  auto seeder = n.add(seeder_o), fetcher = n.add(fetcher_o);
  seed(*n.nodes[seeder], d);
  n.connect(seeder, fetcher);
  auto start = n.clock.now();
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  EXPECT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
  return {seeder, fetcher, std::chrono::duration<double>(n.clock.now() - start).count()};
}

TEST(BitswapEngine, UploadCapPacesTheServer) {
  net n;
  engine_options capped;
  capped.upload_per_peer = {.bytes_per_second = 1 << 20, .burst = 1 << 20};  // raised to fit a block
  auto r = fetch_from_one_seeder(n, make_dag(6 << 20, 256 * 1024), capped, {});
  // 6 MiB at 1 MiB/s after a burst of about 2 MiB: at least ~3.9 s of virtual time.
  EXPECT_GT(r.seconds, 3.5);
  EXPECT_LT(r.seconds, 6.0);
}

TEST(BitswapEngine, UploadBudgetAnswersDontHaveAndTheFetcherMovesOn) {
  net n;
  engine_options budgeted;
  // 3 MiB a day: the first 3 MiB go out, then wants are refused at once.
  budgeted.upload_budget = {.bytes_per_second = (3 << 20) / 86400, .burst = 3 << 20};
  auto thrifty = n.add(budgeted), generous = n.add();
  engine_options o;
  o.non_provider_penalty = 0;  // ask both seeders alike
  auto fetcher = n.add(o);
  auto d = make_dag(8 << 20, 256 * 1024);
  seed(*n.nodes[thrifty], d);
  seed(*n.nodes[generous], d);
  n.connect(thrifty, fetcher);
  n.connect(generous, fetcher);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
  const auto& t = n.nodes[thrifty]->eng->totals();
  EXPECT_LE(t.bytes_sent, (3u << 20) + 65536);  // the budget, plus wantlist and presence framing
  EXPECT_GT(t.budget_refusals, 0u);
  EXPECT_GT(n.nodes[generous]->eng->totals().bytes_sent, 5u << 20);
  // No timeouts were needed to move on: DONT_HAVE answered the refused wants.
  EXPECT_EQ(n.nodes[fetcher]->eng->peer(thrifty)->timeouts, 0u);
}

TEST(BitswapEngine, DownloadCapPacesTheFetcher) {
  net n;
  engine_options capped;
  capped.download_total = {.bytes_per_second = 1 << 20, .burst = 1 << 20};
  auto r = fetch_from_one_seeder(n, make_dag(6 << 20, 256 * 1024), {}, capped);
  // 6 MiB at 1 MiB/s after a burst of 2 MiB (raised to fit the largest block): about 4 s.
  EXPECT_GT(r.seconds, 3.5);
  EXPECT_LT(r.seconds, 6.0);
  // Lifting the cap at run time: a second DAG comes at once.
  auto seeder = r.seeder, fetcher = r.fetcher;
  auto d2 = make_dag(6 << 20, 128 * 1024);  // other chunks: no block in common with the first
  seed(*n.nodes[seeder], d2);
  n.nodes[fetcher]->eng->set_download_limit({}, n.clock.now());
  auto start = n.clock.now();
  (void)n.nodes[fetcher]->eng->start_session(d2.root, n.clock.now());
  ASSERT_TRUE(n.run([&] { return n.nodes[fetcher]->done.size() == 2; }));
  EXPECT_LT(std::chrono::duration<double>(n.clock.now() - start).count(), 1.0);
}

TEST(BitswapEngine, OutstandingBytesTotalBoundAcrossPeers) {
  net n;
  engine_options o;
  o.max_outstanding_bytes_total = 700 * 1024;  // below two peers' worth of the per-peer bound
  auto seeder = n.add(o);
  n.nodes[seeder]->auto_ack = false;  // the seeder's writes never complete
  auto d = make_dag(4 << 20, 256 * 1024);
  seed(*n.nodes[seeder], d);
  std::vector<std::size_t> fetchers;
  for (int i = 0; i < 3; ++i) {
    fetchers.push_back(n.add());
    n.connect(seeder, fetchers.back());
    (void)n.nodes[fetchers.back()]->eng->start_session(d.root, n.clock.now());
  }
  n.run([&] { return false; }, 10000);
  // At most the node-wide bound plus one message were handed over, whatever the peer count.
  EXPECT_LE(n.nodes[seeder]->egress, 700 * 1024 + 512 * 1024 + 4096);
  EXPECT_GT(n.nodes[seeder]->egress, 256 * 1024u);
  for (auto f : fetchers) EXPECT_TRUE(n.nodes[f]->done.empty());
}

TEST(BitswapEngine, OutstandingBytesPerPeerBound) {
  net n;
  engine_options o;
  o.max_outstanding_bytes_per_peer = 600 * 1024;
  auto seeder = n.add(o), fetcher = n.add();
  n.nodes[seeder]->auto_ack = false;  // the seeder's writes never complete
  auto d = make_dag(4 << 20, 256 * 1024);
  seed(*n.nodes[seeder], d);
  n.connect(seeder, fetcher);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  n.run([&] { return false; }, 10000);
  // At most the bound plus one message were handed over.
  EXPECT_LE(n.nodes[seeder]->egress, 600 * 1024 + 262144 + 1024);
  EXPECT_TRUE(n.nodes[fetcher]->done.empty());
}

TEST(BitswapEngine, CancelStopsService) {
  memory_provider store;
  auto d = make_dag(100000);
  for (const auto& [c, b] : d.blocks) store.blocks.emplace(c, b);
  engine e(store, unixfs::block_links);
  manual_clock clock;
  ASSERT_TRUE(e.peer_connected(7, protocol_version::v1_2_0, clock.now()));
  message want;
  want.wantlist.push_back({d.root});
  message cancel;
  cancel.wantlist.push_back({d.root, 0, true});
  e.handle_message(7, encode_message(want, protocol_version::v1_2_0), clock.now());
  e.handle_message(7, encode_message(cancel, protocol_version::v1_2_0), clock.now());
  EXPECT_FALSE(e.poll_transmit(clock.now()));
  // Without the cancel the block is served.
  e.handle_message(7, encode_message(want, protocol_version::v1_2_0), clock.now());
  auto out = e.poll_transmit(clock.now());
  ASSERT_TRUE(out);
  EXPECT_EQ(decode_message(out->payload)->blocks.size(), 1u);
}

TEST(BitswapEngine, WantsForMissingBlocksAreServedWhenTheyArrive) {
  memory_provider store;
  engine e(store, unixfs::block_links);
  manual_clock clock;
  ASSERT_TRUE(e.peer_connected(1, protocol_version::v1_2_0, clock.now()));
  auto d = make_dag(1000);
  message want;
  want.wantlist.push_back({d.root, 1, false, want_type::block, true});
  e.handle_message(1, encode_message(want, protocol_version::v1_2_0), clock.now());
  auto first = decode_message(e.poll_transmit(clock.now())->payload).value();
  ASSERT_EQ(first.presences.size(), 1u);
  EXPECT_EQ(first.presences[0].type, presence_type::dont_have);
  EXPECT_EQ(e.peer(1)->wantlist_size, 1u);
  store.blocks.emplace(d.root, d.blocks.at(d.root));
  e.block_added(d.root, clock.now());
  auto second = decode_message(e.poll_transmit(clock.now())->payload).value();
  ASSERT_EQ(second.blocks.size(), 1u);
  EXPECT_EQ(second.blocks[0].id, d.root);
}

TEST(BitswapEngine, WantlistBoundPerPeer) {
  memory_provider store;
  engine e(store, unixfs::block_links, engine_options{.max_wantlist_per_peer = 10});
  manual_clock clock;
  ASSERT_TRUE(e.peer_connected(1, protocol_version::v1_2_0, clock.now()));
  message want;
  for (int i = 0; i < 50; ++i)
    want.wantlist.push_back({mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, to_bytes(std::to_string(i))))});
  e.handle_message(1, encode_message(want, protocol_version::v1_2_0), clock.now());
  EXPECT_EQ(e.peer(1)->wantlist_size, 10u);
}

TEST(BitswapEngine, SessionAndPeerLimits) {
  memory_provider store;
  engine e(store, unixfs::block_links, engine_options{.max_sessions = 1, .max_peers = 1});
  manual_clock clock;
  auto d = make_dag(1000), d2 = make_dag(2000);
  ASSERT_TRUE(e.start_session(d.root, clock.now()));
  EXPECT_EQ(e.start_session(d2.root, clock.now()).error().code, bitswap_errc::session_limit);
  ASSERT_TRUE(e.peer_connected(1, protocol_version::v1_2_0, clock.now()));
  EXPECT_EQ(e.peer_connected(2, protocol_version::v1_2_0, clock.now()).error().code, bitswap_errc::too_large);
}

TEST(BitswapEngine, DisconnectMovesRequestsElsewhere) {
  net n;
  auto a = n.add(), b = n.add(), fetcher = n.add();
  auto d = make_dag(1 << 20);
  seed(*n.nodes[a], d);
  seed(*n.nodes[b], d);
  n.connect(a, fetcher);
  n.connect(b, fetcher);
  (void)n.nodes[fetcher]->eng->start_session(d.root, n.clock.now());
  // Let a few blocks arrive, then a goes away.
  n.run([&] { return n.nodes[fetcher]->store.blocks.size() >= 5; });
  n.disconnect(a, fetcher);
  ASSERT_TRUE(n.run([&] { return !n.nodes[fetcher]->done.empty(); }));
  EXPECT_EQ(read_back(*n.nodes[fetcher], d.root), d.content);
}

}  // namespace
}  // namespace converge::bitswap
