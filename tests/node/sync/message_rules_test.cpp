// The engine driven directly: which messages a peer may send when (PROTOCOL.md §5.4-§5.9), the
// budget of heavy requests per anti-entropy period, the order feeds are streamed in, and the
// feeds whose authority is not known yet (held aside, admitted, refused, expired; §5.10).
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>

#include "crypto/sodium.hpp"
#include "tests/node/sync/sim.hpp"

namespace zwerm::node::sync {
namespace {

struct queue_sink final : message_sink {
  std::deque<std::string> out;
  void send(std::string m) override { out.push_back(std::move(m)); }
  // The decoded messages sent so far, oldest first; clears the queue.
  std::vector<message> take() {
    std::vector<message> got;
    for (auto& m : out) got.push_back(*decode(m));
    out.clear();
    return got;
  }
};

template <typename T>
std::size_t count_of(const std::vector<message>& ms) {
  return static_cast<std::size_t>(std::count_if(
      ms.begin(), ms.end(), [](const message& m) { return std::holds_alternative<T>(m); }));
}

// One engine (this node, `us`) and a peer whose messages the test writes by hand.
class MessageRules : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    ASSERT_TRUE(ours.ingest({c.genesis.bytes}).ok());
    cbs.on_misbehaviour = [this](session_id, const member_id&, const misbehaviour& m) {
      seen.push_back(m);
    };
    cbs.addresses_to_share = [] {
      crypto::public_key k;
      k.bytes.fill(7);
      return std::vector<peer_address>{{k, "127.0.0.7:4040"}};
    };
  }

  // Attaches the peer (`we_dial`: this node dialed) and exchanges hellos with equal frontiers.
  void start(bool we_dial) {
    us = std::make_unique<engine>(ours, opts, cbs);
    id = us->attach(peer, we_dial, sink);
    deliver(hello{.community = c.genesis.community, .frontier = *ours.frontier_digest()});
    sink.out.clear();
  }
  void deliver(const message& m) { us->on_message(id, encode(m)); }
  bool closed() const { return us->stats(id).closed; }

  sim::community_maker c = sim::community_maker::make();
  memory_replica ours{c.genesis.community};
  engine_options opts;
  engine_callbacks cbs;
  std::unique_ptr<engine> us;
  queue_sink sink;
  session_id id = 0;
  member_id peer = crypto::generate_key_pair().pk;
  std::vector<misbehaviour> seen;
};

TEST_F(MessageRules, OneProbeIsOpenAtATime) {
  start(true);
  // Two anti-entropy periods before the answer (a busy peer): one probe, not two, so the one
  // answer that comes is the answer to it.
  us->anti_entropy();
  us->anti_entropy();
  std::size_t probes = 0;
  for (const auto& m : sink.take()) {
    if (auto* f = std::get_if<frontier>(&m); f && f->reply_wanted) ++probes;
  }
  EXPECT_EQ(probes, 1u);
  deliver(frontier{*ours.frontier_digest(), false});
  EXPECT_TRUE(seen.empty());
  // The next period probes again.
  us->anti_entropy();
  probes = 0;
  for (const auto& m : sink.take()) {
    if (auto* f = std::get_if<frontier>(&m); f && f->reply_wanted) ++probes;
  }
  EXPECT_EQ(probes, 1u);
}

TEST_F(MessageRules, PeersWithoutARequestIsAViolation) {
  start(true);
  deliver(peers{{{crypto::generate_key_pair().pk, "127.0.0.9:1"}}});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::protocol_violation);
  EXPECT_NE(seen[0].reason.find("peers without a peers_request"), std::string::npos);
  EXPECT_TRUE(closed());
}

TEST_F(MessageRules, OnePeersAnswerPerRequest) {
  std::vector<peer_address> got;
  cbs.on_peers = [&](session_id, const std::vector<peer_address>& p) {
    got.insert(got.end(), p.begin(), p.end());
  };
  start(true);
  us->request_peers(id);
  us->request_peers(id);  // one request outstanding at a time
  EXPECT_EQ(count_of<peers_request>(sink.take()), 1u);
  deliver(peers{{{crypto::generate_key_pair().pk, "127.0.0.9:1"}}});
  EXPECT_EQ(got.size(), 1u);
  EXPECT_TRUE(seen.empty());
  deliver(peers{{{crypto::generate_key_pair().pk, "127.0.0.9:2"}}});  // a second, unasked
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(got.size(), 1u);
}

TEST_F(MessageRules, BucketsOnlyWhenThePeerLeadsARound) {
  // We dialed: we lead the first round, so the peer has no round to send buckets in.
  start(true);
  deliver(buckets{});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].reason.find("buckets without a round"), std::string::npos);
  EXPECT_EQ(count_of<heads>(sink.take()), 0u);  // nothing was answered
}

TEST_F(MessageRules, TheRoundAfterTheHellosAndAfterAProbeIsServed) {
  start(false);  // the peer dialed: it leads
  deliver(buckets{});
  EXPECT_TRUE(seen.empty());
  EXPECT_GE(count_of<heads_request>(sink.take()), 1u);  // we hold the genesis, it nothing
  deliver(buckets{});                                   // a second one without a probe in between
  ASSERT_EQ(seen.size(), 1u);
}

// Feeds of `n` fresh authors (one record each) in our replica: heads in many buckets.
void fill(memory_replica& r, const sim::community_maker& c, int n) {
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(r.ingest(c.feed(1, 200, crypto::generate_key_pair())).ok());
}

std::size_t heads_sent(const std::vector<message>& ms) {
  std::size_t n = 0;
  for (const auto& m : ms) {
    if (auto* h = std::get_if<heads>(&m)) n += h->entries.size();
  }
  return n;
}

TEST_F(MessageRules, ALaterRoundOnOneSessionSendsOnlyHeadsThatChanged) {
  fill(ours, c, 40);
  start(false);
  deliver(buckets{});  // "I hold nothing": every head, once
  EXPECT_EQ(heads_sent(sink.take()), 41u);
  // The same claim after a probe: the peer has them all already; nothing new goes out.
  deliver(frontier{{}, true});
  deliver(buckets{});
  auto again = sink.take();
  EXPECT_EQ(heads_sent(again), 0u);
  EXPECT_EQ(count_of<heads_request>(again), 1u);  // the round itself goes on
  // One new feed: only the heads of its bucket go again.
  const auto author = crypto::generate_key_pair();
  ASSERT_TRUE(ours.ingest(c.feed(1, 200, author)).ok());
  deliver(frontier{{}, true});
  deliver(buckets{});
  const auto changed = heads_sent(sink.take());
  EXPECT_GE(changed, 1u);
  EXPECT_LT(changed, 5u);
  EXPECT_TRUE(seen.empty());
}

TEST_F(MessageRules, AKeyThatReconnectsForEveryHeadWaitsForTheNextPeriod) {
  fill(ours, c, 10);
  us = std::make_unique<engine>(ours, opts, cbs);
  auto round_on_new_session = [&] {
    queue_sink s;
    const session_id sid = us->attach(peer, false, s);
    us->on_message(sid, encode(hello{.community = c.genesis.community, .frontier = {}}));
    s.out.clear();
    us->on_message(sid, encode(buckets{}));
    auto got = s.take();
    us->detach(sid);
    return got;
  };
  for (std::uint32_t i = 0; i < opts.max_full_rounds_per_key; ++i) {
    EXPECT_EQ(heads_sent(round_on_new_session()), 11u) << i;
  }
  // Past the key's rounds of this period: the round goes unanswered, and no blame.
  auto deferred = round_on_new_session();
  EXPECT_EQ(heads_sent(deferred), 0u);
  EXPECT_EQ(count_of<heads_request>(deferred), 0u);
  EXPECT_TRUE(seen.empty());
  // Another key is not affected, and the next period serves this one again.
  peer = crypto::generate_key_pair().pk;
  EXPECT_EQ(heads_sent(round_on_new_session()), 11u);
  us->anti_entropy();
  EXPECT_EQ(heads_sent(round_on_new_session()), 11u);
}

TEST_F(MessageRules, ADeferredRoundIsLedByThisNodeAtTheNextPeriod) {
  fill(ours, c, 10);
  opts.max_full_rounds_per_key = 0;  // every round of this key is past its allowance
  start(false);
  deliver(buckets{});
  EXPECT_EQ(heads_sent(sink.take()), 0u);
  EXPECT_EQ(us->stats(id).rounds_deferred, 1u);
  us->anti_entropy();
  auto next = sink.take();
  ASSERT_GE(count_of<frontier>(next), 1u);
  EXPECT_TRUE(std::get<frontier>(next.front()).reply_wanted);
  // The peer's answer differs: this node leads the round with its buckets.
  deliver(frontier{{}, false});
  EXPECT_EQ(count_of<buckets>(sink.take()), 1u);
  EXPECT_TRUE(seen.empty());
}

TEST_F(MessageRules, APeersAnswerCarriesAtMostFourBytesPerByteReceived) {
  cbs.addresses_to_share = [] {
    std::vector<peer_address> all;
    for (int i = 0; i < 64; ++i) {
      all.push_back({crypto::generate_key_pair().pk, "198.51.100." + std::to_string(i) + ":4040"});
    }
    return all;
  };
  start(true);
  const auto received = [&] { return us->stats(id).bytes_received; };
  std::uint64_t sent = 0;
  for (int i = 0; i < 20; ++i) {
    deliver(peers_request{});
    if (closed()) break;
    for (const auto& m : sink.out) {
      if (std::holds_alternative<peers>(*decode(m))) sent += m.size();
    }
    sink.out.clear();
    EXPECT_LE(sent, 4 * received()) << i;
    us->anti_entropy();  // keep within the request budget: the credit is what is tested
  }
  EXPECT_TRUE(seen.empty());
  // Something was shared (the hello's bytes earn a few entries), not all 64.
  EXPECT_GT(sent, 2u * 20u);
}

TEST_F(MessageRules, ProbeAnswersAreBudgetedPerPeriod) {
  start(false);
  for (std::uint32_t i = 0; i < opts.max_requests_per_period; ++i) {
    deliver(frontier{{}, true});
    ASSERT_TRUE(seen.empty()) << i;
  }
  EXPECT_EQ(count_of<frontier>(sink.take()), opts.max_requests_per_period);
  deliver(frontier{{}, true});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].reason.find("anti-entropy period"), std::string::npos) << seen[0].reason;
}

TEST_F(MessageRules, TheBudgetStartsAgainEachPeriod) {
  start(false);
  for (int period = 0; period < 3; ++period) {
    for (std::uint32_t i = 0; i < opts.max_requests_per_period; ++i) deliver(frontier{{}, true});
    us->anti_entropy();
  }
  EXPECT_TRUE(seen.empty());
  EXPECT_FALSE(closed());
}

TEST_F(MessageRules, HeadsWithoutARoundIsAViolation) {
  start(true);  // in sync: we never sent buckets or heads_request
  deliver(heads{{{crypto::generate_key_pair().pk, 5, {}}}});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].reason.find("heads without"), std::string::npos);
  EXPECT_EQ(us->fetching(), 0u);  // the claim was not believed
}

TEST_F(MessageRules, FeedsAreStreamedInRankOrder) {
  const auto x = crypto::generate_key_pair(), y = crypto::generate_key_pair();
  auto fx = c.feed(2, 200, x), fy = c.feed(2, 200, y);
  std::vector<std::string> all = fx;
  all.insert(all.end(), fy.begin(), fy.end());
  ASSERT_TRUE(ours.ingest(all).ok());
  cbs.feed_rank = [&](const member_id& a) -> std::uint64_t { return a == y.pk ? 1 : 2; };
  start(false);
  deliver(want{{{x.pk, 1}, {y.pk, 1}}});
  auto sent = sink.take();
  ASSERT_EQ(count_of<records>(sent), 1u);
  const auto& r = std::get<records>(sent.back());
  ASSERT_EQ(r.items.size(), 4u);
  EXPECT_EQ(r.items[0], fy[0]);  // y ranks first although x was asked first
  EXPECT_EQ(r.items[2], fx[0]);
}

TEST_F(MessageRules, AFeedAskedForLaterOvertakesLowerRankedFeedsNotYetStarted) {
  // A receiver asks per heads message: the inviter's feed (rank 1) may be asked for after the
  // joiners' (ranks 2, 3). It still goes out before every feed not yet started.
  const auto x = crypto::generate_key_pair(), y = crypto::generate_key_pair(),
             z = crypto::generate_key_pair();
  auto fx = c.feed(3, 200, x), fy = c.feed(3, 200, y), fz = c.feed(3, 200, z);
  for (const auto* f : {&fx, &fy, &fz}) ASSERT_TRUE(ours.ingest(*f).ok());
  cbs.feed_rank = [&](const member_id& a) -> std::uint64_t {
    return a == y.pk ? 1 : a == z.pk ? 2 : 3;
  };
  opts.window_bytes = 1;  // one message in flight at a time
  opts.batch_bytes = 1;   // one record per message
  start(false);
  deliver(want{{{x.pk, 1}}});  // under way
  deliver(want{{{z.pk, 1}}});
  deliver(want{{{y.pk, 1}}});  // asked last, ranks first
  std::vector<std::string> order;
  for (int guard = 0; guard < 20 && order.size() < 9; ++guard) {
    std::size_t bytes = 0;
    for (auto& m : sink.take()) {
      if (auto* r = std::get_if<records>(&m)) {
        for (auto& item : r->items) {
          bytes += item.size();
          order.push_back(item);
        }
      }
    }
    if (bytes > 0) deliver(ack{bytes});
  }
  ASSERT_EQ(order.size(), 9u);
  EXPECT_EQ(order[0], fx[0]);  // the feed under way is finished first
  EXPECT_EQ(order[3], fy[0]);
  EXPECT_EQ(order[6], fz[0]);
  EXPECT_TRUE(seen.empty());
}

TEST_F(MessageRules, RepeatedWantsBeyondTheAllowanceAreAViolation) {
  const auto x = crypto::generate_key_pair();
  auto fx = c.feed(50, 200, x);
  ASSERT_TRUE(ours.ingest(fx).ok());
  std::size_t feed_bytes = 0;
  for (const auto& r : fx) feed_bytes += r.size();
  opts.max_resent_bytes_per_period = feed_bytes * 3 / 2;
  start(false);
  auto sent_records = [&] {
    std::size_t n = 0;
    for (auto& m : sink.take()) {
      if (auto* r = std::get_if<records>(&m)) n += r->items.size();
    }
    return n;
  };
  deliver(want{{{x.pk, 1}}});
  EXPECT_EQ(sent_records(), 50u);
  deliver(want{{{x.pk, 1}}});  // once more: honest now and then
  EXPECT_EQ(sent_records(), 50u);
  EXPECT_TRUE(seen.empty());
  deliver(want{{{x.pk, 1}}});  // and again: the feed a third time is over the allowance
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].reason.find("sent before"), std::string::npos) << seen[0].reason;
}

TEST_F(MessageRules, APeersShareOfThePendingAreaIsBounded) {
  const auto x = crypto::generate_key_pair();
  auto fx = c.feed(8, 200, x);
  ASSERT_TRUE(ours.ingest({fx[0]}).ok());
  opts.max_pending_per_period = 3;
  start(false);
  records m;
  m.live = true;
  m.items = {fx[2], fx[3], fx[4]};  // past the gap at seq 2: pending
  deliver(m);
  EXPECT_TRUE(seen.empty());
  m.items = {fx[5]};
  deliver(m);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].reason.find("past gaps"), std::string::npos) << seen[0].reason;
}

// --- authority ----------------------------------------------------------------------------

class Authority : public MessageRules {
 protected:
  void SetUp() override {
    MessageRules::SetUp();
    cbs.first_record = [this](std::string_view bytes) -> authority_verdict {
      auto it = verdicts.find(std::string(bytes));
      return it == verdicts.end() ? authority_verdict{} : it->second;
    };
  }
  void deliver_records(std::vector<std::string> items, bool live = false) {
    records m;
    m.live = live;
    m.items = std::move(items);
    deliver(m);
  }
  std::uint64_t head(const crypto::key_pair& k) { return *ours.head_seq(k.pk); }
  std::uint64_t acked() {
    std::uint64_t n = 0;
    for (auto& m : sink.take()) {
      if (auto* a = std::get_if<ack>(&m)) n += a->bytes;
    }
    return n;
  }
  static std::size_t bytes_of(const std::vector<std::string>& v) {
    std::size_t n = 0;
    for (const auto& s : v) n += s.size();
    return n;
  }

  std::map<std::string, authority_verdict> verdicts;  // by the first record's bytes
};

TEST_F(Authority, AFeedThatMayNotExistIsRefusedAndNothingStored) {
  const auto k = crypto::generate_key_pair();
  auto f = c.feed(3, 200, k);
  verdicts[f[0]] = {authority::refuse, "a feed must begin with the genesis or a join"};
  start(false);
  deliver_records(f);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::bad_record);
  EXPECT_NE(seen[0].reason.find("may not exist here"), std::string::npos);
  EXPECT_EQ(head(k), 0u);
  EXPECT_EQ(ours.pending_count(), 0u);
}

TEST_F(Authority, AHeldFeedIsStoredOnceItsInviteArrives) {
  const auto joiner = crypto::generate_key_pair(), inviter = crypto::generate_key_pair();
  auto fj = c.feed(3, 200, joiner), fi = c.feed(1, 200, inviter);
  verdicts[fj[0]] = {authority::unknown, {}};
  start(false);
  deliver_records(fj);
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(head(joiner), 0u);
  EXPECT_EQ(acked(), bytes_of(fj));  // acknowledged at once: the peer's window moves on
  // The next message of the stream, the invite's feed: stored; then the held feed is asked
  // about again and admitted.
  verdicts.erase(fj[0]);
  deliver_records(fi);
  EXPECT_EQ(head(inviter), 1u);
  EXPECT_EQ(head(joiner), 3u);
  EXPECT_EQ(acked(), bytes_of(fi));  // the held records are not acknowledged twice
  EXPECT_TRUE(seen.empty());
}

TEST_F(Authority, LaterRecordsOfAHeldFeedJoinIt) {
  const auto joiner = crypto::generate_key_pair(), other = crypto::generate_key_pair();
  auto fj = c.feed(4, 200, joiner);
  verdicts[fj[0]] = {authority::unknown, {}};
  start(false);
  deliver_records({fj[0], fj[1]});
  deliver_records({fj[2], fj[3]});  // seq 3 after a held seq 2: no gap
  EXPECT_TRUE(seen.empty());
  verdicts.erase(fj[0]);
  deliver_records(c.feed(1, 200, other));
  EXPECT_EQ(head(joiner), 4u);
}

TEST_F(Authority, AHeldFeedStreamedAgainIsNotOutOfOrder) {
  // The feed is asked for again (a second heads message, a have) while its records wait for
  // their invite: the second stream repeats what is held, which is no fault.
  const auto joiner = crypto::generate_key_pair(), other = crypto::generate_key_pair();
  auto fj = c.feed(3, 200, joiner);
  verdicts[fj[0]] = {authority::unknown, {}};
  start(false);
  deliver_records({fj[0], fj[1]});
  deliver_records({fj[0], fj[1], fj[2]});
  EXPECT_TRUE(seen.empty());
  verdicts.erase(fj[0]);
  deliver_records(c.feed(1, 200, other));
  EXPECT_EQ(head(joiner), 3u);
  EXPECT_TRUE(seen.empty());
}

TEST_F(Authority, AHeldFeedThatTurnsOutRefusedFailsThePeer) {
  const auto joiner = crypto::generate_key_pair(), other = crypto::generate_key_pair();
  auto fj = c.feed(2, 200, joiner);
  verdicts[fj[0]] = {authority::unknown, {}};
  start(false);
  deliver_records(fj);
  verdicts[fj[0]] = {authority::refuse, "the join's token does not match the invite it names"};
  deliver_records(c.feed(1, 200, other));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::bad_record);
  EXPECT_EQ(head(joiner), 0u);
}

TEST_F(Authority, HeldFeedsExpireAfterTwoPeriods) {
  const auto joiner = crypto::generate_key_pair(), other = crypto::generate_key_pair();
  auto fj = c.feed(2, 200, joiner);
  verdicts[fj[0]] = {authority::unknown, {}};
  start(false);
  deliver_records(fj);
  us->anti_entropy();
  us->anti_entropy();
  verdicts.erase(fj[0]);
  deliver_records(c.feed(1, 200, other));
  EXPECT_EQ(head(joiner), 0u);  // dropped: fetched again in a later round, from another session
  EXPECT_TRUE(seen.empty());
}

TEST_F(Authority, TheWaitingAreaIsBoundedAndOverflowIsDroppedQuietly) {
  opts.max_waiting_feeds = 2;
  start(false);
  std::vector<crypto::key_pair> keys;
  for (int i = 0; i < 5; ++i) {
    keys.push_back(crypto::generate_key_pair());
    auto f = c.feed(2, 200, keys.back());
    verdicts[f[0]] = {authority::unknown, {}};
    deliver_records(f);
  }
  EXPECT_TRUE(seen.empty());
  verdicts.clear();
  deliver_records(c.feed(1, 200, crypto::generate_key_pair()));
  int stored = 0;
  for (const auto& k : keys) stored += head(k) == 2 ? 1 : 0;
  EXPECT_EQ(stored, 2);
}

TEST_F(Authority, TooManyUnknownFeedsIsAViolation) {
  opts.max_waiting_feeds = 1;
  opts.max_feeds_per_session = 3;
  start(false);
  for (int i = 0; i < 6 && seen.empty(); ++i) {
    auto f = c.feed(1, 200, crypto::generate_key_pair());
    verdicts[f[0]] = {authority::unknown, {}};
    deliver_records(f);
  }
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::protocol_violation);
}

TEST_F(Authority, ManyUnknownFeedsDroppedInOnePeriodAreAViolation) {
  opts.max_waiting_feeds = 1;
  opts.max_dropped_feeds_per_period = 2;
  start(false);
  auto unknown_feed = [&] {
    auto f = c.feed(1, 200, crypto::generate_key_pair());
    verdicts[f[0]] = {authority::unknown, {}};
    deliver_records(f);
  };
  unknown_feed();  // held
  unknown_feed();  // dropped, 1
  unknown_feed();  // dropped, 2
  EXPECT_TRUE(seen.empty());
  us->anti_entropy();  // a new period: its own allowance
  unknown_feed();
  unknown_feed();
  EXPECT_TRUE(seen.empty());
  unknown_feed();  // the third dropped in this period
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, misbehaviour_kind::protocol_violation);
  EXPECT_NE(seen[0].reason.find("in one anti-entropy period"), std::string::npos) << seen[0].reason;
}

TEST_F(Authority, ALivePushOfAnUnheldFeedPastItsStartIsFetchedFromTheStart) {
  const auto k = crypto::generate_key_pair();
  auto f = c.feed(3, 200, k);
  start(false);
  deliver_records({f[2]}, /*live=*/true);
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(head(k), 0u);
  EXPECT_EQ(ours.pending_count(), 0u);  // not kept without the feed's beginning
  bool wanted = false;
  for (auto& m : sink.take()) {
    if (auto* w = std::get_if<want>(&m)) {
      for (const auto& e : w->entries) wanted |= e.author == k.pk && e.from_seq == 1;
    }
  }
  EXPECT_TRUE(wanted);
}

}  // namespace
}  // namespace zwerm::node::sync
