// zwermd's web dashboard server, end to end: real daemons on 127.0.0.1, the server reached over
// real TCP with a raw client (http_client.hpp). Every route has its happy path and the hostile
// requests it must refuse: no or a wrong token, a wrong Host, methods other than GET/HEAD, path
// tricks, oversize heads, slow heads, a thousand connections at once (while sync goes on).
//
// One community for the whole suite: Ada's node serves the dashboard (--http 127.0.0.1:0),
// Bob's node (no dashboard) is the other member, who writes while Ada's page watches.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/e2e/http_client.hpp"
#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"
#include "tests/support/temp_dir.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct dashboard_address {
  std::uint16_t port = 0;
  std::string token;
};

dashboard_address parse_url(const std::string& url) {
  std::smatch m;
  static const std::regex re(R"(^http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+)$)");
  if (!std::regex_match(url, m, re)) return {};
  return {static_cast<std::uint16_t>(std::stoi(m[1])), m[2]};
}

class Http : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ada_ = std::make_unique<node_harness>("ada");
    bob_ = std::make_unique<node_harness>("bob");
    std::string why;
    ASSERT_TRUE(ada_->start({"--http", "127.0.0.1:0"}, &why)) << why;
    ASSERT_TRUE(bob_->start(&why)) << why;
    auto created = ok_json(
        *ada_, {"community", "create", "Garden club", "--purpose", "Grow vegetables together"});
    community_ = str(created, "community_id");
    auto invite = ok_json(*ada_, {"invite", "--expires", "1d"});
    ok_json(*bob_, {"join", str(invite, "code")});
    ASSERT_TRUE(eventually([] { return records_of(*ada_) == records_of(*bob_); }));
    auto dash = ok_json(*ada_, {"dashboard"});
    address_ = parse_url(str(dash, "url"));
    ASSERT_NE(address_.port, 0) << dash.dump();
    // Sign in once: the cookie every other request carries.
    auto signin = http_get(address_.port, "/?token=" + address_.token);
    ASSERT_EQ(signin.status, 303);
    cookie_ = signin.headers["set-cookie"].substr(0, signin.headers["set-cookie"].find(';'));
  }
  static void TearDownTestSuite() {
    ada_.reset();
    bob_.reset();
  }

  static std::uint16_t port() { return address_.port; }
  static http_reply get(const std::string& target) { return http_get(port(), target, cookie_); }

  static std::unique_ptr<node_harness> ada_, bob_;
  static std::string community_, cookie_;
  static dashboard_address address_;
};

std::unique_ptr<node_harness> Http::ada_, Http::bob_;
std::string Http::community_, Http::cookie_;
dashboard_address Http::address_;

// ---- sign-in ------------------------------------------------------------------------------

TEST_F(Http, TheTokenIsExchangedForAStrictHttpOnlyCookie) {
  auto r = http_get(port(), "/?token=" + address_.token);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["location"], "/");
  const std::string cookie = r.headers["set-cookie"];
  EXPECT_EQ(cookie, "zwerm_" + std::to_string(port()) + "=" + address_.token +
                        "; Path=/; HttpOnly; SameSite=Strict");
  auto page = get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>zwerm</title>"), std::string::npos);
}

TEST_F(Http, AMissingOrWrongTokenIsRefused) {
  EXPECT_EQ(http_get(port(), "/").status, 401);
  EXPECT_EQ(http_get(port(), "/api/communities").status, 401);
  EXPECT_EQ(http_get(port(), "/events").status, 401);
  EXPECT_EQ(http_get(port(), "/api/ties.svg").status, 401);
  EXPECT_EQ(http_get(port(), "/assets/dashboard.js").status, 401);
  EXPECT_EQ(http_get(port(), "/?token=wrong").status, 403);
  std::string flipped = address_.token;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(http_get(port(), "/?token=" + flipped).status, 403);
  const std::string name = "zwerm_" + std::to_string(port());
  EXPECT_EQ(http_get(port(), "/", name + "=" + flipped).status, 403);
  EXPECT_EQ(http_get(port(), "/", name + "=").status, 403);
  // Another port's cookie (another node's dashboard on this machine) is not this one's.
  EXPECT_EQ(http_get(port(), "/", "zwerm_1=" + address_.token).status, 401);
}

// The token is made anew at every start: a URL (or cookie) from an earlier start, as a browser
// history or a shell history keeps it, opens nothing, even on the same port.
TEST_F(Http, ATokenOfAnEarlierStartOpensNothing) {
  node_harness cleo("cleo");
  std::string why;
  ASSERT_TRUE(cleo.start({"--http", "127.0.0.1:0"}, &why)) << why;
  const auto first = parse_url(str(ok_json(cleo, {"dashboard"}), "url"));
  ASSERT_EQ(http_get(first.port, "/?token=" + first.token).status, 303);
  ASSERT_EQ(cleo.stop(), std::optional<int>(0));
  ASSERT_TRUE(cleo.start({"--http", "127.0.0.1:" + std::to_string(first.port)}, &why)) << why;
  const auto second = parse_url(str(ok_json(cleo, {"dashboard"}), "url"));
  ASSERT_EQ(second.port, first.port);
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(http_get(second.port, "/?token=" + first.token).status, 403);
  const std::string name = "zwerm_" + std::to_string(second.port);
  EXPECT_EQ(http_get(second.port, "/", name + "=" + first.token).status, 403);
  EXPECT_EQ(http_get(second.port, "/?token=" + second.token).status, 303);
}

// ---- headers ------------------------------------------------------------------------------

TEST_F(Http, EveryAnswerCarriesTheSecurityHeadersAndNoCors) {
  for (const std::string& target : std::vector<std::string>{
           "/", "/assets/dashboard.js", "/assets/dashboard.css", "/api/communities", "/nowhere"}) {
    http_socket s(port());
    ASSERT_TRUE(s.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port()) +
                       "\r\nCookie: " + cookie_ +
                       "\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n"));
    auto r = s.read_reply(5s);
    ASSERT_NE(r.status, 0) << target;
    const std::string csp = r.headers["content-security-policy"];
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << target;
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << target;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << target;
    EXPECT_EQ(csp.find("http"), std::string::npos) << target << ": another origin in " << csp;
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff") << target;
    EXPECT_EQ(r.headers["x-frame-options"], "DENY") << target;
    for (const auto& [name, value] : r.headers) {
      EXPECT_NE(name.rfind("access-control", 0), 0u) << target << ": " << name;
    }
  }
  EXPECT_EQ(get("/assets/dashboard.js").headers["content-type"], "text/javascript; charset=utf-8");
  // The page loads its script from a file: no inline script for the policy to allow.
  const std::string page = get("/").body;
  EXPECT_NE(page.find("<script src=\"/assets/dashboard.js\""), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
}

// ---- the views ----------------------------------------------------------------------------

TEST_F(Http, TheApiAnswersTheViewsAsJson) {
  auto list = json::parse(get("/api/communities").body);
  ASSERT_EQ(list["communities"].size(), 1u);
  EXPECT_EQ(list["communities"][0]["name"], "Garden club");
  const std::string c = "?community=" + community_;
  auto members = json::parse(get("/api/members" + c).body);
  EXPECT_EQ(members["active"], 2);
  std::set<std::string> names;
  for (const auto& m : members["members"]) names.insert(m["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"ada", "bob"}));
  auto pulse = json::parse(get("/api/pulse" + c).body);
  EXPECT_EQ(pulse["weeks"].size(), 53u);
  auto community = json::parse(get("/api/community" + c).body);
  EXPECT_EQ(community["purpose"], "Grow vegetables together");
  for (const std::string view :
       {"balance", "ties", "requests", "proposals", "circles", "handovers", "status", "peers"}) {
    auto r = get("/api/" + view + c);
    EXPECT_EQ(r.status, 200) << view << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json") << view;
    EXPECT_FALSE(json::parse(r.body, nullptr, false).is_discarded()) << view;
  }
  auto who = get("/api/who_knows" + c + "&topic=tomatoes");
  EXPECT_EQ(who.status, 200) << who.body;
}

// The page's first load in one request: the communities, the one shown and every view the page
// draws, each the very answer of its own /api/ route.
TEST_F(Http, TheOverviewAnswersEveryViewOfThePageAtOnce) {
  auto r = get("/api/overview?community=" + community_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_NE(r.headers["content-security-policy"].find("default-src 'none'"), std::string::npos);
  const json o = json::parse(r.body);
  EXPECT_EQ(o["current"], community_);
  EXPECT_EQ(o["communities"], json::parse(get("/api/communities").body)["communities"]);
  const std::string c = "?community=" + community_;
  for (const std::string view : {"community", "members", "pulse", "balance", "ties", "requests",
                                 "proposals", "circles", "handovers"}) {
    EXPECT_EQ(o[view], json::parse(get("/api/" + view + c).body)) << view;
  }
  ASSERT_TRUE(o["status"].is_object());
  EXPECT_EQ(o["status"]["node_id"], json::parse(get("/api/status").body)["node_id"]);
  EXPECT_EQ(o.size(), 12u) << o.dump();
  // Without a community, or with one this node is not in: the default one, as the page picks.
  EXPECT_EQ(json::parse(get("/api/overview").body)["current"], community_);
  EXPECT_EQ(json::parse(get("/api/overview?community=nowhere").body)["current"], community_);
  EXPECT_EQ(json::parse(get("/api/overview?community=" + community_.substr(0, 8)).body)["current"],
            community_);
}

// Each open request comes with who knows its first tag: no lookup per request.
TEST_F(Http, RequestsComeWithWhoKnowsTheirFirstTag) {
  ok_json(*ada_, {"contribute", "Seed swap notes", "--tags", "seeds"});
  ok_json(*bob_, {"ask", "Where do I get seeds?", "--tags", "seeds,pots"});
  ASSERT_TRUE(eventually([] { return records_of(*ada_) == records_of(*bob_); }));
  auto list = json::parse(get("/api/requests?community=" + community_).body);
  const json* row = nullptr;
  for (const auto& q : list["requests"]) {
    if (q["title"] == "Where do I get seeds?") row = &q;
  }
  ASSERT_NE(row, nullptr) << list.dump();
  ASSERT_TRUE((*row)["who_knows"].is_object()) << row->dump();
  EXPECT_EQ((*row)["who_knows"]["topic"], "seeds");
  ASSERT_EQ((*row)["who_knows"]["members"].size(), 1u) << row->dump();
  EXPECT_EQ((*row)["who_knows"]["members"][0]["name"], "ada");
  EXPECT_LE(list["requests"].size(), 20u);
  // The route fixes how many and how deep: the page cannot ask for more.
  EXPECT_EQ(get("/api/requests?community=" + community_ + "&who_knows=5").status, 400);
  EXPECT_EQ(get("/api/requests?community=" + community_ + "&limit=500").status, 400);
}

TEST_F(Http, TheTiesPictureHasOneNodePerActiveMember) {
  auto r = get("/api/ties.svg?community=" + community_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "image/svg+xml");
  EXPECT_EQ(r.body.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  std::size_t circles = 0;
  for (auto p = r.body.find("<circle"); p != std::string::npos; p = r.body.find("<circle", p + 1)) {
    ++circles;
  }
  EXPECT_EQ(circles, 2u);
  EXPECT_EQ(r.body.find("<script"), std::string::npos);
}

TEST_F(Http, UnknownViewsParametersAndCommunitiesAreRefused) {
  EXPECT_EQ(get("/api/nosuch").status, 404);
  EXPECT_EQ(get("/api/members?community=" + community_ + "&include_former=true").status, 400);
  EXPECT_EQ(get("/api/members?community=zzzzzzzz").status, 404);
  // The views that write are not reachable under any name.
  EXPECT_EQ(get("/api/thank").status, 404);
  EXPECT_EQ(get("/api/stop").status, 404);
  EXPECT_EQ(get("/api/ask?title=x").status, 404);
  EXPECT_EQ(get("/api/ties.svg?community=zzzzzzzz").status, 404);
  EXPECT_EQ(get("/api/ties.svg?community=" + community_ + "&graph=false").status, 400);
  EXPECT_EQ(get("/api/who_knows?community=" + community_).status, 400);  // no topic
  EXPECT_EQ(get("/api/requests?community=" + community_ + "&state=closed").status, 400);
  // The overview takes only the community, and its answer is as read-only as its parts.
  EXPECT_EQ(get("/api/overview?topic=x").status, 400);
  EXPECT_EQ(get("/api/overview?community=" + community_ + "&state=all").status, 400);
  EXPECT_EQ(get("/api/overview?community=" + std::string(3000, 'a')).status, 200);
  EXPECT_EQ(http_get(port(), "/api/overview").status, 401);
  EXPECT_EQ(get("/assets/index.html").status, 404);
  EXPECT_EQ(get("/assets/nosuch.js").status, 404);
}

// ---- hostile requests ---------------------------------------------------------------------

TEST_F(Http, AWrongHostIsRefused) {
  const std::string p = std::to_string(port());
  EXPECT_EQ(http_get(port(), "/", cookie_, "GET", "localhost:" + p).status, 200);
  EXPECT_EQ(http_get(port(), "/", cookie_, "GET", "127.0.0.1:" + p).status, 200);
  const std::vector<std::string> hosts = {"evil.example:" + p,
                                          "evil.example",
                                          "127.0.0.1",
                                          "127.0.0.1:1",
                                          "localhost.evil.example:" + p,
                                          "10.0.0.1:" + p,
                                          "127.0.0.1:" + p + "@evil",
                                          "[::1]:" + p + "x"};
  for (const std::string& host : hosts) {
    auto r = http_get(port(), "/", cookie_, "GET", host);
    EXPECT_EQ(r.status, 403) << "Host: " << host;
  }
  http_socket none(port());
  ASSERT_TRUE(none.send("GET / HTTP/1.1\r\nCookie: " + cookie_ + "\r\n\r\n"));
  EXPECT_EQ(none.read_reply(5s).status, 403) << "no Host";
}

TEST_F(Http, OnlyGetAndHeadAreServed) {
  for (const std::string& method :
       std::vector<std::string>{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}) {
    auto r = http_get(port(), "/", cookie_, method);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.headers["allow"], "GET, HEAD") << method;
  }
  // A POST with a body is refused before anything reads the body as a request.
  http_socket s(port());
  ASSERT_TRUE(s.send("POST /api/members HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port()) +
                     "\r\nCookie: " + cookie_ + "\r\nContent-Length: 5\r\n\r\nhello"));
  auto r = s.read_reply(5s);
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(s.closed_within(2s));
  auto head = http_get(port(), "/", cookie_, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_NE(head.headers["content-length"], "0");
  EXPECT_TRUE(head.body.empty());
}

TEST_F(Http, PathTricksAreRefused) {
  for (const std::string& target : std::vector<std::string>{
           "/../etc/passwd", "/assets/../../etc/passwd", "/%2e%2e/etc/passwd", "/assets/%2e%2e/x",
           "/assets/..%2fdashboard.js", "/assets/%2E%2E%2Fx", "/assets/.%2e/x", "/./",
           "/assets/..\\x", "/assets/%5c..", "/%00", "/assets/dashboard.js%00.png", "/%zz",
           "//evil.example/", "http://evil.example/", "*"}) {
    auto r = get(target);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << " -> " << r.status;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
  }
  EXPECT_EQ(get("/../etc/passwd").status, 400);
  EXPECT_EQ(get("/%2e%2e/etc/passwd").status, 400);
}

TEST_F(Http, AnOversizeHeadIsRefusedAndClosed) {
  http_socket s(port());
  ASSERT_TRUE(s.send("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port()) +
                     "\r\nCookie: " + cookie_ + "\r\nX-Pad: " + std::string(16 * 1024, 'a') +
                     "\r\n\r\n"));
  auto r = s.read_reply(5s);
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(r.closed || s.closed_within(2s));
  // A head of a few KiB is fine.
  http_socket ok(port());
  ASSERT_TRUE(ok.send("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port()) +
                      "\r\nCookie: " + cookie_ + "\r\nX-Pad: " + std::string(4 * 1024, 'a') +
                      "\r\n\r\n"));
  EXPECT_EQ(ok.read_reply(5s).status, 200);
}

TEST_F(Http, ASlowClientIsClosed) {
  http_socket s(port());
  ASSERT_TRUE(s.send("GET / HTTP/1.1\r\n"));
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  // One byte every 300 ms: never a whole head. The read timeout (5 s) closes it.
  for (int i = 0; i < 40 && !closed; ++i) {
    if (!s.send("X")) break;
    closed = s.closed_within(300ms);
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed || !s.send("X"));
  EXPECT_LT(took, 8s);
  EXPECT_GT(took, 4s);
}

TEST_F(Http, AThousandConnectionsAreClosedWhileSyncGoesOn) {
  rlimit lim{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
  if (lim.rlim_cur < 1200 && lim.rlim_max >= 1200) {
    lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 4096);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lim), 0);
  }
  std::vector<std::unique_ptr<http_socket>> flood;
  for (int i = 0; i < 1000; ++i) flood.push_back(std::make_unique<http_socket>(port()));
  std::size_t connected = 0;
  for (auto& s : flood) connected += s->connected();
  EXPECT_GT(connected, 900u);
  // While they are held open, Bob writes and Ada's node takes it in.
  ok_json(*bob_, {"ask", "Who has tomato seeds?", "--tags", "tomatoes"});
  EXPECT_TRUE(eventually([] { return records_of(*ada_) == records_of(*bob_); }, 10s));
  EXPECT_EQ(ada_->zwerm({"status"}).exit_code, 0);
  // All but the 64 the server holds are closed at once; those 64 at the read timeout.
  std::this_thread::sleep_for(300ms);
  std::size_t closed_fast = 0;
  for (auto& s : flood) closed_fast += s->connected() && s->closed_within(1ms);
  EXPECT_GE(closed_fast + 64, connected);
  std::size_t closed_all = 0;
  for (auto& s : flood) closed_all += !s->connected() || s->closed_within(7s);
  EXPECT_EQ(closed_all, flood.size());
  flood.clear();
  EXPECT_TRUE(eventually([] { return get("/").status == 200; }, 5s));
}

TEST_F(Http, EventsStreamARecordWrittenOnAnotherNode) {
  http_socket s(port());
  ASSERT_TRUE(s.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port()) +
                     "\r\nCookie: " + cookie_ + "\r\n\r\n"));
  bool closed = false;
  std::string got = s.read_until_close(500ms, &closed);
  ASSERT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos) << got;
  ok_json(*bob_, {"ask", "Who can lend a wheelbarrow?", "--tags", "tools"});
  const auto wrote = std::chrono::steady_clock::now();
  while (got.find("Who can lend a wheelbarrow?") == std::string::npos && !closed &&
         std::chrono::steady_clock::now() - wrote < 2s) {
    got += s.read_until_close(100ms, &closed);
  }
  EXPECT_NE(got.find("event: record\ndata: {"), std::string::npos) << got;
  EXPECT_NE(got.find("Who can lend a wheelbarrow?"), std::string::npos)
      << "no event within 2 s of the write on Bob's node:\n"
      << got;
}

// ---- the same pictures on the command line --------------------------------------------------

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST_F(Http, TiesAsDotParseWithGraphvizAndAsTheDashboardsSvg) {
  auto dot = ada_->zwerm({"ties", "--format", "dot"});
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_EQ(dot.out.rfind("graph \"Garden club\" {", 0), 0u) << dot.out;
  EXPECT_EQ(count_of(dot.out, " [label="), 2u) << dot.out;
  temp_dir dir("zwerm-dot");
  { std::ofstream(dir / "ties.dot") << dot.out; }
  auto rendered = run_program({"/usr/bin/env", "dot", "-Tsvg", (dir / "ties.dot").string(), "-o",
                               (dir / "ties.svg").string()},
                              dir.path());
  ASSERT_EQ(rendered.exit_code, 0) << "Graphviz's dot (scripts/deps --browser installs it) "
                                      "refused the DOT output: "
                                   << rendered.err;
  EXPECT_EQ(count_of(read_file(dir / "ties.svg"), "class=\"node\""), 2u);

  auto svg = ada_->zwerm({"ties", "--format", "svg"});
  ASSERT_EQ(svg.exit_code, 0) << svg.err;
  EXPECT_EQ(svg.out, get("/api/ties.svg?community=" + community_).body);
  EXPECT_EQ(ada_->zwerm({"ties", "--format", "png"}).exit_code, 2);
}

TEST_F(Http, PulseAsCsv) {
  auto csv = ada_->zwerm({"pulse", "--weeks", "53", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::istringstream lines(csv.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "week_start,records,active_members");
  std::size_t weeks = 0;
  std::int64_t records = 0;
  while (std::getline(lines, line)) {
    ++weeks;
    EXPECT_TRUE(std::regex_match(line, std::regex(R"(\d{4}-\d{2}-\d{2},\d+,\d+)"))) << line;
    records += std::stoll(line.substr(11, line.find(',', 11) - 11));
  }
  EXPECT_EQ(weeks, 53u);
  auto pulse = json::parse(get("/api/pulse?community=" + community_).body);
  std::int64_t expected = 0;
  for (const auto& w : pulse["weeks"]) expected += w["records"].get<std::int64_t>();
  EXPECT_EQ(records, expected);
  EXPECT_EQ(ada_->zwerm({"pulse", "--weeks", "54"}).exit_code, 2);
}

// ---- configuration ------------------------------------------------------------------------

TEST_F(Http, TheDashboardIsOffUnlessAsked) {
  auto r = bob_->zwerm({"dashboard"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("the dashboard is off"), std::string::npos) << r.err;
}

TEST_F(Http, ANonLoopbackAddressNeedsAllowRemote) {
  node_harness cleo("cleo");
  auto r = cleo.zwermd({"--http", "0.0.0.0:0"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not a loopback address"), std::string::npos) << r.err;
  auto bad = cleo.zwermd({"--http", "nowhere"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  auto name = cleo.zwermd({"--http", "localhost:0"});
  EXPECT_EQ(name.exit_code, 2) << name.err;
  std::string why;
  ASSERT_TRUE(cleo.start({"--http", "0.0.0.0:0", "--http-allow-remote"}, &why)) << why;
  EXPECT_NE(cleo.daemon_log().find("reachable from other machines"), std::string::npos)
      << cleo.daemon_log();
  auto dash = ok_json(cleo, {"dashboard"});
  EXPECT_NE(parse_url(str(dash, "url")).port, 0) << dash.dump();
}

}  // namespace
}  // namespace zwerm::testing
