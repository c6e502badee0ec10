// The operator's peer management, end to end (real zwermd processes on loopback, driven through
// the zwerm binary): `peer ban` closes a live session at once and keeps the peer out, across a
// restart; `peer unban` lets it back; `peer add` and `peer remove` outlive a restart; `peers`
// says why an address is not connected; and every command refuses hostile input with the exit
// code of cli/exit_codes.hpp.
//
// Bans are of IP addresses and every node here runs on loopback, so Ada listens on 127.0.0.2:
// Bob (on 127.0.0.1) reaches her from 127.0.0.1, the address she bans, which is not her own.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/node_harness.hpp"
#include "tests/e2e/ok_json.hpp"

namespace zwerm::testing {
namespace {

using json = nlohmann::json;

// Rewrites config.json's listen host (keeping the port the harness chose); returns host:port.
std::string listen_on(const node_harness& n, const std::string& host) {
  const auto file = n.home() / "config.json";
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  json config = json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
  const std::string port = n.listen().substr(n.listen().rfind(':') + 1);
  config["listen"] = host + ":" + port;
  std::ofstream(file) << config.dump(2) << "\n";
  return host + ":" + port;
}

bool connected_to(const node_harness& n, const std::string& member) {
  const json p = n.zwerm_json({"peers"});
  if (!p.is_object()) return false;
  for (const auto& c : p.value("connections", json::array())) {
    if (str(c, "member") == member) return true;
  }
  return false;
}

// The `known` row of `endpoint` in `zwerm peers --json`, or null.
json known_row(const node_harness& n, const std::string& endpoint) {
  const json p = n.zwerm_json({"peers"});
  if (!p.is_object()) return nullptr;
  for (const auto& row : p.value("known", json::array())) {
    if (str(row, "endpoint") == endpoint) return row;
  }
  return nullptr;
}

// Opens a plain TCP connection to `host_port` (IPv4) from 127.0.0.1 and closes it: a
// connection a listener that bans 127.0.0.1 refuses at accept, and logs.
void knock(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(std::stoi(host_port.substr(colon + 1))));
  ASSERT_EQ(::inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &to.sin_addr), 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  (void)::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  char byte;
  (void)::recv(fd, &byte, 1, 0);  // the reset (or nothing, if accepted: then the test fails)
  ::close(fd);
}

// How many times the daemon's log (appended across restarts) says it refused `ip` at accept for
// a ban.
std::size_t refusals_logged(const node_harness& n, const std::string& ip) {
  const std::string log = n.daemon_log();
  const std::string line = "refused a connection from " + ip + ": banned";
  std::size_t count = 0;
  for (auto at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++count;
  return count;
}

bool banned_in_list(const node_harness& n, const std::string& ip) {
  const json p = n.zwerm_json({"peers"});
  if (!p.is_object()) return false;
  for (const auto& b : p.value("bans", json::array())) {
    if (str(b, "address") == ip) return true;
  }
  return false;
}

TEST(PeerManagement, BanClosesTheSessionKeepsThePeerOutAcrossARestartAndUnbanLetsItBack) {
  node_harness ada("ada"), bob("bob");
  const std::string ada_listen = listen_on(ada, "127.0.0.2");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ASSERT_TRUE(bob.start(&why)) << why;
  ok_json(ada, {"community", "create", "Circle", "--purpose", "peers by hand"});
  const json invite = ok_json(ada, {"invite"});
  ok_json(bob, {"join", str(invite, "code")});
  ASSERT_TRUE(eventually([&] { return connected_to(ada, bob.member_id()); }))
      << ada.zwerm_json({"peers"}).dump();

  // The ban closes the live session at once: it is gone within a second of the answer.
  const json ban = ok_json(ada, {"peer", "ban", "127.0.0.1", "--for", "1h"});
  EXPECT_EQ(str(ban, "address"), "127.0.0.1");
  EXPECT_GE(ban.value("sessions_closed", 0), 1) << ban.dump();
  ASSERT_TRUE(
      eventually([&] { return !connected_to(ada, bob.member_id()); }, std::chrono::seconds(1)))
      << "the session with the banned address is still open";
  EXPECT_TRUE(
      eventually([&] { return !connected_to(bob, ada.member_id()); }, std::chrono::seconds(5)));

  // Bob keeps dialing (his backoff starts at 1 s) and is refused at accept; Ada does not dial him.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_FALSE(connected_to(ada, bob.member_id())) << "the banned peer came back";
  EXPECT_FALSE(connected_to(bob, ada.member_id()));
  // Refused at accept, before any cryptography, not only closed after the handshake.
  knock(ada_listen);
  EXPECT_TRUE(eventually([&] { return refusals_logged(ada, "127.0.0.1") > 0; }))
      << ada.daemon_log();

  // `peers` says why: Bob's profile address is banned by the operator.
  const json row = known_row(ada, bob.listen());
  ASSERT_FALSE(row.is_null()) << ada.zwerm_json({"peers"}).dump();
  EXPECT_EQ(str(row, "state"), "banned");
  EXPECT_EQ(str(row, "banned_by"), "operator");
  const run_result human = ada.zwerm({"peers", "--wide"});
  EXPECT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("banned by the operator until"), std::string::npos) << human.out;

  // The ban survives a restart.
  const std::size_t refused_before = refusals_logged(ada, "127.0.0.1");
  ASSERT_EQ(ada.stop(), std::optional<int>(0));
  ASSERT_TRUE(ada.start(&why)) << why;
  EXPECT_TRUE(banned_in_list(ada, "127.0.0.1")) << ada.zwerm_json({"peers"}).dump();
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_FALSE(connected_to(ada, bob.member_id())) << "the ban was forgotten by the restart";
  knock(ada_listen);
  EXPECT_TRUE(eventually([&] { return refusals_logged(ada, "127.0.0.1") > refused_before; }))
      << "the restarted listener does not refuse the banned address: " << ada.daemon_log();

  // Unban: Ada dials Bob again at once, and they replicate.
  const json unban = ok_json(ada, {"peer", "unban", "127.0.0.1"});
  EXPECT_EQ(str(unban, "address"), "127.0.0.1");
  EXPECT_TRUE(eventually([&] { return connected_to(ada, bob.member_id()); }))
      << ada.zwerm_json({"peers"}).dump();
  EXPECT_FALSE(banned_in_list(ada, "127.0.0.1"));
  const run_result again = ada.zwerm({"peer", "unban", "127.0.0.1"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("127.0.0.1 is not banned"), std::string::npos) << again.err;

  // Bob stops: Ada's dials are refused and `peers` says so, with the dialer's error.
  ASSERT_EQ(bob.stop(), std::optional<int>(0));
  ASSERT_TRUE(eventually([&] {
    const json r = known_row(ada, bob.listen());
    return str(r, "state") == "backoff" && !str(r, "reason").empty() && r.contains("until_ts");
  })) << ada.zwerm_json({"peers"}).dump();
  const run_result backing_off = ada.zwerm({"peers", "--wide"});
  EXPECT_NE(backing_off.out.find("backing off, next try"), std::string::npos) << backing_off.out;
}

TEST(PeerManagement, AddAndRemoveOutliveARestart) {
  node_harness ada("ada"), bob("bob");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ok_json(ada, {"community", "create", "Circle", "--purpose", "peers by hand"});
  const std::string added = "192.0.2.10:7411";
  ok_json(ada, {"peer", "add", bob.member_id() + "@" + added});
  ok_json(ada, {"peer", "add", "192.0.2.11:7411"});

  ASSERT_EQ(ada.stop(), std::optional<int>(0));
  ASSERT_TRUE(ada.start(&why)) << why;
  json row = known_row(ada, added);
  ASSERT_FALSE(row.is_null()) << "peer add was forgotten by the restart: "
                              << ada.zwerm_json({"peers"}).dump();
  EXPECT_EQ(str(row, "member"), bob.member_id());
  EXPECT_EQ(str(row, "state"), "not_member") << "Bob is no member: never dialed";
  EXPECT_NE(ada.zwerm({"peers"}).out.find("not a member"), std::string::npos);
  EXPECT_FALSE(known_row(ada, "192.0.2.11:7411").is_null());

  const json removed = ok_json(ada, {"peer", "remove", added});
  EXPECT_EQ(str(removed, "address"), added);
  EXPECT_TRUE(known_row(ada, added).is_null());
  const run_result twice = ada.zwerm({"peer", "remove", added});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("is not a known address"), std::string::npos) << twice.err;

  ASSERT_EQ(ada.stop(), std::optional<int>(0));
  ASSERT_TRUE(ada.start(&why)) << why;
  EXPECT_TRUE(known_row(ada, added).is_null()) << "peer remove was undone by the restart";
  EXPECT_FALSE(known_row(ada, "192.0.2.11:7411").is_null()) << "the other address stays";
}

TEST(PeerManagement, HostileInputIsRefusedWithAReasonAndChangesNothing) {
  node_harness ada("ada");
  const std::string own = listen_on(ada, "127.0.0.2");
  std::string why;
  ASSERT_TRUE(ada.start(&why)) << why;
  ok_json(ada, {"community", "create", "Circle", "--purpose", "peers by hand"});

  struct refusal {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::string huge(10'000, 'a');
  const std::vector<refusal> refusals = {
      {{"peer", "ban", "example.org"}, 2, "not an IP address"},
      {{"peer", "ban", "192.0.2.7:99999"}, 2, "port"},
      {{"peer", "ban", "fe80::1%lo"}, 2, "zone"},
      {{"peer", "ban", "0.0.0.0"}, 2, "unspecified"},
      {{"peer", "ban", huge}, 2, "255"},
      {{"peer", "ban", "127.0.0.2"}, 1, "own address"},
      {{"peer", "ban", own}, 1, "own address"},
      {{"peer", "ban", "192.0.2.7", "--for", "0m"}, 2, "--for"},
      {{"peer", "ban", "192.0.2.7", "--for=-1h"}, 2, "--for"},
      {{"peer", "ban", "192.0.2.7", "--for", "1x"}, 2, "--for"},
      {{"peer", "ban", "192.0.2.7", "--for", "400d"}, 2, "366 days"},
      {{"peer", "ban", "192.0.2.7", "--for", "99999999999999999999d"}, 2, "--for"},
      {{"peer", "unban", "192.0.2.7"}, 1, "is not banned"},
      {{"peer", "unban", "not an address"}, 2, "not an IP address"},
      {{"peer", "remove", "192.0.2.9:7411"}, 1, "is not a known address"},
      {{"peer", "remove", "no-port"}, 2, "port"},
      {{"peer", "remove", huge}, 2, "255"},
      {{"peer", "add", huge}, 2, "255"},
  };
  for (const auto& r : refusals) {
    const run_result got = ada.zwerm(r.args);
    EXPECT_EQ(got.exit_code, r.exit_code)
        << r.args[1] << " " << r.args[2].substr(0, 40) << ": " << got.err;
    EXPECT_NE(got.err.find(r.says), std::string::npos)
        << r.args[1] << " " << r.args[2].substr(0, 40) << ": " << got.err;
  }
  // Nothing was banned by any of them, and the node still answers.
  const json p = ok_json(ada, {"peers"});
  EXPECT_TRUE(p["bans"].empty()) << p.dump();
  EXPECT_TRUE(p["known"].empty()) << p.dump();

  // A ban is kept at its bound; a second ban of one address replaces the first.
  const json first = ok_json(ada, {"peer", "ban", "[2001:DB8::1]:7411", "--for", "366d"});
  EXPECT_EQ(str(first, "address"), "2001:db8::1");
  const json second = ok_json(ada, {"peer", "ban", "2001:db8::1", "--for", "30m"});
  EXPECT_LT(second.value("until_ts", 0LL), first.value("until_ts", 0LL));
  EXPECT_EQ(ok_json(ada, {"peers"})["bans"].size(), 1u);
}

// peers.json damaged by hand: zwermd refuses to start rather than forget the operator's bans.
TEST(PeerManagement, ADamagedPeersFileRefusesTheStartAndSaysWhich) {
  node_harness ada("ada");
  std::ofstream(ada.home() / "peers.json") << R"({"bans": {"example.org": {"since_ms": 1}}})";
  std::string why;
  EXPECT_FALSE(ada.start(&why));
  EXPECT_NE(ada.daemon_log().find("peers.json is damaged"), std::string::npos) << ada.daemon_log();
}

}  // namespace
}  // namespace zwerm::testing
