// The pubsub driver over real hosts on 127.0.0.1: converge <-> converge
// gossipsub and floodsub, mixed protocols, async validators, peer listing,
// disconnects and a peer that never reads. Nothing waits on wall-clock time:
// tests wait for the driver's change signal or the next message.
#include <gtest/gtest.h>

#include "../p2p_io/harness.hpp"
#include "pubsub/io/driver.hpp"

namespace converge::pubsub::io {
namespace {

using namespace p2p::io::testing;
using p2p::io::asio::io_context;

struct node {
  std::shared_ptr<p2pio::host> host;
  std::shared_ptr<driver> ps;
};

node make_node(io_context& io, std::uint64_t seed, router_kind kind = router_kind::gossipsub,
               driver_config cfg = {}) {
  auto h = make_host(io, test_config(seed));
  cfg.kind = kind;
  auto d = driver::create(h, std::move(cfg));
  EXPECT_TRUE(d.has_value());
  (*d)->start();
  return {h, *d};
}

// Connects a -> b and opens pubsub streams both ways (what the host's
// peer_connected event does in an application).
void link_nodes(io_context& io, node& a, node& b) {
  auto c = run(io, a.host->connect(dial_addr(*b.host)));
  ASSERT_TRUE(c.has_value()) << c.error().message();
  a.ps->add_peer(b.host->id());
  b.ps->add_peer(a.host->id());
}

// Runs until pred() holds, waking on every change of `d`.
template <class Pred>
task<void> until(std::shared_ptr<driver> d, Pred pred) {
  while (!pred()) {
    auto g = d->generation();
    if (pred()) break;
    co_await d->changed(g);
  }
}

bool has(const std::vector<crypto::peer_id>& v, const crypto::peer_id& p) {
  return std::find(v.begin(), v.end(), p) != v.end();
}

void wait_subscribed(io_context& io, node& watcher, const node& other, const std::string& topic) {
  auto d = watcher.ps;
  auto id = other.host->id();
  run_void(io, until(d, [d, id, topic] { return has(d->peers(topic), id); }));
}

// Waits for the heartbeat to graft `members` into watcher's mesh.
void wait_mesh(io_context& io, node& watcher, std::vector<const node*> members, const std::string& topic) {
  auto d = watcher.ps;
  std::vector<crypto::peer_id> ids;
  for (const auto* m : members) ids.push_back(m->host->id());
  run_void(io, until(d, [d, ids, topic] {
             auto mesh = d->router().mesh(topic);
             return std::all_of(ids.begin(), ids.end(), [&](const auto& p) { return mesh.contains(p); });
           }));
}

std::string data_of(const std::optional<received_message>& m) { return m ? m->message.data() : "<none>"; }

void shutdown(io_context& io, std::vector<node*> nodes) {
  for (auto* n : nodes) n->ps->stop();
  for (auto* n : nodes) n->host->close();
  io.restart();
  io.run();
}

TEST(PubsubDriverLive, ThreeGossipsubHostsInALineDeliverBothWays) {
  io_context io;
  auto a = make_node(io, 101), b = make_node(io, 102), c = make_node(io, 103);
  link_nodes(io, a, b);
  link_nodes(io, b, c);
  auto sa = a.ps->subscribe("t");
  auto sb = b.ps->subscribe("t");
  auto sc = c.ps->subscribe("t");
  ASSERT_TRUE(sa && sb && sc);
  wait_subscribed(io, a, b, "t");
  wait_subscribed(io, b, a, "t");
  wait_subscribed(io, b, c, "t");
  wait_subscribed(io, c, b, "t");
  wait_mesh(io, a, {&b}, "t");
  wait_mesh(io, b, {&a, &c}, "t");
  wait_mesh(io, c, {&b}, "t");

  ASSERT_TRUE(a.ps->publish("t", as_bytes("from a")));
  EXPECT_EQ(data_of((*sa)->try_next()), "from a");  // local delivery
  EXPECT_EQ(data_of(run(io, (*sb)->next())), "from a");
  auto at_c = run(io, (*sc)->next());
  EXPECT_EQ(data_of(at_c), "from a");
  EXPECT_EQ(at_c->received_from, b.host->id());  // relayed by b

  ASSERT_TRUE(c.ps->publish("t", as_bytes("from c")));
  EXPECT_EQ(data_of(run(io, (*sb)->next())), "from c");
  EXPECT_EQ(data_of(run(io, (*sa)->next())), "from c");

  EXPECT_EQ(a.ps->topics(), std::vector<std::string>{"t"});
  EXPECT_EQ(b.ps->peers("t").size(), 2u);
  EXPECT_TRUE(b.ps->peers("other").empty());
  EXPECT_EQ(a.ps->counters().frames_dropped, 0u);
  shutdown(io, {&a, &b, &c});
}

TEST(PubsubDriverLive, FloodsubHostsExchangeMessages) {
  io_context io;
  auto a = make_node(io, 111, router_kind::floodsub), b = make_node(io, 112, router_kind::floodsub);
  link_nodes(io, a, b);
  auto sb = b.ps->subscribe("f");
  ASSERT_TRUE(sb);
  wait_subscribed(io, a, b, "f");
  ASSERT_TRUE(a.ps->publish("f", as_bytes("flood")));  // a is not subscribed: publishes to subscribers
  EXPECT_EQ(data_of(run(io, (*sb)->next())), "flood");
  shutdown(io, {&a, &b});
}

TEST(PubsubDriverLive, GossipsubHostTalksFloodsubToAFloodsubOnlyHost) {
  io_context io;
  auto a = make_node(io, 121), b = make_node(io, 122, router_kind::floodsub);
  link_nodes(io, a, b);
  auto sa = a.ps->subscribe("m");
  auto sb = b.ps->subscribe("m");
  ASSERT_TRUE(sa && sb);
  wait_subscribed(io, a, b, "m");
  wait_subscribed(io, b, a, "m");
  EXPECT_TRUE(a.ps->router().mesh("m").empty());  // floodsub peers are never in the mesh
  ASSERT_TRUE(a.ps->publish("m", as_bytes("to floodsub")));
  EXPECT_EQ(data_of((*sa)->try_next()), "to floodsub");  // local delivery
  EXPECT_EQ(data_of(run(io, (*sb)->next())), "to floodsub");
  ASSERT_TRUE(b.ps->publish("m", as_bytes("to gossipsub")));
  EXPECT_EQ(data_of(run(io, (*sa)->next())), "to gossipsub");
  shutdown(io, {&a, &b});
}

task<validation_result> slow_verdict(crypto::peer_id, pb::Message m) {
  // Yield to the loop first so the verdict really arrives later.
  auto ex = co_await p2pio::asio::this_coro::executor;
  co_await p2pio::asio::post(ex, p2pio::asio::use_awaitable);
  co_return m.data().starts_with("bad") ? validation_result::reject : validation_result::accept;
}

TEST(PubsubDriverLive, AsyncValidatorRejectionIsNotDeliveredNorForwarded) {
  io_context io;
  auto a = make_node(io, 131), b = make_node(io, 132), c = make_node(io, 133);
  link_nodes(io, a, b);
  link_nodes(io, b, c);
  b.ps->set_async_validator("v", slow_verdict);
  auto sb = b.ps->subscribe("v");
  auto sc = c.ps->subscribe("v");
  ASSERT_TRUE(sb && sc);
  wait_subscribed(io, a, b, "v");
  wait_subscribed(io, c, b, "v");
  wait_mesh(io, b, {&c}, "v");
  ASSERT_TRUE(a.ps->publish("v", as_bytes("bad 1")));
  ASSERT_TRUE(a.ps->publish("v", as_bytes("good 2")));
  // In order: the rejected message never reaches b's or c's application.
  EXPECT_EQ(data_of(run(io, (*sb)->next())), "good 2");
  EXPECT_EQ(data_of(run(io, (*sc)->next())), "good 2");
  EXPECT_EQ(b.ps->counters().async_validations, 2u);
  EXPECT_EQ(b.ps->router().counters().rejected, 1u);
  EXPECT_EQ((*sc)->try_next(), std::nullopt);
  shutdown(io, {&a, &b, &c});
}

TEST(PubsubDriverLive, CancelledSubscriptionLeavesTheTopic) {
  io_context io;
  auto a = make_node(io, 141), b = make_node(io, 142);
  link_nodes(io, a, b);
  auto s1 = b.ps->subscribe("x");
  auto s2 = b.ps->subscribe("x");
  ASSERT_TRUE(s1 && s2);
  wait_subscribed(io, a, b, "x");
  (*s1)->cancel();
  EXPECT_TRUE(b.ps->router().subscribed("x"));  // s2 still holds it
  s2->reset();  // the last handle goes: unsubscribe
  EXPECT_FALSE(b.ps->router().subscribed("x"));
  EXPECT_TRUE(b.ps->topics().empty());
  auto d = a.ps;
  auto bid = b.host->id();
  run_void(io, until(d, [d, bid] { return !has(d->peers("x"), bid); }));
  auto next = run(io, (*s1)->next());
  EXPECT_FALSE(next.has_value());
  shutdown(io, {&a, &b});
}

TEST(PubsubDriverLive, DisconnectRemovesThePeer) {
  io_context io;
  auto a = make_node(io, 151), b = make_node(io, 152);
  link_nodes(io, a, b);
  auto sb = b.ps->subscribe("d");
  ASSERT_TRUE(sb);
  wait_subscribed(io, a, b, "d");
  EXPECT_EQ(a.ps->peers().size(), 1u);
  a.host->disconnect(b.host->id());
  auto d = a.ps;
  run_void(io, until(d, [d] { return d->peers().empty(); }));
  auto db = b.ps;
  run_void(io, until(db, [db] { return db->peers().empty(); }));
  EXPECT_EQ(a.ps->counters().peers_removed, 1u);
  shutdown(io, {&a, &b});
}

// A peer that subscribes and then never reads: a's writer to it stalls on the
// Yamux window and its bounded queue overflows, while b gets every message.
task<void> nothing() { co_return; }

task<result<p2pio::stream>> announce(std::shared_ptr<p2pio::host> h, crypto::peer_id to, std::string topic) {
  std::vector<std::string> protos{"/meshsub/1.1.0"};
  auto s = co_await h->new_stream(to, std::move(protos));
  if (!s) co_return fail(s.error());
  pb::RPC rpc;
  auto* sub = rpc.add_subscriptions();
  sub->set_subscribe(true);
  sub->set_topicid(topic);
  auto w = co_await s->write_all(encode_frame(encode_rpc(rpc)));
  if (!w) co_return fail(w.error());
  co_return std::move(*s);
}

TEST(PubsubDriverLive, APeerThatNeverReadsDoesNotStallTheOthers) {
  io_context io;
  driver_config cfg;
  cfg.max_peer_queue_bytes = 1u << 20;
  auto a = make_node(io, 161, router_kind::gossipsub, cfg);
  auto b = make_node(io, 162);
  link_nodes(io, a, b);
  auto slow = make_host(io, test_config(163));
  auto held = std::make_shared<std::vector<p2pio::stream>>();  // open, never read
  slow->set_stream_handler("/meshsub/1.1.0", [held](p2pio::stream s) {
    held->push_back(std::move(s));
    return nothing();
  });
  auto c = run(io, slow->connect(dial_addr(*a.host)));
  ASSERT_TRUE(c.has_value());
  auto slow_stream = run(io, announce(slow, a.host->id(), "s"));
  ASSERT_TRUE(slow_stream.has_value()) << slow_stream.error().message();
  auto sb = b.ps->subscribe("s");
  ASSERT_TRUE(sb);
  wait_subscribed(io, a, b, "s");
  auto sid = slow->id();
  wait_subscribed(io, a, node{slow, nullptr}, "s");

  // 100 x 60 KiB = 6 MiB, far over the slow peer's window (256 KiB) and queue (1 MiB).
  constexpr int count = 100;
  bytes payload(60 * 1024, 0x5a);
  for (int i = 0; i < count; ++i) {
    payload[0] = static_cast<std::uint8_t>(i);
    ASSERT_TRUE(a.ps->publish("s", payload));
    auto m = run(io, (*sb)->next());
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(static_cast<std::uint8_t>(m->message.data()[0]), static_cast<std::uint8_t>(i));
  }
  EXPECT_GT(a.ps->counters().frames_dropped, 0u);  // the slow peer's bound, crossed
  EXPECT_TRUE(has(a.ps->peers("s"), sid));
  slow->close();
  shutdown(io, {&a, &b});
}

// Scoring as a deployment would set it for one topic: invalid deliveries (P4)
// weigh heavily; loopback is exempt from the IP colocation penalty (P6).
driver_config scoring_config(const std::string& topic) {
  driver_config cfg;
  score_params sp;
  sp.ip_colocation_factor_whitelist = {"127.0.0.1"};
  topic_score_params tp;
  tp.invalid_message_deliveries_weight = -10;
  sp.topics[topic] = tp;
  cfg.router.score = sp;
  return cfg;
}

// Messages signed by `key` whose data is then altered: the signature no longer verifies.
pb::RPC forged_rpc(const crypto::private_key& key, const std::string& topic, int count, int first_seq) {
  auto id = crypto::peer_id::from_public_key(key.public_key());
  pb::RPC rpc;
  for (int i = 0; i < count; ++i) {
    pb::Message m;
    m.set_from(std::string(as_chars(id.to_bytes())));
    std::string seq(8, '\0');
    seq[7] = static_cast<char>(first_seq + i);
    m.set_seqno(seq);
    m.set_topic(topic);
    m.set_data("honest");
    EXPECT_TRUE(sign_message(m, key));
    m.set_data("forged " + std::to_string(i));
    *rpc.add_publish() = m;
  }
  return rpc;
}

TEST(PubsubDriverLive, InvalidFlooderIsGraylistedWhileHonestPeersDeliver) {
  io_context io;
  const std::string topic = "releases";
  auto a = make_node(io, 171, router_kind::gossipsub, scoring_config(topic));
  auto b = make_node(io, 172, router_kind::gossipsub, scoring_config(topic));
  auto c = make_node(io, 173, router_kind::gossipsub, scoring_config(topic));
  link_nodes(io, a, b);
  link_nodes(io, b, c);
  link_nodes(io, a, c);
  auto sa = a.ps->subscribe(topic);
  auto sc = c.ps->subscribe(topic);
  auto sb = b.ps->subscribe(topic);
  ASSERT_TRUE(sa && sb && sc);

  // The flooder: a bare host speaking meshsub/1.1.0 to a, subscribing, then forging.
  auto evil_key = test_key(174);
  auto evil = make_host(io, test_config(174));
  auto held = std::make_shared<std::vector<p2pio::stream>>();
  evil->set_stream_handler("/meshsub/1.1.0", [held](p2pio::stream s) {
    held->push_back(std::move(s));
    return nothing();
  });
  ASSERT_TRUE(run(io, evil->connect(dial_addr(*a.host))).has_value());
  auto evil_stream = run(io, announce(evil, a.host->id(), topic));
  ASSERT_TRUE(evil_stream.has_value()) << evil_stream.error().message();
  wait_subscribed(io, a, node{evil, nullptr}, topic);
  wait_mesh(io, b, {&a, &c}, topic);

  auto evil_id = evil->id();
  auto frame = encode_frame(encode_rpc(forged_rpc(evil_key, topic, 20, 1)));
  ASSERT_TRUE(run(io, evil_stream->write_all(frame)).has_value());
  auto da = a.ps;
  const double graylist = score_thresholds{}.graylist_threshold;
  run_void(io, until(da, [da, evil_id, graylist] {
             return da->router().score(evil_id, std::chrono::steady_clock::now()) < graylist;
           }));
  EXPECT_GE(a.ps->router().counters().invalid_signatures, 1u);
  // Further RPCs from the flooder are not even read.
  auto more = encode_frame(encode_rpc(forged_rpc(evil_key, topic, 1, 100)));
  ASSERT_TRUE(run(io, evil_stream->write_all(more)).has_value());
  run_void(io, until(da, [da] { return da->router().counters().graylisted_rpcs > 0; }));

  // The honest hosts still get every message from each other.
  for (int i = 0; i < 10; ++i) {
    auto text = "release " + std::to_string(i);
    ASSERT_TRUE(b.ps->publish(topic, as_bytes(text)));
    EXPECT_EQ(data_of(run(io, (*sa)->next())), text);
    EXPECT_EQ(data_of(run(io, (*sc)->next())), text);
  }
  EXPECT_EQ((*sa)->try_next(), std::nullopt);  // no forged message reached the application
  // The next heartbeat prunes the negative-scored peer from a's mesh.
  run_void(io, until(da, [da, evil_id, topic] { return !da->router().mesh(topic).contains(evil_id); }));
  evil->close();
  shutdown(io, {&a, &b, &c});
}

// Peer exchange: a hub that leaves the topic PRUNEs its mesh with PX; the
// candidates' signed peer records (collected by identify, handed to the router
// at the heartbeat) let a leaf that knew only the hub dial the other leaves.
TEST(PubsubDriverLive, PxCandidatesFromAPruneAreDialled) {
  io_context io;
  const std::string topic = "releases";
  driver_config accept_px;
  accept_px.router.thresholds.accept_px_threshold = 0;  // scoring off here: every score is 0
  driver_config bootstrapper;
  bootstrapper.router.gossip.do_px = true;  // PX is sent by nodes that enable it (go's default: off)
  auto hub = make_node(io, 181, router_kind::gossipsub, bootstrapper);
  auto a = make_node(io, 182, router_kind::gossipsub, accept_px);
  auto b = make_node(io, 183);
  auto c = make_node(io, 184);
  link_nodes(io, a, hub);
  link_nodes(io, b, hub);
  link_nodes(io, c, hub);
  auto sh = hub.ps->subscribe(topic);
  auto sa = a.ps->subscribe(topic);
  auto sb = b.ps->subscribe(topic);
  auto sc = c.ps->subscribe(topic);
  ASSERT_TRUE(sh && sa && sb && sc);
  wait_mesh(io, hub, {&a, &b, &c}, topic);
  auto dh = hub.ps;
  auto ib = b.host->id(), ic = c.host->id();
  run_void(io, until(dh, [dh, ib, ic] {
             return dh->router().has_signed_record(ib) && dh->router().has_signed_record(ic);
           }));
  EXPECT_FALSE(a.host->connection_to(ib));
  EXPECT_FALSE(a.host->connection_to(ic));

  sh->reset();  // the last handle: the hub leaves the topic and PRUNEs its mesh with PX
  auto da = a.ps;
  auto ha = a.host;
  run_void(io, until(da, [ha, ib, ic] { return ha->connection_to(ib) && ha->connection_to(ic); }));
  EXPECT_GE(a.ps->counters().px_dials, 2u);
  EXPECT_GE(a.ps->counters().px_connected, 2u);
  // What the host's peer_connected events do in an application (the node, p2pd).
  for (node* n : {&b, &c}) {
    a.ps->add_peer(n->host->id());
    n->ps->add_peer(a.host->id());
  }
  // The new links carry the topic: a message from b reaches a directly.
  wait_mesh(io, a, {&b, &c}, topic);
  ASSERT_TRUE(b.ps->publish(topic, as_bytes(std::string("after px"))));
  EXPECT_EQ(data_of(run(io, (*sa)->next())), "after px");
  shutdown(io, {&hub, &a, &b, &c});
}

}  // namespace
}  // namespace converge::pubsub::io
