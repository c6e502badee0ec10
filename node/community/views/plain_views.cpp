// The table of plain views (views.hpp): each row names the contract's method and the function
// that answers it. A new view adds its row here.
#include <array>

#include "node/community/views.hpp"

namespace zwerm::node::community {
namespace {

// ties: the thanks graph's figures; with `graph`, also its nodes and edges for pictures.
nlohmann::json ties(const state& s, const view_request& r) {
  nlohmann::json v = ties_view(s);
  if (r.flag("graph", false)) v["graph"] = ties_graph_view(s);
  return v;
}

constexpr std::array views = {
    plain_view{"ties", ties},
};

}  // namespace

bool view_request::flag(std::string_view key, bool fallback) const {
  auto it = params.find(key);
  return it == params.end() || !it->is_boolean() ? fallback : it->get<bool>();
}

std::int64_t view_request::integer(std::string_view key, std::int64_t fallback) const {
  auto it = params.find(key);
  return it == params.end() || !it->is_number_integer() ? fallback : it->get<std::int64_t>();
}

std::span<const plain_view> plain_views() {
  return views;
}

const plain_view* find_plain_view(std::string_view name) {
  for (const plain_view& v : views) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

}  // namespace zwerm::node::community
