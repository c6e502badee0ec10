#include "node/daemon/daemon.hpp"

#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>

#include "base/base64url.hpp"
#include "base/clock.hpp"
#include "base/home.hpp"
#include "crypto/identity.hpp"
#include "crypto/sodium.hpp"
#include "node/daemon/community_host.hpp"
#include "node/daemon/home_lock.hpp"
#include "node/daemon/local_socket.hpp"
#include "node/daemon/metrics_source.hpp"
#include "node/daemon/network_host.hpp"
#include "node/daemon/network_rpc.hpp"
#include "node/daemon/rpc_community.hpp"
#include "node/daemon/rpc_methods.hpp"
#include "node/daemon/rpc_server.hpp"
#include "node/daemon/web_host.hpp"
#include "store/store.hpp"

namespace zwerm::node {

namespace asio = boost::asio;

struct node_daemon::parts {
  asio::io_context io{1};
  home_paths home;
  daemon_options options;
  std::optional<home_lock> lock;
  crypto::key_pair identity;
  std::unique_ptr<store::store> db;
  std::unique_ptr<community_host> communities;
  std::unique_ptr<network_host> network;  // borrows communities: declared after it
  node_services services;
  rpc::method_table methods;
  std::unique_ptr<rpc_server> rpc;
  std::unique_ptr<web_host> web;  // calls methods: declared after them
  std::unique_ptr<metrics_source> metrics;
  asio::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
  std::optional<log_level> log_override;     // --log-level: beats config.json, also on SIGHUP
  std::optional<log_file_options> log_file;  // --log-file: reopened on SIGHUP
  std::unique_ptr<asio::steady_timer> stop_timer;
  bool stopping = false;
};

namespace {

spdlog::level::level_enum to_spdlog(log_level level) {
  switch (level) {
    case log_level::trace:
      return spdlog::level::trace;
    case log_level::debug:
      return spdlog::level::debug;
    case log_level::info:
      return spdlog::level::info;
    case log_level::warn:
      return spdlog::level::warn;
    case log_level::error:
      return spdlog::level::err;
    case log_level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::atomic<log_level> applied_level{log_level::info};  // the level setup_logging set last

}  // namespace

log_level current_log_level() {
  return applied_level.load();
}

namespace {

constexpr const char* log_pattern = "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v";

// The one logger writes through a dist_sink whose only sink is stderr's or the log file's:
// swapping that sink (set_sinks locks the dist_sink) is safe while other threads log, and the
// replaced sink (a file) is closed when the swap drops it.
std::shared_ptr<spdlog::sinks::dist_sink_mt> log_destination() {
  static const auto dist = [] {
    auto d = std::make_shared<spdlog::sinks::dist_sink_mt>();
    d->set_sinks({std::make_shared<spdlog::sinks::stderr_color_sink_mt>()});
    auto logger = std::make_shared<spdlog::logger>("zwermd", d);
    logger->set_pattern(log_pattern);
    // A log file is buffered: warnings and errors reach it at once, other lines within a
    // second (stderr writes every line as it comes).
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(1));
    return d;
  }();
  return dist;
}

}  // namespace

void setup_logging(log_level level) {
  applied_level = level;
  log_destination();
  spdlog::set_level(to_spdlog(level));
}

status set_log_destination(const std::optional<log_file_options>& file) {
  auto dist = log_destination();
  spdlog::sink_ptr sink;
  if (!file) {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file->path.string(),
                                                                    file->max_bytes, file->keep);
    } catch (const spdlog::spdlog_ex& e) {
      return {status_code::io_error,
              "cannot write the log file " + file->path.string() + ": " + e.what()};
    }
  }
  sink->set_pattern(log_pattern);
  dist->set_sinks({sink});
  return {};
}

namespace {

// The home holds the identity, the community secrets, the log and the control socket: only
// its owner may read any of it. A home made by hand (or copied with a loose umask) is
// tightened: the directory and db/ to 0700, config.json and communities.json to 0600.
// Returns a sentence per change, or the reason it cannot be done.
std::variant<std::vector<std::string>, std::string> tighten_home(const home_paths& home) {
  namespace fs = std::filesystem;
  std::vector<std::string> changed;
  const std::pair<fs::path, fs::perms> wanted[] = {
      {home.root, fs::perms::owner_all},
      {home.db(), fs::perms::owner_all},
      {home.config(), fs::perms::owner_read | fs::perms::owner_write},
      {home.root / "communities.json", fs::perms::owner_read | fs::perms::owner_write},
      {home.root / "token_bindings.json", fs::perms::owner_read | fs::perms::owner_write},
      {home.root / "peers.json", fs::perms::owner_read | fs::perms::owner_write},
  };
  for (const auto& [path, mode] : wanted) {
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) continue;
    const auto others = fs::perms::group_all | fs::perms::others_all;
    if ((st.permissions() & others) == fs::perms::none) continue;
    fs::permissions(path, mode, fs::perm_options::replace, ec);
    if (ec) {
      return path.string() + " can be read by other users and its mode cannot be changed (" +
             ec.message() + "); fix it with: chmod go-rwx " + path.string();
    }
    changed.push_back(path.string());
  }
  return changed;
}

}  // namespace

std::variant<std::unique_ptr<node_daemon>, node_daemon::failure> node_daemon::open(
    const daemon_launch& launch) {
  auto p = std::make_unique<parts>();
  p->home.root = resolve_home(launch.home);
  const std::string home_text = p->home.root.string();

  std::error_code ec;
  if (!std::filesystem::is_directory(p->home.root, ec)) {
    return failure{exit_identity, "there is no zwerm home at " + home_text +
                                      "; create one with `zwerm init --home " + home_text + "`"};
  }
  if (!std::filesystem::exists(p->home.identity(), ec)) {
    return failure{exit_identity, home_text +
                                      " holds no identity.key; create one with "
                                      "`zwerm init --home " +
                                      home_text + "`"};
  }

  // Whatever zwermd creates from here on (LevelDB's files, snapshots, the socket) is its
  // owner's only.
  ::umask(077);
  auto tightened = tighten_home(p->home);
  if (auto* why = std::get_if<std::string>(&tightened)) return failure{exit_identity, *why};

  auto config = load_config(p->home.config());
  if (!config) return failure{exit_usage, config.error().message()};
  p->options = std::move(*config);
  if (launch.http) p->options.http = launch.http;
  if (launch.metrics) p->options.metrics = launch.metrics;
  p->options.http_allow_remote = p->options.http_allow_remote || launch.http_allow_remote;
  p->log_override = launch.log_override;
  p->log_file = launch.log_file;
  setup_logging(launch.log_override.value_or(p->options.log));
  if (p->log_file) {
    if (status s = set_log_destination(p->log_file); !s.ok())
      return failure{exit_usage, s.message()};
  }
  for (const auto& path : std::get<std::vector<std::string>>(tightened)) {
    spdlog::warn("{} could be read by other users; its mode is now owner-only", path);
  }

  auto lock = home_lock::acquire(p->home.lock());
  if (!lock) {
    return failure{lock.error().code() == status_code::busy ? exit_busy : exit_failure,
                   lock.error().message()};
  }
  p->lock.emplace(std::move(*lock));

  crypto::init();
  auto keys = crypto::load_identity(p->home.identity(), launch.passphrase);
  if (!keys) {
    std::string why = keys.error().message();
    if (keys.error().code() == status_code::invalid_argument && !launch.passphrase) {
      why += " (zwermd reads the passphrase from $ZWERM_PASSPHRASE)";
    }
    return failure{exit_identity, "cannot load " + p->home.identity().string() + ": " + why};
  }
  p->identity = *keys;

  auto db = store::store::open(p->home.db());
  if (!db) {
    return failure{db.error().code() == status_code::busy ? exit_busy : exit_failure,
                   "cannot open the store: " + db.error().message()};
  }
  p->db = std::move(*db);
  // The one clock every part reads (base/clock.hpp): the machine's.
  const zwerm::clock& clock = machine_clock();
  auto communities =
      community_host::open(*p->db, p->identity, p->home.root / "communities.json", {}, clock);
  if (!communities) {
    return failure{exit_failure, "cannot load the communities: " + communities.error().message()};
  }
  p->communities = std::move(*communities);

  // The network: one listener for every community, sync and peer managers per community.
  network_options net_options;
  net_options.listen = p->options.listen;
  net_options.advertise = p->options.advertise;
  for (std::size_t i = 0; i < p->options.bootstrap.size(); ++i) {
    const auto& key = p->options.bootstrap_keys.at(i);
    net_options.bootstrap.push_back((key ? crypto::to_text(*key) + "@" : std::string()) +
                                    p->options.bootstrap[i].to_string());
  }
  net_options.target_peers = p->options.target_peers;
  net_options.peer_discovery = p->options.peer_discovery;
  net_options.verify_threads = p->options.verify_threads;
  net_options.listener.max_inbound = p->options.limits.max_inbound;
  net_options.listener.max_inbound_per_address = p->options.limits.max_inbound_per_address;
  net_options.token_bindings_file = p->home.root / "token_bindings.json";
  net_options.operator_peers_file = p->home.root / "peers.json";
  net_options.clock = &clock;
  p->network = std::make_unique<network_host>(p->io.get_executor(), *p->communities, net_options);
  if (status s = p->network->start(); !s.ok()) return failure{exit_failure, s.message()};
  // With port 0 the system chose one: status and invite codes show the port in use.
  p->options.listen = p->network->bound_address();

  p->services.communities = p->communities.get();
  p->services.options = &p->options;
  p->services.node_id = p->identity.pk;
  p->services.home = p->home.root;
  p->services.clock = &clock;
  p->services.started_steady = clock.steady();
  p->services.started_ms = clock.unix_ms();
  p->services.network = true;
  register_methods(p->methods, p->services);
  register_community_methods(p->methods, *p->communities, p->services);
  register_network_methods(p->methods, *p->communities, *p->network, p->services);
  p->web = std::make_unique<web_host>(p->io.get_executor(), p->methods);
  web_host* web = p->web.get();
  p->methods.add(rpc_contract::method::dashboard, rpc::sync_handler([web](const rpc::json&) {
                   auto url = web->dashboard_url();
                   if (!url) {
                     return rpc::reply::fail(rpc::refused,
                                             "the dashboard is off; start zwermd with --http "
                                             "127.0.0.1:7480 or set \"http\" in config.json");
                   }
                   return rpc::reply::ok(rpc::json{{"url", *url}});
                 }));
  if (p->options.http) {
    if (status s = p->web->start_dashboard(*p->options.http, p->options.http_allow_remote);
        !s.ok()) {
      return failure{s.code() == status_code::invalid_argument ? exit_usage : exit_failure,
                     s.message()};
    }
  }
  p->metrics = std::make_unique<metrics_source>(p->db.get(), p->communities.get(), p->network.get(),
                                                web, p->home.db());
  metrics_source* metrics = p->metrics.get();
  if (p->options.metrics) {
    if (status s = p->web->start_metrics(*p->options.metrics, p->options.http_allow_remote,
                                         [metrics] { return metrics->text(); });
        !s.ok()) {
      return failure{s.code() == status_code::invalid_argument ? exit_usage : exit_failure,
                     s.message()};
    }
  }

  auto acceptor = bind_private_socket(p->io.get_executor(), p->home.socket());
  if (!acceptor) {
    return failure{acceptor.error().code() == status_code::busy ? exit_busy : exit_failure,
                   acceptor.error().message()};
  }
  rpc_server_options rpc_options;
  rpc_options.max_clients = p->options.limits.max_rpc_clients;
  rpc_options.max_line_bytes = p->options.limits.max_rpc_line_bytes;
  rpc_options.max_queue = p->options.limits.max_watch_queue;
  rpc_options.on_call = [metrics](std::string_view method, std::chrono::nanoseconds took) {
    metrics->rpc_call(method, took);
  };
  p->rpc =
      std::make_unique<rpc_server>(std::move(*acceptor), p->home.socket(), p->methods, rpc_options);
  // Every record the store appends reaches `watch` clients, filtered by their params.
  community_host* host = p->communities.get();
  rpc_server* rpc = p->rpc.get();
  network_host* network = p->network.get();
  p->communities->on_appended = [host, rpc, network, web, metrics](const record& r,
                                                                   community_host::origin from) {
    metrics->record_appended();
    network->on_host_appended(r, from);
    if (web->has_viewers()) web->record_applied(watch_notification(*host, r));
    // A catch-up appends thousands of records a second: build no notification without a
    // watcher.
    if (!rpc->has_subscribers("records")) return;
    namespace param = rpc_contract::param;
    rpc->publish("records", rpc_contract::watch_record_notification, watch_notification(*host, r),
                 [host, &r](const rpc::json& sub) {
                   if (sub.contains(param::type) && sub[param::type].is_string() &&
                       sub[param::type] != r.type) {
                     return false;
                   }
                   if (!sub.contains(param::community) || !sub[param::community].is_string()) {
                     return true;
                   }
                   auto wanted = host->resolve(sub[param::community].get<std::string>());
                   return wanted.ok() && *wanted == r.community;
                 });
  };
  return std::unique_ptr<node_daemon>(new node_daemon(std::move(p)));
}

node_daemon::node_daemon(std::unique_ptr<parts> p) : p_(std::move(p)) {}

node_daemon::~node_daemon() {
  if (p_ && p_->rpc) p_->rpc->stop();
}

void node_daemon::wait_for_signal() {
  p_->signals.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      reload();
      wait_for_signal();
      return;
    }
    spdlog::info("received {}; stopping", signo == SIGINT ? "SIGINT" : "SIGTERM");
    stop();
  });
}

// SIGHUP: reads config.json again and applies what can change while zwermd runs, the log
// level (unless --log-level set it); a bad file is reported and changes nothing. Everything
// else in the file is read at the next start.
void node_daemon::reload() {
  if (p_->log_file) {
    // Reopened first: an outside rotation (logrotate) moved the old file away.
    if (status s = set_log_destination(p_->log_file); !s.ok()) {
      spdlog::error("received SIGHUP; {}; the log goes on where it was", s.message());
    }
  }
  auto config = load_config(p_->home.config());
  if (!config) {
    spdlog::error("received SIGHUP; config.json not reloaded: {}", config.error().message());
    return;
  }
  const log_level level = p_->log_override.value_or(config->log);
  setup_logging(level);
  spdlog::info("received SIGHUP; config.json reloaded: log level {}{}", to_string(level),
               p_->log_override ? " (from --log-level)" : "");
}

int node_daemon::run() {
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is an error code, not a death
  wait_for_signal();
  p_->services.request_stop = [this] {
    if (p_->stopping || p_->stop_timer) return;
    spdlog::info("asked to stop over the local socket; stopping");
    // A moment later, so that the answer reaches the client before the socket closes.
    p_->stop_timer = std::make_unique<asio::steady_timer>(p_->io, std::chrono::milliseconds(100));
    p_->stop_timer->async_wait([this](const boost::system::error_code&) { stop(); });
  };
  p_->rpc->start();
  spdlog::info("zwermd {} started: member {} in {}", zwermd_version(),
               crypto::to_text(p_->identity.pk), p_->home.root.string());
  spdlog::info("local control on {} (mode 0600)", p_->home.socket().string());
  p_->io.run();
  spdlog::info("stopped cleanly");
  return exit_clean;
}

void node_daemon::stop() {
  if (p_->stopping) return;
  p_->stopping = true;
  boost::system::error_code ignored;
  p_->signals.cancel(ignored);
  p_->rpc->stop();
  p_->web->stop();
  p_->network->stop();  // sessions (goodbye), listener, dials, timers; peer books flushed
  // The store closes when the daemon object goes (after io.run() returned).
  // With the acceptor, the sessions and the signal wait gone, io.run() returns once the
  // coroutines have unwound.
}

}  // namespace zwerm::node
