#include "cli/render.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "cli/format.hpp"
#include "cli/table_layout.hpp"

namespace zwerm::cli {
namespace {

using json = nlohmann::json;
using names_map = std::map<std::string, std::string, std::less<>>;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool looks_like_id(std::string_view s) {
  if (s.size() != 43) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string label(std::string_view key) {
  if (key == "member_id_") return "member";
  if (key == "active_endorsers") return "endorsed";  // a count; "endorsers" lists them
  std::string_view k = ends_with(key, "_ts") ? key.substr(0, key.size() - 3) : key;
  std::string out(k);
  for (char& c : out) {
    if (c == '_') c = ' ';
  }
  return out;
}

// Collects id -> name pairs wherever a result states them.
void collect_names(const json& v, names_map& names) {
  if (v.is_object()) {
    if (auto n = v.find("names"); n != v.end() && n->is_object()) {
      for (const auto& [id, name] : n->items()) {
        if (name.is_string() && !name.get_ref<const std::string&>().empty()) {
          names.emplace(id, name.get<std::string>());
        }
      }
    }
    auto name = v.find("name");
    if (name != v.end() && name->is_string() && !name->get_ref<const std::string&>().empty()) {
      for (const char* id_key : {"id", "member", "member_id"}) {
        auto id = v.find(id_key);
        if (id != v.end() && id->is_string() && looks_like_id(id->get_ref<const std::string&>())) {
          names.emplace(id->get<std::string>(), name->get<std::string>());
          break;
        }
      }
    }
    for (const auto& [key, child] : v.items()) {
      if (key != "names") collect_names(child, names);
    }
  } else if (v.is_array()) {
    for (const auto& child : v) collect_names(child, names);
  }
}

std::string scalar_text(std::string_view key, const json& v, const names_map& names,
                        std::int64_t now) {
  if (v.is_null()) return "-";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  // A week reads as the date it starts on: "2 mo ago" would name four weeks alike.
  if (v.is_number_integer() && ends_with(key, "week_start_ts")) {
    return utc_date(v.get<std::int64_t>());
  }
  if (v.is_number_integer() && (ends_with(key, "_ts") || key == "ts")) {
    return v.get<std::int64_t>() > 0 ? relative_time(v.get<std::int64_t>(), now) : "-";
  }
  if (v.is_number_float()) return short_number(v.get<double>());
  if (v.is_number()) return v.dump();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (looks_like_id(s)) {
      // The row's own id stays an id even when the row carries a name.
      if (key != "id" && key != "member_id_") {
        if (auto it = names.find(s); it != names.end()) return it->second;
      }
      return s.substr(0, 8);
    }
    std::string one_line = s;
    for (char& c : one_line) {
      if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    }
    return one_line;
  }
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) {
      if (!out.empty()) out += ", ";
      out += item.is_structured() ? item.dump() : scalar_text(key, item, names, now);
    }
    return out.empty() ? "-" : out;
  }
  return v.dump();
}

bool is_table(const json& v) {
  if (!v.is_array() || v.empty()) return false;
  for (const auto& item : v) {
    if (!item.is_object()) return false;
  }
  return true;
}

bool is_flexible(std::string_view key) {
  return key == "title" || key == "text" || key == "body" || key == "purpose" || key == "note" ||
         key == "about" || key == "skills" || key == "tags" || key == "reason" || key == "name" ||
         key == "what" || key == "author" || key == "proposed_by" || key == "opened_by";
}

std::string string_field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The name of a member reference ({id, name} or an id), or its short id.
std::string member_text(const json& v, const names_map& names) {
  std::string id = v.is_object()   ? string_field(v, "id")
                   : v.is_string() ? v.get<std::string>()
                                   : "";
  std::string name = v.is_object() ? string_field(v, "name") : "";
  if (name.empty()) {
    if (auto it = names.find(id); it != names.end()) name = it->second;
  }
  if (!name.empty()) return name;
  return looks_like_id(id) ? id.substr(0, 8) : id;
}

// What a feed entry is about, in one text: a title, a text, a name; a thanks names the
// contribution thanked (as the node describes it in "thanked") and the note.
std::string feed_what(const json& row, const json& body, const names_map& names) {
  const std::string type = string_field(row, "type");
  if (type == "thanks") {
    std::string out = "for ";
    auto thanked = row.find("thanked");
    if (thanked != row.end() && thanked->is_object()) {
      const std::string title = string_field(*thanked, "title");
      out += title.empty() ? "a contribution" : "\"" + title + "\"";
      if (auto a = thanked->find("author"); a != thanked->end()) {
        out += " by " + member_text(*a, names);
      }
    } else {
      const std::string id = string_field(body, "contribution");
      out += "contribution " + (looks_like_id(id) ? id.substr(0, 8) : id);
    }
    const std::string note = string_field(body, "note");
    if (!note.empty()) out += ": " + note;
    return out;
  }
  if (type == "proposal") {
    const std::string text = string_field(body, "text");
    const std::string action = string_field(body, "action");
    if (!text.empty()) return action + ": " + text;
    if (body.contains("member")) return action + " " + member_text(body["member"], names);
    return action;
  }
  if (type == "endorse") {
    const std::string id = string_field(body, "proposal");
    return "proposal " + (looks_like_id(id) ? id.substr(0, 8) : id);
  }
  // circle.join, circle.leave, circle.close: which circle (the circle column may be left out).
  if (type.starts_with("circle.") && body.contains("circle")) {
    const std::string id = string_field(body, "circle");
    return "circle " + (looks_like_id(id) ? id.substr(0, 8) : id);
  }
  if (type == "steward.handover" && body.contains("to")) {
    return "to " + member_text(body["to"], names);
  }
  const std::string name = string_field(body, "name");
  const std::string purpose = string_field(body, "purpose");
  if (!name.empty() && !purpose.empty()) return name + ": " + purpose;
  for (const char* key : {"title", "text", "name", "reason", "note", "about"}) {
    std::string v = string_field(body, key);
    if (!v.empty()) return v;
  }
  return "";
}

// Makes a row printable: a nested author/member object becomes its name (or id), a feed
// entry's body becomes one "what" column, and bookkeeping numbers people do not read are
// dropped. A row about one member (a "member" id) shows a name column and keeps the id in its
// own column, as a row's "id" does: names in one column, ids in the other, never mixed. A
// proposal without a text (remove, steward, dissolve) reads as its action and member; an
// adopted one shows no expiry (the node states when it would have expired).
json flatten_row(const json& row, const names_map& names) {
  json out = json::object();
  if (auto m = row.find("member");
      m != row.end() && m->is_string() && looks_like_id(m->get_ref<const std::string&>())) {
    const std::string& id = m->get_ref<const std::string&>();
    std::string name = row.value("name", std::string());
    if (name.empty()) {
      if (auto it = names.find(id); it != names.end()) name = it->second;
    }
    out["name"] = name.empty() ? "-" : name;
    out["member_id_"] = id;
  }
  const bool proposal = row.contains("action") && row.contains("endorsers");
  for (const auto& [key, v] : row.items()) {
    if (key == "lamport" || key == "seq" || key == "address" || key == "thanked") continue;
    if (out.contains("member_id_") && (key == "member" || key == "name")) continue;
    if (key == "body") {
      out["what"] = v.is_object() ? feed_what(row, v, names) : "";
    } else if (proposal && key == "member") {
      continue;  // part of the text below
    } else if (proposal && key == "expires_ts" && row.value("status", "") == "adopted") {
      out[key] = nullptr;  // an adopted proposal does not expire ("-")
    } else if (v.is_object() && (v.contains("name") || v.contains("id"))) {
      const std::string name = v.value("name", std::string());
      out[key] = name.empty() ? v.value("id", std::string()) : name;
    } else {
      out[key] = v;
    }
  }
  if (proposal && !out.contains("text")) {
    std::string what = string_field(row, "action");
    if (auto m = row.find("member"); m != row.end()) what += " " + member_text(*m, names);
    out["text"] = what;
  }
  return out;
}

// Columns people look for first; the rest follow in the order the node sent them.
int column_rank(std::string_view key) {
  static constexpr std::string_view order[] = {
      "week_start_ts", "name",   "ts",     "type",  "author", "title", "text",  "what",
      "action",        "status", "skills", "given", "taken",  "flags", "score", "last_active_ts"};
  for (std::size_t i = 0; i < std::size(order); ++i) {
    if (order[i] == key) return static_cast<int>(i);
  }
  return key == "id" || key == "member_id_" ? 1000 : 100;
}

// `field` is the name the result gives the table ("requests"), which picks its layout.
std::string render_rows(const json& raw_rows, std::string_view field, const names_map& names,
                        std::int64_t now, std::size_t width) {
  json rows = json::array();
  for (const auto& row : raw_rows) rows.push_back(flatten_row(row, names));
  std::vector<std::string> keys;
  for (const auto& row : rows) {
    for (const auto& [key, v] : row.items()) {
      if (v.is_object() || is_table(v)) continue;
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  std::stable_sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
    return column_rank(a) < column_rank(b);
  });
  const table_layout* layout = layout_of(field);
  if (layout && std::find(keys.begin(), keys.end(), layout->main) == keys.end()) layout = nullptr;
  std::vector<table::column> columns;
  for (const auto& k : keys) {
    table::column c{label(k), is_flexible(k), false};
    if (layout) {
      c.main = k == layout->main;
      c.wrap = c.main && layout->wrap;
      c.keep = keep_rank(*layout, k == "member_id_" ? "id" : k);
      if (keeps_whole(*layout, k)) c.flexible = false;
    }
    columns.push_back(std::move(c));
  }
  table t(columns);
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (const auto& k : keys) {
      cells.push_back(row.contains(k) ? scalar_text(k, row[k], names, now) : "");
    }
    t.add_row(std::move(cells));
  }
  return t.render(width);
}

// One "label: value" line per field, the values aligned; a value too long for the line
// continues on the next ones, under itself (a detail view cuts nothing).
void render_lines(const std::vector<std::pair<std::string, std::string>>& lines, std::size_t width,
                  std::string& out) {
  std::size_t label_width = 0;
  for (const auto& [l, text] : lines) label_width = std::max(label_width, display_width(l));
  const std::size_t indent = label_width + 2;
  const std::size_t room = width > indent + 20 ? width - indent : 20;
  for (const auto& [l, text] : lines) {
    out += l + ":" + std::string(label_width - display_width(l) + 1, ' ');
    const auto wrapped = wrap_text(text, room);
    for (std::size_t i = 0; i < wrapped.size(); ++i) {
      if (i > 0) out += std::string(indent, ' ');
      out += wrapped[i] + "\n";
    }
  }
}

// The "label: value" lines of an object and of the objects nested in it ("policy.quorum pct",
// after the object's own lines), and its tables, in the order they are printed.
struct object_parts {
  std::vector<std::pair<std::string, std::string>> lines;
  std::vector<std::pair<std::string, const json*>> tables;
};

void collect_object(const json& obj, const std::string& prefix, const names_map& names,
                    std::int64_t now, object_parts& parts) {
  std::vector<std::pair<std::string, const json*>> nested;
  for (const auto& [key, v] : obj.items()) {
    if (key == "names" && prefix.empty()) continue;
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    // "created": true and "created_ts" make one line, "created: 3 h ago"; when false the
    // line reads "dissolved: no" and the empty time is not shown.
    if (ends_with(key, "_ts")) {
      auto flag = obj.find(key.substr(0, key.size() - 3));
      if (flag != obj.end() && flag->is_boolean()) continue;
    }
    if (v.is_boolean()) {
      auto ts = obj.find(key + "_ts");
      if (ts != obj.end() && ts->is_number_integer() && v.get<bool>()) {
        parts.lines.emplace_back(label(name), scalar_text(key + "_ts", *ts, names, now));
        continue;
      }
    }
    if (is_table(v)) {
      parts.tables.emplace_back(name, &v);
    } else if (v.is_object() && v.contains("id") && v.contains("name") && v.size() == 2) {
      // A member reference, {id, name}: one line, "steward: Ada (Ada4kQ11)".
      const std::string id = v["id"].is_string() ? v["id"].get<std::string>() : v["id"].dump();
      const std::string who = v["name"].is_string() ? v["name"].get<std::string>() : "";
      const std::string short_id = looks_like_id(id) ? id.substr(0, 8) : id;
      parts.lines.emplace_back(label(name), who.empty() ? short_id : who + " (" + short_id + ")");
    } else if (v.is_object()) {
      nested.emplace_back(name, &v);
    } else {
      parts.lines.emplace_back(label(name), scalar_text(key, v, names, now));
    }
  }
  for (const auto& [name, v] : nested) collect_object(*v, name, names, now, parts);
}

// The lines of an object and its nested objects as one aligned block, then its tables.
void render_object(const json& obj, const names_map& names, std::int64_t now, std::size_t width,
                   std::string& out) {
  object_parts parts;
  collect_object(obj, "", names, now, parts);
  render_lines(parts.lines, width, out);
  for (const auto& [name, v] : parts.tables) {
    out += "\n" + label(name) + " (" + std::to_string(v->size()) + "):\n";
    const auto dot = name.rfind('.');
    out +=
        render_rows(*v, dot == std::string::npos ? name : name.substr(dot + 1), names, now, width);
  }
}

}  // namespace

std::string render_generic(const json& result, std::int64_t now_ms, std::size_t width) {
  names_map names;
  collect_names(result, names);
  std::string out;
  if (is_table(result)) return render_rows(result, "", names, now_ms, width);
  if (!result.is_object()) return scalar_text("", result, names, now_ms) + "\n";
  render_object(result, names, now_ms, width, out);
  if (out.empty()) out = "(nothing)\n";
  return out;
}

std::string render_status(const json& r, std::int64_t now_ms, std::size_t width) {
  std::string out;
  auto str = [&](const char* key) {
    auto it = r.find(key);
    return it != r.end() && it->is_string() ? it->get<std::string>() : std::string("-");
  };
  std::string name = str("name");
  out +=
      "node      " + str("node_id") + (name.empty() || name == "-" ? "" : " (" + name + ")") + "\n";
  out += "version   zwermd " + str("version") + ", pid " + r.value("pid", json(0)).dump() + "\n";
  if (auto it = r.find("started_ts"); it != r.end() && it->is_number_integer()) {
    out += "running   since " + relative_time(it->get<std::int64_t>(), now_ms) + "\n";
  }
  out += "home      " + str("home") + "\n";
  out += "listen    " + str("listen") + "\n";
  names_map names;
  collect_names(r, names);
  if (auto c = r.find("communities"); c != r.end() && c->is_array()) {
    out += "\ncommunities (" + std::to_string(c->size()) + "):\n";
    if (!c->empty()) out += render_rows(*c, "communities", names, now_ms, width);
  }
  if (auto p = r.find("peers"); p != r.end() && p->is_array()) {
    out += "\npeers (" + std::to_string(p->size()) + "):\n";
    if (!p->empty()) out += render_rows(*p, "peers", names, now_ms, width);
  }
  // Per member feed: how far this node is behind the best head its peers know of.
  if (auto lag = r.find("lag"); lag != r.end() && lag->is_array()) {
    json behind = json::array();
    for (const auto& row : *lag) {
      if (row.is_object() && row.value("behind", 0) > 0) behind.push_back(row);
    }
    if (behind.empty()) {
      out += "\nfeeds: up to date with every connected peer\n";
    } else {
      out += "\nbehind (" + std::to_string(behind.size()) + " feeds):\n";
      out += render_rows(behind, "lag", names, now_ms, width);
    }
  }
  // This member's own feed, where writes wait for it (a restored or copied home).
  if (auto sync = r.find("sync"); sync != r.end() && sync->is_array()) {
    for (const auto& row : *sync) {
      if (!row.is_object() || !row.contains("own_feed") || !row["own_feed"].is_object()) continue;
      const json& own = row["own_feed"];
      const std::string state = own.value("state", std::string("ok"));
      if (state == "ok") continue;
      const std::string community = row.value("community", std::string("?"));
      const std::string have = std::to_string(own.value("have_seq", std::uint64_t{0}));
      if (state == "restored") {
        out += "\nwrites wait in " + community +
               ": restored from a backup; waiting for a member's node to confirm your own "
               "feed (this node holds it up to record " +
               have + ")\n";
      } else {
        out += "\nwrites wait in " + community + ": your own feed is behind a peer's (record " +
               have + " of " + std::to_string(own.value("peer_seq", std::uint64_t{0})) +
               "); catching up\n";
      }
    }
  }
  if (auto na = r.find("not_available"); na != r.end() && na->is_array() && !na->empty()) {
    out += "\nnot in this build yet:\n";
    for (const auto& item : *na) {
      out += "  " + item.value("field", std::string("?")) + " (needs " +
             item.value("needs", std::string("?")) + ")\n";
    }
  }
  return out;
}

std::string render_notification(const std::string& method, const json& params,
                                std::int64_t now_ms) {
  names_map names;
  collect_names(params, names);
  std::string out = method;
  if (params.is_object()) {
    for (const auto& [key, v] : params.items()) {
      if (v.is_structured() && !v.is_array()) continue;
      out += "  " + label(key) + "=" + scalar_text(key, v, names, now_ms);
    }
  }
  return fit_width(out, 200) + "\n";
}

}  // namespace zwerm::cli
