// The JSON-RPC contract, three ways at once: the shared header (node/rpc_contract/contract.hpp),
// docs/RPC.md and two running zwermd processes. The doc is read as data: each method section
// ("### `name`") with its params table and its result table. The test then
//   - requires the header, the doc and the daemon's `methods` to list the same methods, and the
//     doc's params tables to match the header's param specs (name, type, required);
//   - calls every method successfully and checks its result against the doc's table (every
//     documented field present with its type, no undocumented field);
//   - sends every method malformed params (params not an object, each param of a wrong type,
//     each required param missing) and an unknown method, expecting the documented codes;
//   - checks the framing errors (not JSON, a batch, no "jsonrpc") and that a request without an
//     id gets no answer.
// A method added to the contract without a doc section and a call here fails the test.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "node/rpc_contract/contract.hpp"
#include "tests/e2e/node_harness.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;
namespace rc = zwerm::rpc_contract;
namespace method = rc::method;
namespace param = rc::param;

// ---- docs/RPC.md as data -------------------------------------------------------------------

struct doc_param {
  std::string type;
  bool required = false;
};
struct doc_field {
  std::vector<std::string> types;  // "string", "integer", "array of strings", ...
  bool optional = false;
};
struct doc_method {
  std::map<std::string, doc_param> params;
  std::map<std::string, doc_field> fields;  // path -> field ("a", "a[].b", "a.b")
  std::map<std::string, doc_field> notification;
};

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The cells of a table row "| a | b | c |".
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      out.push_back(trim(cell));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return out;
}

std::string unquote(const std::string& cell) {
  if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`') {
    return cell.substr(1, cell.size() - 2);
  }
  return cell;
}

doc_field parse_type(std::string cell) {
  doc_field f;
  const std::string opt = ", optional";
  if (cell.size() > opt.size() && cell.ends_with(opt)) {
    f.optional = true;
    cell.resize(cell.size() - opt.size());
  }
  std::size_t at = 0;
  while (true) {
    const auto next = cell.find(" or ", at);
    f.types.push_back(trim(cell.substr(at, next == std::string::npos ? next : next - at)));
    if (next == std::string::npos) break;
    at = next + 4;
  }
  return f;
}

std::map<std::string, doc_method> read_doc() {
  std::ifstream in(std::string(ZWERM_SOURCE_DIR) + "/docs/RPC.md");
  if (!in) throw std::runtime_error("cannot read docs/RPC.md");
  std::map<std::string, doc_method> out;
  doc_method* current = nullptr;
  enum { none, params, fields, notification } table = none;
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      current = nullptr;
      continue;
    }
    if (line.starts_with("### `")) {
      const std::string name = unquote(trim(line.substr(4)));
      if (out.contains(name)) throw std::runtime_error("two sections for " + name);
      current = &out[name];
      continue;
    }
    if (!current || !line.starts_with("|")) {
      table = none;
      continue;
    }
    const auto c = cells(line);
    if (c.empty() || c[0].starts_with("---")) continue;
    if (c[0] == "param") {
      table = params;
    } else if (c[0] == "field") {
      table = fields;
    } else if (c[0] == "notification field") {
      table = notification;
    } else if (table == params && c.size() >= 3) {
      current->params[unquote(c[0])] = doc_param{c[1], c[2] == "yes"};
    } else if (table == fields && c.size() >= 2) {
      current->fields[unquote(c[0])] = parse_type(c[1]);
    } else if (table == notification && c.size() >= 2) {
      current->notification[unquote(c[0])] = parse_type(c[1]);
    }
  }
  return out;
}

bool has_type(const json& v, const std::string& t) {
  if (t == "string") return v.is_string();
  if (t == "integer") return v.is_number_integer();
  if (t == "number") return v.is_number();
  if (t == "boolean") return v.is_boolean();
  if (t == "object") return v.is_object();
  if (t == "null") return v.is_null();
  if (t == "array") return v.is_array();
  auto all = [&](auto pred) { return v.is_array() && std::all_of(v.begin(), v.end(), pred); };
  if (t == "array of strings") return all([](const json& e) { return e.is_string(); });
  if (t == "array of integers") return all([](const json& e) { return e.is_number_integer(); });
  if (t == "array of objects") return all([](const json& e) { return e.is_object(); });
  ADD_FAILURE() << "docs/RPC.md names an unknown type '" << t << "'";
  return false;
}

// Checks `v` (found at `path`, "" for the result itself) against the documented fields: every
// documented child present (unless optional) with one of its types, no undocumented child.
void check_shape(const std::string& where, const std::map<std::string, doc_field>& doc,
                 const json& v, const std::string& prefix) {
  if (!v.is_object()) return;
  bool documented_children = false;
  for (const auto& [path, f] : doc) {
    if (!path.starts_with(prefix)) continue;
    const std::string rest = path.substr(prefix.size());
    if (rest.find('.') != std::string::npos || rest.find("[]") != std::string::npos) continue;
    documented_children = true;
    auto it = v.find(rest);
    if (it == v.end()) {
      EXPECT_TRUE(f.optional) << where << ": the result lacks documented field " << path;
      continue;
    }
    bool ok = false;
    for (const auto& t : f.types) ok = ok || has_type(*it, t);
    EXPECT_TRUE(ok) << where << ": field " << path << " is " << it->dump()
                    << ", not of its documented type";
  }
  if (!documented_children) return;
  for (const auto& [key, child] : v.items()) {
    EXPECT_TRUE(doc.contains(prefix + key))
        << where << ": field " << prefix + key << " is not in docs/RPC.md";
    if (child.is_object()) check_shape(where, doc, child, prefix + key + ".");
    if (child.is_array()) {
      for (const auto& e : child) check_shape(where, doc, e, prefix + key + "[].");
    }
  }
}

// ---- a raw JSON-RPC client ---------------------------------------------------------------------

class raw_client {
 public:
  explicit raw_client(const node_harness& n) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = (n.home() / "zwermd.sock").string();
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot connect to " + path);
    }
  }
  ~raw_client() { ::close(fd_); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  void send_line(const std::string& line) {
    const std::string out = line + "\n";
    if (::write(fd_, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
      throw std::runtime_error("write to zwermd failed");
    }
  }

  // The next line, or "" when none arrives within `timeout_ms`.
  std::string read_line(int timeout_ms = 70'000) {
    while (true) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) != 1) return {};
      char chunk[65536];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  json read_json(int timeout_ms = 70'000) {
    const std::string line = read_line(timeout_ms);
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) throw std::runtime_error("zwermd sent no JSON line: '" + line + "'");
    return j;
  }

  // One request with params (any JSON value); the whole response, checked for framing.
  json request(std::string_view name, const json& params) {
    const std::int64_t id = ++next_id_;
    send_line(json{{"jsonrpc", "2.0"}, {"id", id}, {"method", name}, {"params", params}}.dump());
    json r = read_json();
    while (r.is_object() && !r.contains("id")) r = read_json();  // a watch notification
    EXPECT_EQ(r.value("jsonrpc", ""), "2.0") << r.dump();
    EXPECT_EQ(r["id"], id) << r.dump();
    EXPECT_NE(r.contains("result"), r.contains("error")) << r.dump();
    if (r.contains("error")) {
      EXPECT_TRUE(r["error"].is_object() && r["error"]["code"].is_number_integer() &&
                  r["error"]["message"].is_string())
          << r.dump();
    }
    return r;
  }

 private:
  int fd_ = -1;
  std::string buffer_;
  std::int64_t next_id_ = 0;
};

// ---- the test --------------------------------------------------------------------------------

class RpcContract : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { doc_ = new std::map<std::string, doc_method>(read_doc()); }
  static void TearDownTestSuite() {
    delete doc_;
    doc_ = nullptr;
  }

  // Calls a method that must succeed; checks the result against the doc; remembers the call.
  json ok(raw_client& c, const rc::method_spec& m, json params = json::object()) {
    json r = c.request(m.name, params);
    EXPECT_TRUE(r.contains("result")) << m.name << " " << params.dump() << " -> " << r.dump();
    if (!r.contains("result")) return nullptr;
    const json& result = r["result"];
    EXPECT_TRUE(result.is_object()) << m.name << " -> " << result.dump();
    if (auto d = doc_->find(std::string(m.name)); d != doc_->end()) {
      EXPECT_FALSE(d->second.fields.empty()) << "docs/RPC.md has no result table for " << m.name;
      check_shape(std::string(m.name), d->second.fields, result, "");
    }
    called_.insert(std::string(m.name));
    if (!good_params_.contains(std::string(m.name))) good_params_[std::string(m.name)] = params;
    return result;
  }

  // A call that must fail with `code`.
  void fails(raw_client& c, std::string_view name, const json& params, int code,
             const std::string& what) {
    json r = c.request(name, params);
    ASSERT_TRUE(r.contains("error"))
        << name << " with " << what << " (" << params.dump() << ") succeeded: " << r.dump();
    EXPECT_EQ(r["error"]["code"], code) << name << " with " << what << ": " << r.dump();
  }

  static std::map<std::string, doc_method>* doc_;
  std::set<std::string> called_;
  std::map<std::string, json> good_params_;
};

std::map<std::string, doc_method>* RpcContract::doc_ = nullptr;

TEST_F(RpcContract, TheDocumentListsEveryMethodOfTheContractWithItsParams) {
  std::set<std::string> in_contract;
  for (const rc::method_spec* m : rc::all_methods) {
    const std::string name(m->name);
    EXPECT_TRUE(in_contract.insert(name).second) << name << " is twice in the contract";
    EXPECT_EQ(rc::find_method(name), m);
    auto d = doc_->find(name);
    ASSERT_NE(d, doc_->end()) << "docs/RPC.md has no section ### `" << name << "`";
    std::map<std::string, doc_param> expected;
    for (const rc::param_spec& p : m->params) {
      expected[std::string(p.name)] = doc_param{std::string(rc::type_name(p.type)), p.required};
    }
    EXPECT_EQ(d->second.params.size(), expected.size()) << name << ": params differ";
    for (const auto& [pname, p] : expected) {
      auto it = d->second.params.find(pname);
      if (it == d->second.params.end()) {
        ADD_FAILURE() << name << ": docs/RPC.md does not list param " << pname;
        continue;
      }
      EXPECT_EQ(it->second.type, p.type) << name << "." << pname;
      EXPECT_EQ(it->second.required, p.required) << name << "." << pname;
    }
  }
  for (const auto& [name, d] : *doc_) {
    EXPECT_TRUE(in_contract.contains(name))
        << "docs/RPC.md documents " << name << ", which the contract does not have";
  }
  // Every error code has a row in the errors table.
  std::ifstream in(std::string(ZWERM_SOURCE_DIR) + "/docs/RPC.md");
  std::stringstream text;
  text << in.rdbuf();
  for (int code : rc::all_error_codes) {
    EXPECT_NE(text.str().find("| " + std::to_string(code) + " |"), std::string::npos)
        << "docs/RPC.md has no row for error " << code;
  }
}

// The wrong JSON type for a param of type `t`.
json wrong_value(rc::param_type t) {
  switch (t) {
    case rc::param_type::string:
    case rc::param_type::string_or_null:
      return 42;
    case rc::param_type::integer:
      return "7";
    case rc::param_type::boolean:
      return "yes";
    case rc::param_type::object:
      return "x";
    case rc::param_type::string_list:
      return json::array({1, 2});
  }
  return nullptr;
}

TEST_F(RpcContract, EveryMethodAnswersAsDocumentedToGoodAndBadCalls) {
  node_harness ada("ada");
  node_harness bob("bob");
  std::string why;
  ASSERT_TRUE(ada.start({"--http", "127.0.0.1:0"}, &why)) << why;
  ASSERT_TRUE(bob.start(&why)) << why;
  raw_client a(ada);
  raw_client b(bob);

  // ---- the transport
  a.send_line("this is not json");
  EXPECT_EQ(a.read_json()["error"]["code"], rc::parse_error);
  a.send_line(R"([{"jsonrpc":"2.0","id":1,"method":"status"}])");
  EXPECT_EQ(a.read_json()["error"]["code"], rc::invalid_request);
  a.send_line(R"({"id":1,"method":"status"})");
  EXPECT_EQ(a.read_json()["error"]["code"], rc::invalid_request);
  a.send_line(R"({"jsonrpc":"2.0","method":"status"})");  // a notification: no answer
  json after = a.request(method::status.name, json::object());
  EXPECT_TRUE(after.contains("result")) << after.dump();
  fails(a, "no.such.method", json::object(), rc::method_not_found, "an unknown method");

  // ---- every method once, with results checked against docs/RPC.md
  const json listed = ok(a, method::methods);
  std::set<std::string> served, in_contract;
  for (const auto& m : listed["methods"]) {
    served.insert(m["name"].get<std::string>());
    const rc::method_spec* spec = rc::find_method(m["name"].get<std::string>());
    ASSERT_NE(spec, nullptr) << "zwermd serves " << m["name"] << ", which the contract lacks";
    EXPECT_EQ(m["summary"].get<std::string>(), spec->summary);
    EXPECT_EQ(m.value("streams", false), spec->streams) << m.dump();
    EXPECT_TRUE(m["available"].get<bool>()) << m.dump();
  }
  for (const rc::method_spec* m : rc::all_methods) in_contract.insert(std::string(m->name));
  EXPECT_EQ(served, in_contract);

  const json created =
      ok(a, method::community_create,
         {{param::name, "Lab"},
          {param::purpose, "learn together"},
          {param::policy, {{param::invite_by, "member"}, {param::quorum_pct, 50}}}});
  ok(a, method::community_list);
  ok(a, method::community_show);
  ok(a, method::community_use, {{param::community, "Lab"}});
  raw_client watcher(ada);
  EXPECT_TRUE(ok(watcher, method::watch, {{param::type, "request"}})["watching"].get<bool>());
  ok(a, method::profile_set,
     {{param::about, "maths"}, {param::skills, json::array({"maths", "python"})}});
  ok(a, method::profile_show);
  const json asked = ok(a, method::ask,
                        {{param::title, "How do we run a retro?"},
                         {param::body, "details"},
                         {param::tags, json::array({"retro"})}});
  // The watcher sees the request (and only requests).
  {
    const json note = watcher.read_json(5000);
    EXPECT_EQ(note.value("method", ""), rc::watch_record_notification) << note.dump();
    EXPECT_EQ(note["params"].value("id", ""), asked["record_id"].get<std::string>()) << note.dump();
    check_shape("watch.record", (*doc_)["watch"].notification, note["params"], "");
  }
  // The opener is in the circle: a join of their own would have no effect, and is refused.
  ok(a, method::circle_open, {{param::name, "Retros"}, {param::purpose, "better retros"}});
  ok(a, method::contribute,
     {{param::kind, "knowledge"},
      {param::title, "Our retro format"},
      {param::body, "start, stop, continue"},
      {param::tags, json::array({"retro"})},
      {param::answers, asked["record_id"].get<std::string>().substr(0, 8)},
      {param::circle, "Retros"}});
  const json invited = ok(a, method::invite, {{param::note, "bob"}, {param::expires_s, 3600}});

  // Bob joins through the network.
  const json joined = ok(b, method::join, {{param::code, invited["code"]}});
  EXPECT_EQ(joined["community_id"], created["community_id"]);
  ASSERT_TRUE(eventually([&] {
    json r = a.request(method::members.name, json::object());
    return r.contains("result") && r["result"].value("active", 0) == 2;
  })) << "ada does not see bob as a member";
  ok(b, method::circle_join, {{param::circle, "Retros"}});
  // With two members one endorsement is no quorum: the proposal stays open for bob's.
  const json proposed =
      ok(a, method::propose,
         {{param::action, {{param::kind, "agreement"}, {param::text, "answer within a week"}}},
          {param::reason, "keep it alive"}});
  ASSERT_TRUE(eventually([&] {
    json r = b.request(method::proposals.name, json::object());
    return r.contains("result") &&
           r["result"].dump().find(proposed["record_id"].get<std::string>()) != std::string::npos;
  })) << "ada's proposal does not reach bob";
  const json bobs =
      ok(b, method::contribute,
         {{param::title, "A facilitation tip"}, {param::tags, json::array({"retro"})}});
  ASSERT_TRUE(eventually([&] {
    json r = a.request(method::feed.name, {{param::author, bob.member_id()}});
    if (!r.contains("result")) return false;
    for (const auto& e : r["result"]["entries"]) {
      if (e["id"] == bobs["record_id"]) return true;
    }
    return false;
  })) << "bob's contribution does not reach ada";
  ok(a, method::thank, {{param::contribution, bobs["record_id"]}, {param::note, "used it"}});
  ok(b, method::endorse, {{param::proposal, proposed["record_id"]}});
  ok(a, method::circle_leave, {{param::circle, "Retros"}});
  // Closed: another circle, since the bad contribute calls below still name Retros. circle.open
  // is a plain record method (the contract's `writes`): it writes only the params the contract
  // names, never another one (the record schema would refuse it), and an absent optional one
  // (purpose) empty.
  const json old = ok(a, method::circle_open, {{param::name, "Old"}, {"ladder", true}});
  EXPECT_TRUE(old["took_effect"].get<bool>()) << old.dump();
  ok(a, method::circle_close, {{param::circle, old["record_id"]}});
  ok(a, method::circle_list, {{param::include_closed, true}, {param::limit, 1}});
  ok(a, method::feed, {{param::limit, 3}});
  ok(a, method::requests, {{param::state, "all"}, {param::limit, 2}});
  {
    // With who_knows each row names who knows its first tag (its author left out): bob, who
    // contributed to "retro" above.
    const json rows =
        ok(a, method::requests, {{param::state, "all"}, {param::who_knows, 5}})["requests"];
    ASSERT_EQ(rows.size(), 1u) << rows.dump();
    EXPECT_EQ(rows[0]["who_knows"]["topic"], "retro") << rows.dump();
    ASSERT_EQ(rows[0]["who_knows"]["members"].size(), 1u) << rows.dump();
    EXPECT_EQ(rows[0]["who_knows"]["members"][0]["id"], bob.member_id()) << rows.dump();
    EXPECT_FALSE(
        ok(a, method::requests, {{param::state, "all"}, {param::who_knows, 0}})["requests"][0]
            .contains("who_knows"));
  }
  ok(a, method::members, {{param::include_former, true}, {param::limit, 1}});
  ok(a, method::proposals, {{param::state, "all"}, {param::limit, 2}});
  ok(a, method::balance);
  EXPECT_LE(ok(a, method::balance, {{param::limit, 1}})["members"].size(), 1u);
  ok(a, method::who_knows, {{param::topic, "retro"}, {param::limit, 1}});
  ok(a, method::ties);
  const json graph = ok(a, method::ties, {{param::graph, true}});
  EXPECT_EQ(graph["graph"]["nodes"].size(), graph["active_members"].get<std::size_t>());
  ok(a, method::pulse);
  EXPECT_EQ(ok(a, method::pulse, {{param::weeks, 53}})["weeks"].size(), 53u);
  fails(a, method::pulse.name, {{param::weeks, 54}}, rc::invalid_params, "weeks 54");
  fails(a, method::pulse.name, {{param::weeks, 0}}, rc::invalid_params, "weeks 0");
  EXPECT_EQ(ok(a, method::dashboard)["url"].get<std::string>().rfind("http://127.0.0.1:", 0), 0u);
  fails(b, method::dashboard.name, json::object(), rc::refused, "a node without --http");
  ok(a, method::status);
  ok(a, method::peers);
  ok(a, method::peer_add, {{param::address, "127.0.0.1:9"}});
  ok(a, method::peer_remove, {{param::address, "127.0.0.1:9"}});
  fails(a, method::peer_remove.name, {{param::address, "127.0.0.1:9"}}, rc::not_found,
        "removing an unknown address");
  fails(a, method::peer_remove.name, {{param::address, 7411}}, rc::invalid_params,
        "an address that is no string");
  ok(a, method::peer_ban, {{param::address, "192.0.2.7"}, {param::for_s, 60}});
  ok(a, method::peer_unban, {{param::address, "192.0.2.7"}});
  fails(a, method::peer_unban.name, {{param::address, "192.0.2.7"}}, rc::not_found,
        "unbanning what is not banned");
  for (const json& bad_for : {json("60"), json(0), json(-5), json(1.5), json(31622401),
                              json(std::uint64_t{18446744073709551615ull}), json(true)}) {
    fails(a, method::peer_ban.name, {{param::address, "192.0.2.7"}, {param::for_s, bad_for}},
          rc::invalid_params, "for_s " + bad_for.dump());
  }
  fails(a, method::peer_ban.name, json::object(), rc::invalid_params, "a ban without address");
  fails(a, method::peer_ban.name, {{param::address, std::string(1'000'000, '1')}},
        rc::invalid_params, "a megabyte of address");
  ok(a, method::steward_handover, {{param::to, bob.member_id()}});
  ok(b, method::leave, {{param::reason, "moving on"}});
  // An active member may not forget (a member who left forgets last, below).
  fails(a, method::community_forget.name, json::object(), rc::refused, "forget while active");
  ok(a, method::log_level, {{param::level, "debug"}});
  ok(a, method::log_level);
  {
    // `stop` stops the node it is sent to: a node of its own.
    node_harness cleo("cleo");
    ASSERT_TRUE(cleo.start(&why)) << why;
    raw_client c(cleo);
    EXPECT_TRUE(ok(c, method::stop)["stopping"].get<bool>());
    auto code = cleo.daemon()->wait_exit(std::chrono::seconds(5));
    EXPECT_EQ(code, std::optional<int>(0)) << cleo.daemon_log();
  }

  // ---- bad calls: each on top of params that worked, so only the damage can be the reason
  for (const rc::method_spec* m : rc::all_methods) {
    const std::string name(m->name);
    raw_client& c = name == method::leave.name ? b : a;
    const json good = good_params_.contains(name) ? good_params_[name] : json::object();
    fails(c, name, json::array({1}), rc::invalid_params, "params that are an array");
    for (const rc::param_spec& p : m->params) {
      json bad = good;
      bad[std::string(p.name)] = wrong_value(p.type);
      fails(c, name, bad, rc::invalid_params,
            "param " + std::string(p.name) + " of the wrong type");
      if (p.required) {
        json missing = good;
        missing.erase(std::string(p.name));
        fails(c, name, missing, rc::invalid_params, "param " + std::string(p.name) + " missing");
      }
    }
  }
  // Bounds and names the node does not know.
  fails(a, method::invite.name, {{param::expires_s, 0}}, rc::invalid_params, "expires_s 0");
  fails(a, method::invite.name, {{param::expires_s, rc::max_invite_expires_s + 1}},
        rc::invalid_params, "expires_s over a year");
  fails(a, method::log_level.name, {{param::level, "loud"}}, rc::invalid_params, "level loud");
  fails(a, method::status.name, {{param::lag, "some"}}, rc::invalid_params, "lag some");
  fails(a, method::status.name, {{param::lag, ""}}, rc::invalid_params, "lag empty");
  fails(a, method::status.name, {{param::lag, "None"}}, rc::invalid_params, "lag None");
  fails(a, method::status.name, {{param::lag, 3}}, rc::invalid_params, "lag a number");
  EXPECT_TRUE(ok(a, method::status, {{param::lag, "behind"}})["lag"].is_array());
  EXPECT_FALSE(ok(a, method::status, {{param::lag, "all"}})["lag"].empty());
  EXPECT_EQ(ok(a, method::status, {{param::lag, "none"}})["lag"], json::array());
  // balance's limit is clamped like every list's: 0 gives one member, a huge one every member.
  EXPECT_EQ(ok(a, method::balance, {{param::limit, 0}})["members"].size(), 1u);
  EXPECT_EQ(ok(a, method::balance, {{param::limit, std::int64_t{1} << 60}})["members"].size(),
            ok(a, method::balance)["members"].size());
  fails(a, method::requests.name, {{param::state, "closed"}}, rc::invalid_params, "state closed");
  // who_knows: 0..5 members per row, nothing else; a page with it holds at most 100 requests.
  for (const json& bad_who : {json(6), json(-1), json(1.5), json("3"), json(true),
                              json(std::uint64_t{18446744073709551615ull}),
                              json(std::int64_t{1} << 40), json::array({1})}) {
    fails(a, method::requests.name, {{param::who_knows, bad_who}}, rc::invalid_params,
          "who_knows " + bad_who.dump());
  }
  fails(a, method::proposals.name, {{param::state, "closed"}}, rc::invalid_params, "state closed");
  // A cursor that is none, or an id of another view, is an error, not an empty page.
  fails(a, method::requests.name, {{param::before, "nope"}}, rc::invalid_params,
        "a before that is no cursor");
  fails(a, method::proposals.name, {{param::before, bobs["record_id"]}}, rc::invalid_params,
        "a contribution id as the cursor of proposals");
  fails(a, method::feed.name, {{param::before, "1.x.2"}}, rc::invalid_params,
        "a before that is no feed cursor");
  fails(a, method::members.name, {{param::before, "nope"}}, rc::invalid_params,
        "a before that is no member id");
  fails(a, method::members.name, {{param::before, bobs["record_id"]}}, rc::invalid_params,
        "a contribution id as the cursor of members");
  fails(a, method::circle_list.name, {{param::before, bobs["record_id"]}}, rc::invalid_params,
        "a contribution id as the cursor of circle.list");
  fails(a, method::who_knows.name, {{param::topic, "retro"}, {param::before, "nope"}},
        rc::invalid_params, "a before that is no member id");
  fails(a, method::community_show.name, {{param::community, "Nowhere"}}, rc::not_found,
        "an unknown community");
  fails(a, method::thank.name, {{param::contribution, "zzzzzzzz"}}, rc::not_found,
        "an unknown contribution");
  fails(a, method::thank.name, {{param::contribution, bobs["record_id"]}}, rc::refused,
        "thanks given twice");
  fails(b, method::ask.name, {{param::title, "still here?"}}, rc::refused, "a member who left");
  // Last, as it leaves b's node in no community: a member who left forgets the community.
  ok(b, method::community_forget, {{param::community, "Lab"}});
  fails(b, method::community_forget.name, {{param::community, "Lab"}}, rc::not_found,
        "a community forgotten already");

  for (const rc::method_spec* m : rc::all_methods) {
    EXPECT_TRUE(called_.contains(std::string(m->name)))
        << "the test never called " << m->name << " successfully: add it";
  }
}

}  // namespace
}  // namespace zwerm::testing
