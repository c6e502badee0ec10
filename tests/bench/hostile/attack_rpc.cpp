// Attack 6: a JSON-RPC line on A's local socket (home/zwermd.sock) whose params nest 100,000
// arrays deep, closed and unclosed. A must answer with an error and stay up.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/home.hpp"
#include "tests/bench/hostile/attacks.hpp"

namespace zwerm::bench::hostile {
namespace {

struct line_answer {
  std::string text;  // the answer line (without '\n'), empty when none came
  bool closed = false;
  double ms = 0;
};

// Writes `line` on a new connection to the socket and reads one answer line (5 s at most).
line_answer send_line(const std::filesystem::path& socket_path, const std::string& line) {
  line_answer out;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  std::copy(path.begin(), path.end(), addr.sun_path);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    out.closed = true;
    return out;
  }
  const auto start = clock_type::now();
  for (std::size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the daemon may close before reading it all: read what it said
    sent += static_cast<std::size_t>(n);
  }
  std::string buffer;
  const auto deadline = start + std::chrono::seconds(5);
  while (buffer.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char chunk[4096];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) {
      out.closed = true;
      break;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  out.ms = ms_since(start);
  out.text = buffer.substr(0, buffer.find('\n'));
  ::close(fd);
  return out;
}

}  // namespace

void attack_rpc_nesting(attack_context& ctx) {
  victim& v = ctx.v;
  attack_result r;
  r.id = "6";
  r.name = "RPC: params nested 100,000 deep";
  r.sent =
      "one JSON-RPC line on home/zwermd.sock with 100,000 nested '[' in params: balanced "
      "(200 KB), then unclosed";
  r.rss_before_kib = v.rss_kib();
  const auto socket_path = home_paths{v.a().home()}.socket();
  const std::string head = R"({"jsonrpc":"2.0","id":1,"method":"status","params":)";
  const std::size_t depth = 100'000;
  const double cpu0 = v.cpu_s();
  const line_answer balanced =
      send_line(socket_path, head + std::string(depth, '[') + std::string(depth, ']') + "}\n");
  const line_answer unclosed = send_line(socket_path, head + std::string(depth, '[') + "\n");
  r.cpu_us_per_message = (v.cpu_s() - cpu0) * 1e6 / 2;
  r.after_messages = 1;
  r.after_ms = std::max(balanced.ms, unclosed.ms);
  auto error_of = [](const line_answer& a) -> std::string {
    json j = json::parse(a.text, nullptr, false);
    if (j.is_object() && j.contains("error")) return j["error"].dump();
    return {};
  };
  const std::string e1 = error_of(balanced), e2 = error_of(unclosed);
  if (e1.empty())
    r.failures.push_back("no error answer to the balanced line: '" + balanced.text.substr(0, 200) +
                         "'");
  if (e2.empty())
    r.failures.push_back("no error answer to the unclosed line: '" + unclosed.text.substr(0, 200) +
                         "'");
  json status = v.rpc_a().call("status");
  const bool answers = status.is_object() && status.contains("result");
  if (!answers) r.failures.push_back("A does not answer `status` after the deep lines");
  r.answer = e1.empty() || e2.empty() ? "no error answer" : "error answers, daemon up";
  r.notes = fmt("balanced: %.1f ms, ", balanced.ms) + (e1.empty() ? "no error" : e1) +
            fmt("; unclosed: %.1f ms, ", unclosed.ms) + (e2.empty() ? "no error" : e2) +
            (answers ? "; status answers after" : "");
  r.figures = {{"balanced_error", e1}, {"unclosed_error", e2}, {"status_after", answers}};
  finish(v, r);
  ctx.results.push_back(std::move(r));
}

}  // namespace zwerm::bench::hostile
