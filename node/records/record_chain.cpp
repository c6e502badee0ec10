#include "node/records/record_chain.hpp"

#include "base/base64url.hpp"
#include "node/records/record_scan.hpp"

namespace zwerm::node {

namespace {
chain_check verdict(chain_verdict v, std::string message) {
  return {v, std::move(message)};
}
std::string num(std::uint64_t n) {
  return std::to_string(n);
}
}  // namespace

chain_check check_chain(const record& r, const std::optional<feed_head>& head,
                        const std::optional<record_id>& held_at_seq) {
  // Parsed records already satisfy this; records built by hand may not.
  if (r.seq == 1 && r.prev) {
    return verdict(chain_verdict::seq_prev_mismatch, "record with seq 1 has a prev id");
  }
  if (r.seq != 1 && !r.prev) {
    return verdict(chain_verdict::seq_prev_mismatch,
                   "record with seq " + num(r.seq) + " has no prev id");
  }
  std::uint64_t head_seq = head ? head->seq : 0;
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
      return verdict(chain_verdict::wrong_prev, "record with seq " + num(r.seq) + " names prev " +
                                                    crypto::to_text(*r.prev) +
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

std::uint64_t next_lamport(std::uint64_t max_seen) {
  if (max_seen >= static_cast<std::uint64_t>(max_json_integer)) return 0;
  return max_seen + 1;
}

}  // namespace zwerm::node
