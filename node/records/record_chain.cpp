#include "node/records/record_chain.hpp"

#include "node/records/record_scan.hpp"

namespace zwerm::node {

chain_check check_chain(const record& r, const std::optional<feed_head>& head,
                        const std::optional<record_id>& held_at_seq) {
  return zwerm::check_chain({r.seq, r.prev, r.lamport, r.id}, head, held_at_seq);
}

std::uint64_t next_lamport(std::uint64_t max_seen) {
  if (max_seen >= static_cast<std::uint64_t>(max_json_integer)) return 0;
  return max_seen + 1;
}

}  // namespace zwerm::node
