#include "node/community/views.hpp"
#include "node/community/views/view_util.hpp"

namespace zwerm::node::community {

nlohmann::json balance_view(const state& s) {
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json only_takes = nlohmann::json::array();
  nlohmann::json carries = nlohmann::json::array();
  std::uint64_t total = 0;
  for (index m = 0; m < s.members.size(); ++m) {
    if (!counts_as_active(s, m)) continue;
    const member_info& info = s.members[m];
    bool takes = info.taken >= only_takes_min_taken && info.given == 0;
    bool carry = info.given >= carries_min_given && info.given >= 2 * info.taken;
    total += info.given;
    nlohmann::json flags = nlohmann::json::array();
    if (takes) {
      flags.push_back("only_takes");
      only_takes.push_back(text(info.id));
    }
    if (carry) {
      flags.push_back("carries");
      carries.push_back(text(info.id));
    }
    list.push_back({{"id", text(info.id)},
                    {"name", info.name},
                    {"given", info.given},
                    {"taken", info.taken},
                    {"flags", std::move(flags)}});
  }
  return {{"members", std::move(list)},
          {"only_takes", std::move(only_takes)},
          {"carries", std::move(carries)},
          {"thanks_between_active", total}};
}

}  // namespace zwerm::node::community
