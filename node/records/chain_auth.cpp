#include "node/records/chain_auth.hpp"

#include "node/records/record_parse.hpp"

namespace zwerm::node {

bool chains_to(const record& r, const record& next) {
  return next.seq == r.seq + 1 && next.author == r.author && next.community == r.community &&
         next.prev && *next.prev == r.id;
}

std::vector<signature_run> plan_signature_checks(std::span<record_result<record>> parsed) {
  std::vector<signature_run> runs;
  bool open = false;  // whether runs.back() is still growing
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!parsed[i]) {
      open = false;
      continue;
    }
    record& r = *parsed[i];
    r.signature_vouched = i + 1 < parsed.size() && parsed[i + 1] && chains_to(r, *parsed[i + 1]);
    if (!open) runs.push_back({i, i});
    runs.back().last = i;
    open = r.signature_vouched;
  }
  return runs;
}

std::size_t check_run(std::span<record_result<record>> parsed, const signature_run& run) {
  auto& last = parsed[run.last];
  if (!last) return 0;
  if (signature_valid(*last)) return 1;
  for (std::size_t i = run.first; i < run.last; ++i) {
    auto& r = parsed[i];
    if (!r) continue;
    if (signature_valid(*r)) {
      r->signature_vouched = false;
    } else {
      r = bad_signature_rejection(*r);
    }
  }
  last = bad_signature_rejection(*last);
  return 1 + (run.last - run.first);
}

}  // namespace zwerm::node
