#include "base/feed_chain.hpp"

#include "base/base64url.hpp"

namespace zwerm {

namespace {
chain_check verdict(chain_verdict v, std::string message) {
  return {v, std::move(message)};
}
std::string num(std::uint64_t n) {
  return std::to_string(n);
}
}  // namespace

const char* to_string(chain_verdict v) {
  switch (v) {
    case chain_verdict::next:
      return "next";
    case chain_verdict::duplicate:
      return "duplicate";
    case chain_verdict::conflict:
      return "conflict";
    case chain_verdict::needs_lookup:
      return "needs_lookup";
    case chain_verdict::gap:
      return "gap";
    case chain_verdict::wrong_prev:
      return "wrong_prev";
    case chain_verdict::seq_prev_mismatch:
      return "seq_prev_mismatch";
    case chain_verdict::lamport_not_increasing:
      return "lamport_not_increasing";
  }
  return "unknown";
}

std::string seq_prev_problem(const feed_link& r) {
  if (r.seq == 0) return "seq must be at least 1";
  if (r.seq == 1 && r.prev) return "record with seq 1 has a prev id";
  if (r.seq != 1 && !r.prev) return "record with seq " + num(r.seq) + " has no prev id";
  return {};
}

chain_check check_chain(const feed_link& r, const std::optional<feed_head>& head,
                        const std::optional<record_id>& held_at_seq) {
  if (auto why = seq_prev_problem(r); !why.empty()) {
    return verdict(chain_verdict::seq_prev_mismatch, std::move(why));
  }
  const std::uint64_t head_seq = head ? head->seq : 0;
  if (r.seq <= head_seq) {
    std::optional<record_id> held = r.seq == head_seq ? std::optional(head->id) : held_at_seq;
    if (!held) {
      return verdict(chain_verdict::needs_lookup, "record with seq " + num(r.seq) +
                                                      " is below the feed head " + num(head_seq) +
                                                      "; look up the record held at that seq");
    }
    if (*held == r.id) return {chain_verdict::duplicate, {}};
    return verdict(chain_verdict::conflict, "another record is held at seq " + num(r.seq) +
                                                " of this feed (" + crypto::to_text(*held) +
                                                "): the author forked the feed");
  }
  if (r.seq > head_seq + 1) {
    return verdict(chain_verdict::gap, "record with seq " + num(r.seq) + " is past the feed head " +
                                           num(head_seq) + "; it waits until seq " +
                                           num(head_seq + 1) + " arrives");
  }
  if (head) {  // r.seq == head_seq + 1 > 1
    if (*r.prev != head->id) {
      return verdict(chain_verdict::wrong_prev, "wrong prev: record with seq " + num(r.seq) +
                                                    " names prev " + crypto::to_text(*r.prev) +
                                                    " but the record at seq " + num(head_seq) +
                                                    " is " + crypto::to_text(head->id));
    }
    if (r.lamport <= head->lamport) {
      return verdict(chain_verdict::lamport_not_increasing,
                     "record with seq " + num(r.seq) + " has lamport " + num(r.lamport) +
                         ", not greater than its prev's " + num(head->lamport));
    }
  }
  return {chain_verdict::next, {}};
}

}  // namespace zwerm
