#include "node/daemon/state_store.hpp"

#include <fcntl.h>
#include <snappy.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "base/base64url.hpp"
#include "base/bytes.hpp"
#include "base/checksum.hpp"
#include "base/durable_file.hpp"
#include "node/daemon/community_host.hpp"
#include "node/ingest/stored_record.hpp"

namespace zwerm::node {
namespace {

using crypto::get_be;
using crypto::put_be;

constexpr std::size_t meta_size = 1 + 8 + 4 + 8 + 8 + 1 + 8 + 32 + 8 + 32;

std::string prefix_of(const community_id& c) {
  std::string k = "cstate/";
  k.append(c.view());
  return k;
}

using crypto::short_id;

// The whole file, or nullopt with `why` when it is missing or unreadable.
std::optional<std::string> read_file(const std::filesystem::path& file, std::size_t expected,
                                     std::string* why) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *why = errno == ENOENT ? "its file " + file.filename().string() + " is missing"
                           : "its file cannot be opened: " + std::string(std::strerror(errno));
    return std::nullopt;
  }
  std::string bytes(expected + 1, '\0');  // one more, to see a longer file
  std::size_t at = 0;
  for (;;) {
    const ssize_t n = ::read(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = "its file cannot be read: " + std::string(std::strerror(errno));
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0 || (at += static_cast<std::size_t>(n)) == bytes.size()) break;
  }
  ::close(fd);
  if (at != expected) {
    *why = "its file holds " + std::string(at > expected ? "more than " : "") + std::to_string(at) +
           " bytes, the meta says " + std::to_string(expected);
    return std::nullopt;
  }
  bytes.resize(at);
  return bytes;
}

// The snapshot bytes from a file's bytes in `encoding`, in place; false with `why` when the
// file cannot be decoded.
bool decode_file(snapshot_encoding encoding, std::string* bytes, std::string* why) {
  switch (encoding) {
    case snapshot_encoding::plain:
      return true;
    case snapshot_encoding::snappy: {
      // Snappy's format states the length first; a damaged length must not make this allocate
      // more than a genuine file can expand to (Snappy's best ratio is under 22:1).
      std::size_t length = 0;
      if (!snappy::GetUncompressedLength(bytes->data(), bytes->size(), &length) ||
          length / 32 > bytes->size()) {
        *why = "its file does not decompress (a damaged Snappy length)";
        return false;
      }
      std::string plain;
      if (!snappy::Uncompress(bytes->data(), bytes->size(), &plain)) {
        *why = "its file does not decompress (damaged Snappy data)";
        return false;
      }
      *bytes = std::move(plain);
      return true;
    }
  }
  *why = "its file has encoding " + std::to_string(static_cast<std::uint32_t>(encoding)) +
         ", which this build does not read";
  return false;
}

}  // namespace

std::string state_meta_key(const community_id& c) {
  return prefix_of(c) + "/m";
}

std::filesystem::path state_snapshot_dir(const std::filesystem::path& store_dir) {
  return store_dir / "snapshots";
}

std::filesystem::path state_snapshot_file(const std::filesystem::path& store_dir,
                                          const community_id& c, std::uint64_t generation) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string name = crypto::to_hex(c) + "-";
  for (int shift = 60; shift >= 0; shift -= 4) name.push_back(digits[(generation >> shift) & 0xf]);
  name += ".snapshot";
  return state_snapshot_dir(store_dir) / name;
}

std::string encode_state_meta(const persisted_state& m) {
  std::string out;
  out.reserve(meta_size);
  out.push_back(static_cast<char>(state_meta_version));
  put_be(out, m.generation, 8);
  put_be(out, static_cast<std::uint32_t>(m.encoding), 4);
  put_be(out, m.bytes, 8);
  put_be(out, m.applied, 8);
  out.push_back(m.head ? 1 : 0);
  const community::position head = m.head.value_or(community::position{});
  put_be(out, head.lamport, 8);
  out.append(head.author.view());
  put_be(out, head.seq, 8);
  put_be(out, m.checksum, 8);
  out.append(24, '\0');
  return out;
}

result<persisted_state> decode_state_meta(std::string_view in) {
  if (in.empty()) return status{status_code::corruption, "the state meta is empty"};
  const auto version = static_cast<unsigned char>(in[0]);
  if (version != state_meta_version) {
    return status{status_code::unsupported,
                  "the state meta has format version " + std::to_string(version) +
                      ", this build reads version " + std::to_string(state_meta_version)};
  }
  if (in.size() != meta_size) {
    return status{status_code::corruption, "the state meta is " + std::to_string(in.size()) +
                                               " bytes long, not " + std::to_string(meta_size)};
  }
  persisted_state m;
  std::size_t at = 1;
  m.generation = get_be(in, at, 8), at += 8;
  m.encoding = static_cast<snapshot_encoding>(get_be(in, at, 4)), at += 4;
  m.bytes = get_be(in, at, 8), at += 8;
  m.applied = get_be(in, at, 8), at += 8;
  const auto has_head = static_cast<unsigned char>(in[at++]);
  community::position head;
  head.lamport = get_be(in, at, 8), at += 8;
  crypto::public_key::from(in.substr(at, 32), &head.author), at += 32;
  head.seq = get_be(in, at, 8), at += 8;
  m.checksum = get_be(in, at, 8), at += 8;
  if (has_head > 1)
    return status{status_code::corruption, "the state meta's head flag is not 0 or 1"};
  if (has_head) m.head = head;
  return m;
}

community::record_source store_record_source(store::store& s, const community_id& c,
                                             const recent_records* recent) {
  return [&s, c, recent](const std::optional<community::position>& after,
                         const community::position_filter& needed,
                         const community::record_visitor& visit) -> status {
    store::order_position from{};
    if (after) from = {after->lamport, after->author, after->seq};
    auto cursor = s.read_order(c, from);
    for (; cursor.valid(); cursor.next()) {
      const auto at = cursor.position();
      const community::position p{at.lamport, at.author, at.seq};
      if (after && p == *after) continue;  // strictly after
      if (needed && !needed(p)) continue;  // read only what the replay lacks
      if (recent) {
        if (auto it = recent->find(p); it != recent->end()) {
          if (!visit(it->second)) break;
          continue;
        }
      }
      const store::record_entry* e = cursor.entry();
      if (!e) break;
      auto r = record_from_store(*e);
      if (!r) return r.error();
      if (!visit(*r)) break;
    }
    return cursor.error();
  };
}

state_store::state_store(store::store& s, state_store_options options)
    : store_(s), options_(options) {}

std::optional<persisted_state> state_store::persisted(const community_id& c) const {
  auto it = persisted_.find(c);
  if (it == persisted_.end()) return std::nullopt;
  return it->second;
}

result<std::optional<std::string>> state_store::load(const community_id& c, std::string* why) {
  auto meta_bytes = store_.get_view(state_meta_key(c));
  if (!meta_bytes) return meta_bytes.error();
  if (!*meta_bytes) {
    remove_files(c, std::nullopt);  // left by a write interrupted before its meta
    return std::optional<std::string>();
  }
  auto meta = decode_state_meta(**meta_bytes);
  if (!meta) {
    *why = meta.error().message();
    return std::optional<std::string>();
  }
  auto bytes = read_file(state_snapshot_file(store_.dir(), c, meta->generation), meta->bytes, why);
  if (!bytes) return std::optional<std::string>();
  if (crypto::xxh64(*bytes) != meta->checksum) {
    *why = "its file's checksum differs from the meta's (the file is damaged)";
    return std::optional<std::string>();
  }
  if (!decode_file(meta->encoding, &*bytes, why)) return std::optional<std::string>();
  persisted_[c] = *meta;
  remove_files(c, meta->generation);
  return std::optional<std::string>(std::move(*bytes));
}

void state_store::remove_files(const community_id& c, std::optional<std::uint64_t> keep) {
  // Names are <hex c>-<generation>.snapshot, and .tmp files of interrupted writes.
  const std::string prefix = crypto::to_hex(c) + "-";
  const std::string kept =
      keep ? state_snapshot_file(store_.dir(), c, *keep).filename().string() : std::string();
  std::error_code ec;
  std::filesystem::directory_iterator it(state_snapshot_dir(store_.dir()), ec), end;
  std::size_t removed = 0;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix) || name == kept) continue;
    std::error_code rm;
    if (std::filesystem::remove(it->path(), rm)) ++removed;
    if (rm) {
      spdlog::warn("community {}: could not remove the old state snapshot {} ({})", short_id(c),
                   it->path().string(), rm.message());
    }
  }
  if (removed > 0) {
    spdlog::debug("community {}: removed {} state snapshot files no meta names", short_id(c),
                  removed);
  }
}

result<std::unique_ptr<community::replayer>> state_store::restore(const community_id& c,
                                                                  restore_report* report) {
  restore_report local;
  restore_report& rep_out = report ? *report : local;
  rep_out = {};
  persisted_.erase(c);

  std::uint64_t stored = 0;
  auto listed = store_.communities();
  if (!listed) return listed.error();
  for (const auto& summary : *listed) {
    if (summary.id == c) stored = summary.records;
  }

  const auto base = store_record_source(store_, c);
  std::uint64_t replayed = 0;
  const community::record_source counting = [&](const std::optional<community::position>& after,
                                                const community::position_filter& needed,
                                                const community::record_visitor& visit) -> status {
    return base(after, needed, [&](const record& r) {
      ++replayed;
      return visit(r);
    });
  };

  std::string why;
  auto bytes = load(c, &why);
  if (!bytes) return bytes.error();
  if (*bytes) {
    auto opened = community::replayer::open(c, **bytes, counting, options_.replayer);
    if (!opened && opened.error().code() == status_code::io_error) return opened.error();
    if (!opened) {
      why = "it does not decode: " + opened.error().message();
    } else if ((*opened)->current().applied() != stored) {
      why = "it is stale: with the " + std::to_string(replayed) +
            " records after its head it covers " + std::to_string((*opened)->current().applied()) +
            " records, the store holds " + std::to_string(stored);
    } else {
      rep_out.from_snapshot = true;
      rep_out.replayed = replayed;
      // A tail of persist_interval records or more is not persisted here: the node answers
      // first, and the replayer's persist_due() has the next absorb (or the close) write it.
      return std::move(*opened);
    }
  }
  if (!why.empty()) {
    spdlog::warn(
        "community {}: the persisted state snapshot is not used ({}); rebuilding the "
        "state from the log",
        short_id(c), why);
    rep_out.discarded = why;
    if (status s = discard(c); !s.ok()) return s;
  }
  replayed = 0;
  auto opened = community::replayer::open(c, std::nullopt, counting, options_.replayer);
  if (!opened) return opened.error();
  rep_out.replayed = replayed;
  if ((*opened)->current().applied() > 0) {
    if (status s = write(c, **opened); !s.ok()) return s;
    rep_out.persisted = true;
  }
  return std::move(*opened);
}

status state_store::absorbed(const community_id& c, community::replayer& rep,
                             const community::absorb_result& r) {
  auto it = persisted_.find(c);
  if (it != persisted_.end() && r.earliest &&
      (!it->second.head || *r.earliest <= *it->second.head)) {
    spdlog::debug(
        "community {}: a record before the persisted snapshot's head arrived; the "
        "snapshot is erased",
        short_id(c));
    if (status s = discard(c); !s.ok()) return s;
  }
  if (rep.persist_due()) return write(c, rep);
  return {};
}

status state_store::checkpoint(const community_id& c, community::replayer& rep) {
  const auto& st = rep.current();
  if (st.applied() == 0) return {};
  auto it = persisted_.find(c);
  if (it != persisted_.end() && it->second.applied == st.applied() &&
      it->second.head == st.head()) {
    return {};
  }
  return write(c, rep);
}

status state_store::persist(const community_id& c, community::replayer& rep) {
  return write(c, rep);
}

status state_store::discard(const community_id& c) {
  std::vector<store::view_change> changes;
  changes.push_back({state_meta_key(c), std::nullopt});
  // Chunks of version 1 snapshots, which lived in the views table.
  auto chunks = store_.scan_views(prefix_of(c) + "/d");
  if (!chunks) return chunks.error();
  for (auto& [key, value] : *chunks) changes.push_back({key, std::nullopt});
  if (status s = store_.write_views(changes); !s.ok()) return s;
  persisted_.erase(c);
  remove_files(c, std::nullopt);
  return {};
}

status state_store::write(const community_id& c, community::replayer& rep) {
  const std::string plain = rep.persist_snapshot();
  std::string bytes;
  snappy::Compress(plain.data(), plain.size(), &bytes);
  persisted_state m;
  auto old = persisted_.find(c);
  m.generation = old == persisted_.end() ? 1 : old->second.generation + 1;
  m.encoding = snapshot_encoding::snappy;
  m.bytes = bytes.size();
  m.applied = rep.current().applied();
  m.head = rep.current().head();
  m.checksum = crypto::xxh64(bytes);
  // The file first, complete and synced; nothing names it until the meta is written.
  if (status s = replace_file(state_snapshot_file(store_.dir(), c, m.generation), bytes,
                              "the state snapshot");
      !s.ok()) {
    return s;
  }
  std::array<store::view_change, 1> meta{
      store::view_change{state_meta_key(c), encode_state_meta(m)}};
  if (status s = store_.write_views(meta); !s.ok()) return s;
  const std::optional<std::uint64_t> previous =
      old == persisted_.end() ? std::nullopt : std::optional<std::uint64_t>(old->second.generation);
  persisted_[c] = m;
  if (previous) {
    std::error_code ec;
    std::filesystem::remove(state_snapshot_file(store_.dir(), c, *previous), ec);
    if (ec) {
      spdlog::warn(
          "community {}: could not remove the previous state snapshot ({}); the next "
          "start removes it",
          short_id(c), ec.message());
    }
  }
  return {};
}

}  // namespace zwerm::node
