#include "node/community/views/view_util.hpp"

#include <algorithm>

namespace zwerm::node::community {

std::string_view status_word(const state& s, index m) {
  const member_info& info = s.members[m];
  if (s.forks().count(info.id)) return "forked";
  switch (info.status) {
    case member_status::active:
      return "active";
    case member_status::left:
      return "left";
    case member_status::removed:
      return "removed";
  }
  return "left";
}

bool counts_as_active(const state& s, index m) {
  return s.members[m].status == member_status::active && !s.forks().count(s.members[m].id);
}

nlohmann::json member_ref(const state& s, index m) {
  return {{"id", text(s.members[m].id)}, {"name", s.members[m].name}};
}

nlohmann::json member_id_or_null(const state& s, index m) {
  if (m == no_index) return nullptr;
  return text(s.members[m].id);
}

std::size_t clamp_limit(std::size_t limit) {
  return std::clamp<std::size_t>(limit, 1, 500);
}

}  // namespace zwerm::node::community
