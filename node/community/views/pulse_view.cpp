#include <algorithm>

#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json pulse_view(const state& s, std::int64_t now_ts, std::size_t count) {
  const std::int64_t current = state::week_of(now_ts);
  const auto shown = static_cast<std::int64_t>(std::clamp<std::size_t>(count, 1, max_pulse_weeks));
  nlohmann::json weeks = nlohmann::json::array();
  std::uint64_t last4 = 0, before8 = 0;
  for (std::int64_t w = current - 11; w <= current; ++w) {
    auto it = s.weeks.find(w);
    if (it != s.weeks.end()) (w > current - 4 ? last4 : before8) += it->second.records;
  }
  for (std::int64_t w = current - shown + 1; w <= current; ++w) {
    std::uint64_t records = 0, members = 0;
    auto it = s.weeks.find(w);
    if (it != s.weeks.end()) {
      records = it->second.records;
      members = it->second.authors;
    }
    weeks.push_back({{"week_start_ts", w * week_ms - 3 * day_ms},
                     {"records", records},
                     {"active_members", members}});
  }
  // Fading: the last 4 weeks hold fewer than half the records of the 8 weeks before them.
  bool fading = before8 > 0 && 2 * last4 < before8;
  return {{"weeks", std::move(weeks)},
          {"records_last_4_weeks", last4},
          {"records_8_weeks_before", before8},
          {"fading", fading}};
}

}  // namespace zwerm::node::community
