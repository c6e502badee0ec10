// Rule tests for the community state machine (PROTOCOL.md §3.3-§3.5), one case per rule.
#include <gtest/gtest.h>

#include "base/base64url.hpp"
#include "crypto/hash.hpp"
#include "node/community/state.hpp"
#include "node/community/views.hpp"
#include "tests/node/community/history.hpp"

namespace zwerm::node::community {
namespace {

using nlohmann::json;
using test::history;
using test::test_member;
using test::text;

constexpr std::int64_t day = day_ms;

class RulesTest : public ::testing::Test {
 protected:
  RulesTest()
      : a(h.make_member(1)), b(h.make_member(2)), c(h.make_member(3)), d(h.make_member(4)) {}

  // Applies every record written since the last call, in total order.
  state& run() {
    if (!s) s = std::make_unique<state>(h.community);
    for (; applied < h.records.size(); ++applied) s->apply(h.records[applied]);
    return *s;
  }
  member_status status_of(const test_member& m) {
    index i = run().find_member(m.id());
    EXPECT_NE(i, no_index);
    return i == no_index ? member_status::left : s->members[i].status;
  }
  bool active(const test_member& m) {
    index i = run().find_member(m.id());
    return i != no_index && s->members[i].status == member_status::active;
  }
  std::uint64_t feed_size() { return run().feed.size(); }
  index idx_of(const test_member& m) { return run().find_member(m.id()); }

  record invite(test_member& by, const test_member& who, std::int64_t ts = 2 * day,
                std::int64_t expires = 30 * day) {
    return h.write(by, "member.invite",
                   {{"invitee", who.text()}, {"note", "welcome"}, {"expires_ts", expires}}, ts);
  }
  record join(test_member& who, const record& inv, std::int64_t ts = 3 * day) {
    return h.write(who, "member.join", {{"invite", text(inv.id)}}, ts);
  }
  // Genesis by a, and b, c (and d when four) invited and joined.
  void found(int members, std::string invite_by = "member", int quorum = 50) {
    h.genesis(a, "Makers", invite_by, quorum);
    test_member* others[] = {&b, &c, &d};
    for (int i = 0; i + 1 < members; ++i) join(*others[i], invite(a, *others[i]));
  }
  record contribute(test_member& by, json tags = json::array(), json answers = nullptr,
                    json circle = nullptr, std::int64_t ts = 4 * day) {
    return h.write(by, "contribution",
                   {{"kind", "knowledge"},
                    {"title", "How to solder"},
                    {"body", "Heat the joint."},
                    {"tags", tags},
                    {"answers", answers},
                    {"circle", circle}},
                   ts);
  }
  record thank(test_member& by, const record& contribution, std::int64_t ts = 5 * day) {
    return h.write(by, "thanks", {{"contribution", text(contribution.id)}, {"note", "thanks!"}},
                   ts);
  }
  record propose(test_member& by, json body, std::int64_t ts = 5 * day) {
    if (!body.contains("reason")) body["reason"] = "because";
    return h.write(by, "proposal", body, ts);
  }
  record endorse(test_member& by, const record& p, std::int64_t ts = 6 * day) {
    return h.write(by, "endorse", {{"proposal", text(p.id)}}, ts);
  }
  proposal_status proposal_state(const record& p) {
    return run().proposals[s->proposal_index.at(p.id)].status;
  }

  history h;
  test_member a, b, c, d;
  std::unique_ptr<state> s;
  std::size_t applied = 0;
};

TEST_F(RulesTest, GenesisMakesAuthorFirstMemberAndStewardWithPolicy) {
  h.genesis(a, "Makers", "steward", 60);
  state& st = run();
  ASSERT_TRUE(st.created);
  EXPECT_EQ(st.name, "Makers");
  EXPECT_EQ(st.purpose, "learn together");
  EXPECT_EQ(st.invite_by, invite_policy::steward);
  EXPECT_EQ(st.quorum_pct, 60u);
  EXPECT_EQ(st.steward, st.find_member(a.id()));
  EXPECT_EQ(st.active_count, 1u);
}

TEST_F(RulesTest, ASecondGenesisAndRecordsBeforeGenesisHaveNoEffect) {
  h.genesis(a);
  test_member other = h.make_member(99);
  record second = h.write(other, "community.create",
                          {{"name", "Other"},
                           {"purpose", "x"},
                           {"policy", {{"invite_by", "member"}, {"quorum_pct", 50}}}},
                          2000);
  second.community = h.community;  // same community, not its genesis
  state st(h.community);
  st.apply(h.records[0]);
  st.apply(second);
  EXPECT_EQ(st.name, "Makers");
  EXPECT_EQ(st.members.size(), 1u);

  state early(h.community);
  early.apply(h.write(
      b, "profile", {{"name", "B"}, {"about", ""}, {"skills", json::array()}, {"address", nullptr}},
      0, 0));
  EXPECT_FALSE(early.created);
  EXPECT_TRUE(early.feed.empty());
}

TEST_F(RulesTest, InviteByIdThenJoinMakesMemberActive) {
  found(2);
  EXPECT_TRUE(active(b));
  EXPECT_EQ(run().active_count, 2u);
  EXPECT_EQ(run().members[idx_of(b)].joined_ts, 3 * day);
}

TEST_F(RulesTest, ReusingAnInviteHasNoEffect) {
  h.genesis(a);
  record inv = h.write(a, "member.invite",
                       {{"token_hash", text(crypto::blake2b256(std::string(32, 'k')))},
                        {"note", ""},
                        {"expires_ts", 30 * day}},
                       2 * day);
  json token = crypto::base64url_encode(std::string(32, 'k'));
  h.write(b, "member.join", {{"invite", text(inv.id)}, {"token", token}}, 3 * day);
  h.write(c, "member.join", {{"invite", text(inv.id)}, {"token", token}}, 3 * day);
  EXPECT_TRUE(active(b));
  EXPECT_EQ(run().find_member(c.id()), no_index);  // first join wins
}

TEST_F(RulesTest, AnExpiredInviteHasNoEffect) {
  h.genesis(a);
  join(b, invite(a, b, 2 * day, 5 * day), 6 * day);
  EXPECT_EQ(run().find_member(b.id()), no_index);
  join(b, invite(a, b, 7 * day, 9 * day), 9 * day);  // expires_ts itself still counts
  EXPECT_TRUE(active(b));
}

TEST_F(RulesTest, AnInviteByANonMemberHasNoEffect) {
  h.genesis(a);
  record inv = invite(c, b);  // c never joined
  join(b, inv);
  EXPECT_EQ(run().find_member(b.id()), no_index);
  EXPECT_EQ(run().invites.count(inv.id), 0u);
}

TEST_F(RulesTest, StewardPolicyLetsOnlyTheStewardInvite) {
  found(2, "steward");
  join(c, invite(b, c));
  EXPECT_EQ(run().find_member(c.id()), no_index);
  join(c, invite(a, c));
  EXPECT_TRUE(active(c));
}

TEST_F(RulesTest, JoiningWithAWrongTokenHasNoEffectAndKeepsTheInvite) {
  h.genesis(a);
  std::string token(32, 't');
  record inv = h.write(
      a, "member.invite",
      {{"token_hash", text(crypto::blake2b256(token))}, {"note", ""}, {"expires_ts", 30 * day}},
      2 * day);
  h.write(b, "member.join",
          {{"invite", text(inv.id)}, {"token", crypto::base64url_encode(std::string(32, 'x'))}},
          3 * day);
  EXPECT_EQ(run().find_member(b.id()), no_index);
  h.write(b, "member.join", {{"invite", text(inv.id)}}, 3 * day);  // no token at all
  EXPECT_EQ(run().find_member(b.id()), no_index);
  h.write(b, "member.join", {{"invite", text(inv.id)}, {"token", crypto::base64url_encode(token)}},
          3 * day);
  EXPECT_TRUE(active(b));
}

TEST_F(RulesTest, AnIdInviteAdmitsOnlyItsInviteeAndWithoutToken) {
  h.genesis(a);
  record inv = invite(a, b);
  join(c, inv);
  EXPECT_EQ(run().find_member(c.id()), no_index);
  h.write(b, "member.join",
          {{"invite", text(inv.id)}, {"token", crypto::base64url_encode(std::string(32, 'x'))}},
          3 * day);
  EXPECT_EQ(run().find_member(b.id()), no_index);
  join(b, inv);
  EXPECT_TRUE(active(b));
}

TEST_F(RulesTest, AKeyThatCannotHandshakeCannotJoin) {
  h.genesis(a);
  test_member weak = h.make_member(7);
  weak.keys.pk = member_id{};
  weak.keys.pk.bytes[0] = 1;  // the identity point: small order, no X25519 key
  ASSERT_FALSE(crypto::can_handshake(weak.id()));
  join(weak, invite(a, weak));
  EXPECT_EQ(run().find_member(weak.id()), no_index);
}

TEST_F(RulesTest, LeaveMakesAFormerMemberWhoCanBeInvitedAgain) {
  found(3);
  h.write(b, "member.leave", {{"reason", "moving"}}, 4 * day);
  EXPECT_EQ(status_of(b), member_status::left);
  EXPECT_EQ(s->active_count, 2u);
  std::uint64_t before = feed_size();
  h.write(b, "request", {{"title", "t"}, {"body", ""}, {"tags", json::array()}}, 5 * day);
  EXPECT_EQ(feed_size(), before);  // a former member's record has no effect
  join(b, invite(c, b, 6 * day), 7 * day);
  EXPECT_EQ(status_of(b), member_status::active);
  EXPECT_EQ(s->active_count, 3u);
}

TEST_F(RulesTest, ALeavingStewardLeavesTheCommunityWithoutSteward) {
  found(2);
  h.write(a, "member.leave", {{"reason", ""}}, 4 * day);
  EXPECT_EQ(run().steward, no_index);
}

TEST_F(RulesTest, RemovalByProposalAndARemovedMembersLaterInvite) {
  found(4);                                                     // quorum 50 of 4: 3 endorsers
  record early_invite = invite(d, h.make_member(20), 4 * day);  // before the removal
  record p = propose(a, {{"action", "remove"}, {"member", d.text()}});
  endorse(b, p);
  EXPECT_EQ(proposal_state(p), proposal_status::open);
  endorse(c, p);
  EXPECT_EQ(proposal_state(p), proposal_status::adopted);
  EXPECT_EQ(status_of(d), member_status::removed);
  EXPECT_EQ(s->active_count, 3u);
  // The removed member's invite written after the removal has no effect.
  test_member e = h.make_member(21);
  record late_invite = invite(d, e, 7 * day);
  join(e, late_invite, 8 * day);
  EXPECT_EQ(run().find_member(e.id()), no_index);
  EXPECT_EQ(s->invites.count(late_invite.id), 0u);
  // An invite the member wrote while active dies with the removal.
  test_member f = h.make_member(20);
  join(f, early_invite, 8 * day);
  EXPECT_EQ(run().find_member(f.id()), no_index);
}

TEST_F(RulesTest, AnInviteDiesWhenItsInviterLeaves) {
  found(2);
  test_member e = h.make_member(22);
  record inv = invite(b, e, 4 * day);
  h.write(b, "member.leave", {{"reason", "moving"}}, 5 * day);
  join(e, inv, 6 * day);
  EXPECT_EQ(run().find_member(e.id()), no_index);
}

TEST_F(RulesTest, AnInviteStaysDeadWhenItsInviterComesBack) {
  // B invites E, leaves, is invited back by A and rejoins: the invite of B's first
  // membership does not come back to life with B.
  found(2);
  test_member e = h.make_member(22);
  record old_inv = invite(b, e, 4 * day);
  h.write(b, "member.leave", {{"reason", "a while away"}}, 5 * day);
  join(b, invite(a, b, 6 * day), 7 * day);
  ASSERT_EQ(status_of(b), member_status::active);
  join(e, old_inv, 8 * day);
  EXPECT_EQ(run().find_member(e.id()), no_index);
  // An invite B makes now works.
  join(e, invite(b, e, 9 * day), 10 * day);
  EXPECT_EQ(status_of(e), member_status::active);
}

TEST_F(RulesTest, ARemovedMemberReturnsOnlyThroughAnInviteMadeAfterTheRemoval) {
  found(2, "member", 1);  // quorum 1 %: one endorser removes
  std::string before(32, 'b'), after(32, 'c');
  auto token_invite = [&](const std::string& token, std::int64_t ts) {
    return h.write(
        a, "member.invite",
        {{"token_hash", text(crypto::blake2b256(token))}, {"note", ""}, {"expires_ts", 30 * day}},
        ts);
  };
  record old_inv = token_invite(before, 4 * day);
  propose(a, {{"action", "remove"}, {"member", b.text()}}, 5 * day);
  ASSERT_EQ(status_of(b), member_status::removed);
  record new_inv = token_invite(after, 6 * day);
  h.write(b, "member.join",
          {{"invite", text(old_inv.id)}, {"token", crypto::base64url_encode(before)}}, 7 * day);
  EXPECT_EQ(status_of(b), member_status::removed);
  EXPECT_FALSE(s->invites.at(old_inv.id).used);
  h.write(b, "member.join",
          {{"invite", text(new_inv.id)}, {"token", crypto::base64url_encode(after)}}, 8 * day);
  EXPECT_TRUE(active(b));
}

TEST_F(RulesTest, StewardElectionByProposalAndHandover) {
  found(3);
  record p = propose(b, {{"action", "steward"}, {"member", c.text()}});
  endorse(c, p);  // 2 of 3 > 50%
  EXPECT_EQ(run().steward, idx_of(c));
  h.write(a, "steward.handover", {{"to", b.text()}}, 7 * day);  // a is no longer steward
  EXPECT_EQ(run().steward, idx_of(c));
  h.write(c, "steward.handover", {{"to", h.make_member(30).text()}}, 7 * day);  // not a member
  EXPECT_EQ(run().steward, idx_of(c));
  h.write(c, "steward.handover", {{"to", a.text()}}, 7 * day);
  EXPECT_EQ(run().steward, idx_of(a));
}

TEST_F(RulesTest, AgreementsAreAdoptedAndSuperseded) {
  found(2);  // 2 members, 50%: both must endorse
  record p1 = propose(
      a, {{"action", "agreement"}, {"text", "We meet on Mondays"}, {"supersedes", nullptr}});
  EXPECT_TRUE(run().agreements.empty());
  endorse(b, p1);
  ASSERT_EQ(run().agreements.size(), 1u);
  record p2 = propose(
      b, {{"action", "agreement"}, {"text", "We meet on Tuesdays"}, {"supersedes", text(p1.id)}});
  endorse(a, p2);
  json view = community_view(run());
  ASSERT_EQ(view["agreements"].size(), 1u);
  EXPECT_EQ(view["agreements"][0]["text"], "We meet on Tuesdays");
  EXPECT_EQ(s->proposals[s->proposal_index.at(p1.id)].superseded_by, s->proposal_index.at(p2.id));
  // Superseding an agreement that is not in force: the proposal has no effect.
  std::size_t count = run().proposals.size();
  propose(a, {{"action", "agreement"}, {"text", "x"}, {"supersedes", text(p1.id)}});
  EXPECT_EQ(run().proposals.size(), count);
}

TEST_F(RulesTest, PurposeChangeAndDissolving) {
  found(1);
  propose(a, {{"action", "purpose"}, {"text", "repair things"}});  // alone: adopted at once
  EXPECT_EQ(run().purpose, "repair things");
  propose(a, {{"action", "dissolve"}});
  EXPECT_TRUE(run().dissolved);
  std::uint64_t before = feed_size();
  h.write(a, "request", {{"title", "t"}, {"body", ""}, {"tags", json::array()}}, 9 * day);
  EXPECT_EQ(feed_size(), before);
  EXPECT_TRUE(community_view(*s)["dissolved"].get<bool>());
}

TEST_F(RulesTest, EndorsingTwiceCountsOnce) {
  found(4);  // need 3 endorsers
  record p = propose(a, {{"action", "purpose"}, {"text", "new"}});
  endorse(b, p);
  std::uint64_t before = feed_size();
  endorse(b, p);
  EXPECT_EQ(feed_size(), before);  // no effect
  EXPECT_EQ(proposal_state(p), proposal_status::open);
  endorse(a, p);  // the proposer counts already
  EXPECT_EQ(proposal_state(p), proposal_status::open);
  endorse(c, p);
  EXPECT_EQ(proposal_state(p), proposal_status::adopted);
}

TEST_F(RulesTest, QuorumFollowsMembersJoiningAndLeaving) {
  found(3);  // 3 active, 50%: 2 endorsers suffice
  record p = propose(a, {{"action", "purpose"}, {"text", "new"}});
  // d joins before the endorsement lands: 4 active, 2 endorsers are no longer enough.
  join(d, invite(a, d, 5 * day), 5 * day);
  endorse(b, p);
  EXPECT_EQ(proposal_state(p), proposal_status::open);
  // b leaves: b's endorsement stops counting; active 3.
  h.write(b, "member.leave", {{"reason", ""}}, 6 * day);
  endorse(c, p);  // endorsers active: a, c = 2 of 3 -> adopted
  EXPECT_EQ(proposal_state(p), proposal_status::adopted);

  record q = propose(c, {{"action", "purpose"}, {"text", "newer"}});
  h.write(d, "member.leave", {{"reason", ""}}, 7 * day);  // 2 active: c alone is 50%, not more
  EXPECT_EQ(proposal_state(q), proposal_status::open);    // evaluated only when endorsed
  endorse(a, q);
  EXPECT_EQ(proposal_state(q), proposal_status::adopted);
}

TEST_F(RulesTest, ProposalsExpireAfterThirtyDays) {
  found(3);
  record p = propose(a, {{"action", "purpose"}, {"text", "new"}}, 5 * day);
  endorse(b, p, 5 * day + proposal_lifetime_ms + 1);
  EXPECT_EQ(proposal_state(p), proposal_status::open);
  json view = proposals_view(run(), 5 * day + proposal_lifetime_ms + 1);
  EXPECT_EQ(view["proposals"][0]["status"], "expired");
  endorse(c, p, 5 * day + proposal_lifetime_ms);  // exactly at the limit still counts
  EXPECT_EQ(proposal_state(p), proposal_status::adopted);
}

TEST_F(RulesTest, RequestsAreAnsweredByContributions) {
  found(2);
  record req = h.write(
      a, "request", {{"title", "Soldering?"}, {"body", "how"}, {"tags", {"electronics"}}}, 4 * day);
  EXPECT_EQ(run().open_requests.size(), 1u);
  contribute(b, {"Electronics"}, text(req.id));
  EXPECT_EQ(run().open_requests.size(), 0u);
  EXPECT_EQ(s->answered_requests.size(), 1u);
  // Answering an unknown request: no effect.
  std::uint64_t before = feed_size();
  contribute(b, json::array(), text(crypto::record_id_of("nope")));
  EXPECT_EQ(feed_size(), before);
}

TEST_F(RulesTest, ThanksOncePerMemberAndContributionNeverToOneself) {
  found(3);
  record k = contribute(a, {"rust"});
  thank(a, k);  // self-thanks
  EXPECT_EQ(run().members[0].given, 0u);
  thank(b, k);
  thank(b, k);  // double thanks
  thank(c, k);
  state& st = run();
  EXPECT_EQ(st.members[st.find_member(a.id())].given, 2u);
  EXPECT_EQ(st.members[st.find_member(b.id())].taken, 1u);
  EXPECT_EQ(st.members[st.find_member(c.id())].taken, 1u);
  EXPECT_EQ(st.contributions[0].thanks, 2u);
  EXPECT_EQ(st.ties.size(), 2u);
}

TEST_F(RulesTest, ProfilesLatestWins) {
  found(1);
  h.write(
      a, "profile",
      {{"name", "Ann"}, {"about", "x"}, {"skills", {"Welding"}}, {"address", "node.example:7000"}},
      2 * day);
  h.write(a, "profile",
          {{"name", "Anna"}, {"about", "y"}, {"skills", {"sewing"}}, {"address", nullptr}},
          3 * day);
  const member_info& m = run().members[0];
  EXPECT_EQ(m.name, "Anna");
  EXPECT_FALSE(m.address.has_value());
  EXPECT_EQ(who_knows_view(*s, "welding")["members"].size(), 0u);
  EXPECT_EQ(who_knows_view(*s, "SEWING")["members"].size(), 1u);
}

TEST_F(RulesTest, CirclesOpenJoinLeaveClose) {
  found(3);
  record circle = h.write(a, "circle.open", {{"name", "Bikes"}, {"purpose", "fix bikes"}}, 4 * day);
  std::string id = text(circle.id);
  contribute(b, json::array(), nullptr, id);  // b is not in the circle: no effect
  EXPECT_TRUE(run().contributions.empty());
  h.write(b, "circle.join", {{"circle", id}}, 5 * day);
  contribute(b, json::array(), nullptr, id);
  EXPECT_EQ(run().contributions.size(), 1u);
  h.write(b, "circle.leave", {{"circle", id}}, 6 * day);
  EXPECT_EQ(run().circles[0].members.size(), 1u);
  h.write(c, "circle.close", {{"circle", id}}, 6 * day);  // c is neither in it nor steward
  EXPECT_TRUE(run().circles[0].open);
  h.write(a, "circle.close", {{"circle", id}}, 7 * day);
  EXPECT_FALSE(run().circles[0].open);
  h.write(c, "circle.join", {{"circle", id}}, 8 * day);  // closed
  EXPECT_EQ(run().circles[0].members.size(), 1u);
  json view = circles_view(*s);
  EXPECT_EQ(view["circles"][0]["records"], 5);  // open, join, contribution, leave, close
}

TEST_F(RulesTest, RecordsByNonMembersUnknownTypesAndBadBodiesHaveNoEffect) {
  found(2);
  std::uint64_t before = feed_size();
  h.write(c, "request", {{"title", "t"}, {"body", ""}, {"tags", json::array()}}, 4 * day);
  h.write(a, "poll.create", {{"question", "?"}}, 4 * day);
  h.write(a, "request", {{"title", "t"}, {"body", ""}, {"tags", json::array()}, {"extra", 1}},
          4 * day);
  EXPECT_EQ(feed_size(), before);
}

TEST_F(RulesTest, AForkedMembersRecordsFromTheForkPointHaveNoEffect) {
  found(2);
  h.write(b, "request", {{"title", "kept"}, {"body", ""}, {"tags", json::array()}}, 4 * day);
  record forked =
      h.write(b, "request", {{"title", "dropped"}, {"body", ""}, {"tags", json::array()}}, 5 * day);
  state st(h.community);
  st.set_fork(b.id(), {forked.seq, forked.lamport});
  for (const auto& r : h.records) st.apply(r);
  ASSERT_EQ(st.requests.size(), 1u);
  EXPECT_EQ(st.requests[0].title, "kept");
  EXPECT_EQ(members_view(st)["members"][1]["status"], "forked");
  EXPECT_EQ(balance_view(st)["members"].size(), 1u);  // a forked member is not counted
}

}  // namespace
}  // namespace zwerm::node::community

namespace zwerm::node::community {
namespace {

TEST_F(RulesTest, AdmissionHelpersForTheTransport) {
  h.genesis(a);
  std::string raw(32, 'q');
  invite_token token;
  ASSERT_TRUE(invite_token::from(raw, &token));
  record inv = h.write(
      a, "member.invite",
      {{"token_hash", text(crypto::blake2b256(raw))}, {"note", ""}, {"expires_ts", 10 * day}},
      2 * day);
  EXPECT_TRUE(run().is_active_member(a.id()));
  EXPECT_FALSE(s->is_active_member(b.id()));
  EXPECT_EQ(s->find_token_invite(token, 3 * day), inv.id);
  EXPECT_FALSE(s->find_token_invite(token, 11 * day).has_value());  // expired
  invite_token other;
  ASSERT_TRUE(invite_token::from(std::string(32, 'x'), &other));
  EXPECT_FALSE(s->find_token_invite(other, 3 * day).has_value());
  h.write(b, "member.join", {{"invite", text(inv.id)}, {"token", crypto::base64url_encode(raw)}},
          3 * day);
  EXPECT_TRUE(run().is_active_member(b.id()));
  EXPECT_FALSE(s->find_token_invite(token, 3 * day).has_value());  // used
}

// state::dry_run: the one owner of "would this record count, and if not why" (the RPC layer
// asks it before a member's node writes a record).
class DryRunTest : public RulesTest {
 protected:
  // What the state answers for the author's next record, which is then forgotten (not kept in
  // the history, the author's feed as before).
  std::optional<std::string> would(test_member& m, std::string_view type, json body,
                                   std::int64_t ts) {
    run();
    const test_member before = m;
    const std::uint64_t max_lamport = h.max_lamport;
    record r = h.write(m, type, body, ts);
    h.records.pop_back();
    m = before;
    h.max_lamport = max_lamport;
    return s->dry_run(r);
  }
};

TEST_F(DryRunTest, AnEndorsementOfAnExpiredProposalSaysWhenItExpired) {
  found(3);
  const record p =
      propose(a, {{"action", "agreement"}, {"text", "x"}, {"supersedes", nullptr}}, 5 * day);
  run();
  const auto applied = s->applied();
  const auto head = s->head();
  const auto feed = s->feed.size();
  const auto why = would(b, "endorse", {{"proposal", text(p.id)}}, 5 * day + 30 * day + 3 * day);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "the proposal expired 3 days ago");
  // Nothing of the try stays: the state is as before, and the same endorsement in time counts.
  EXPECT_EQ(s->applied(), applied);
  EXPECT_EQ(s->head(), head);
  EXPECT_EQ(s->feed.size(), feed);
  EXPECT_EQ(s->proposals[s->proposal_index.at(p.id)].endorsers.size(), 1u);
  EXPECT_FALSE(would(b, "endorse", {{"proposal", text(p.id)}}, 6 * day).has_value());
  EXPECT_EQ(s->proposals[s->proposal_index.at(p.id)].status, proposal_status::open);
  endorse(b, p, 6 * day);
  EXPECT_EQ(proposal_state(p), proposal_status::adopted);
}

TEST_F(DryRunTest, ARemovalOfAMemberWhoLeftIsRefusedWithTheReason) {
  found(3);
  h.write(c, "member.leave", {{"reason", "moving"}}, 4 * day);
  const auto why = would(a, "proposal",
                         {{"action", "remove"}, {"member", c.text()}, {"reason", "gone"}}, 5 * day);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "the member it names is no longer in the community");
}

TEST_F(DryRunTest, EachRuleNamesItsReason) {
  found(2);
  const record mine = contribute(a);
  EXPECT_EQ(would(a, "thanks", {{"contribution", text(mine.id)}, {"note", ""}}, 5 * day),
            "nobody can thank themselves for their own contribution");
  thank(b, mine);
  EXPECT_EQ(would(b, "thanks", {{"contribution", text(mine.id)}, {"note", ""}}, 6 * day),
            "the author already thanked this contribution");
  EXPECT_EQ(would(c, "request", {{"title", "t"}, {"body", ""}, {"tags", json::array()}}, 6 * day),
            "the author is not an active member");
  EXPECT_EQ(would(b, "steward.handover", {{"to", a.text()}}, 6 * day),
            "only the steward hands over stewardship");
  EXPECT_FALSE(would(a, "steward.handover", {{"to", b.text()}}, 6 * day).has_value());
}

}  // namespace
}  // namespace zwerm::node::community
