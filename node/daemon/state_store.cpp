#include "node/daemon/state_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "crypto/base64url.hpp"
#include "node/daemon/community_host.hpp"

namespace zwerm::node {
namespace {

constexpr std::size_t meta_size = 1 + 8 + 4 + 8 + 8 + 1 + 8 + 32 + 8 + 32;

std::string prefix_of(const community_id& c) {
  std::string k = "cstate/";
  k.append(c.view());
  return k;
}

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_be(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

std::string short_id(const community_id& c) {
  return crypto::to_text(c).substr(0, 8);
}

}  // namespace

std::string state_meta_key(const community_id& c) {
  return prefix_of(c) + "/m";
}

std::string state_chunk_key(const community_id& c, std::uint64_t generation, std::uint32_t i) {
  std::string k = prefix_of(c) + "/d";
  put_be(k, generation, 8);
  put_be(k, i, 4);
  return k;
}

std::string encode_state_meta(const persisted_state& m) {
  std::string out;
  out.reserve(meta_size);
  out.push_back(static_cast<char>(state_meta_version));
  put_be(out, m.generation, 8);
  put_be(out, m.chunks, 4);
  put_be(out, m.bytes, 8);
  put_be(out, m.applied, 8);
  out.push_back(m.head ? 1 : 0);
  const community::position head = m.head.value_or(community::position{});
  put_be(out, head.lamport, 8);
  out.append(head.author.view());
  put_be(out, head.seq, 8);
  out.append(32, '\0');
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
  m.chunks = static_cast<std::uint32_t>(get_be(in, at, 4)), at += 4;
  m.bytes = get_be(in, at, 8), at += 8;
  m.applied = get_be(in, at, 8), at += 8;
  const auto has_head = static_cast<unsigned char>(in[at++]);
  community::position head;
  head.lamport = get_be(in, at, 8), at += 8;
  crypto::public_key::from(in.substr(at, 32), &head.author), at += 32;
  head.seq = get_be(in, at, 8), at += 8;
  if (has_head > 1)
    return status{status_code::corruption, "the state meta's head flag is not 0 or 1"};
  if (has_head) m.head = head;
  if ((m.chunks == 0) != (m.bytes == 0) || m.chunks > m.bytes) {
    return status{status_code::corruption, "the state meta's chunk count does not fit its size"};
  }
  return m;
}

community::record_source store_record_source(store::store& s, const community_id& c) {
  return [&s, c](const std::optional<community::position>& after,
                 const community::record_visitor& visit) -> status {
    store::order_position from{};
    if (after) from = {after->lamport, after->author, after->seq};
    auto cursor = s.read_order(c, from);
    for (; cursor.valid(); cursor.next()) {
      if (after) {
        const auto p = cursor.position();
        if (p.lamport == after->lamport && p.author == after->author && p.seq == after->seq) {
          continue;  // strictly after
        }
      }
      auto r = record_from_store(cursor.entry());
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
  if (!*meta_bytes) return std::optional<std::string>();
  auto meta = decode_state_meta(**meta_bytes);
  if (!meta) {
    *why = meta.error().message();
    return std::optional<std::string>();
  }
  std::string bytes;
  bytes.reserve(meta->bytes);
  for (std::uint32_t i = 0; i < meta->chunks; ++i) {
    auto chunk = store_.get_view(state_chunk_key(c, meta->generation, i));
    if (!chunk) return chunk.error();
    if (!*chunk || bytes.size() + (*chunk)->size() > meta->bytes) {
      *why = "snapshot chunk " + std::to_string(i) + " of " + std::to_string(meta->chunks) +
             (*chunk ? " runs past the size in the meta" : " is missing");
      return std::optional<std::string>();
    }
    bytes.append(**chunk);
  }
  if (bytes.size() != meta->bytes) {
    *why = "the snapshot holds " + std::to_string(bytes.size()) + " bytes, the meta says " +
           std::to_string(meta->bytes);
    return std::optional<std::string>();
  }
  persisted_[c] = *meta;
  if (status s = erase_unnamed(c, meta->generation + 1); !s.ok()) return s;
  return std::optional<std::string>(std::move(bytes));
}

status state_store::erase_unnamed(const community_id& c, std::uint64_t generation) {
  // Chunks of a write interrupted before its meta: one lookup when there are none.
  auto first = store_.get_view(state_chunk_key(c, generation, 0));
  if (!first) return first.error();
  if (!*first) return {};
  std::string prefix = state_chunk_key(c, generation, 0);
  prefix.resize(prefix.size() - 4);
  auto chunks = store_.scan_views(prefix);
  if (!chunks) return chunks.error();
  std::vector<store::view_change> changes;
  for (auto& [key, value] : *chunks) changes.push_back({key, std::nullopt});
  spdlog::debug("community {}: erasing {} chunks of an interrupted snapshot write", short_id(c),
                changes.size());
  return store_.write_views(changes);
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
                                                const community::record_visitor& visit) -> status {
    return base(after, [&](const record& r) {
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
  auto chunks = store_.scan_views(prefix_of(c) + "/d");
  if (!chunks) return chunks.error();
  for (auto& [key, value] : *chunks) changes.push_back({key, std::nullopt});
  if (status s = store_.write_views(changes); !s.ok()) return s;
  persisted_.erase(c);
  return {};
}

status state_store::write(const community_id& c, community::replayer& rep) {
  std::string bytes = rep.persist_snapshot();
  persisted_state m;
  auto old = persisted_.find(c);
  m.generation = old == persisted_.end() ? 1 : old->second.generation + 1;
  m.bytes = bytes.size();
  m.applied = rep.current().applied();
  m.head = rep.current().head();
  const std::size_t chunk = std::max<std::size_t>(options_.chunk_bytes, 1);
  // Each chunk goes in a write of its own. One batch of the whole snapshot (95 MiB at a
  // million records) would stay in LevelDB's log until the next write, and every store open
  // until then would replay it into a table first (bench_daemon: about 0.3 s of CPU, plus the
  // compaction it starts). Written chunk by chunk, the memtable is handed to a table as the
  // chunks come and the log keeps only the last one and the meta. Nothing names the new
  // generation until the meta is written, last, in one batch with the erasure of the previous
  // generation: a crash in between leaves unnamed chunks, which the next write of the same
  // generation overwrites and discard() erases.
  for (std::size_t at = 0; at + chunk < bytes.size(); at += chunk) {
    std::array<store::view_change, 1> one{
        store::view_change{state_chunk_key(c, m.generation, m.chunks++), bytes.substr(at, chunk)}};
    if (status s = store_.write_views(one); !s.ok()) return s;
  }
  std::vector<store::view_change> changes;
  changes.reserve(2 + (old == persisted_.end() ? 0 : old->second.chunks));
  if (!bytes.empty()) {
    const std::size_t last = static_cast<std::size_t>(m.chunks) * chunk;
    changes.push_back({state_chunk_key(c, m.generation, m.chunks++), bytes.substr(last)});
  }
  changes.push_back({state_meta_key(c), encode_state_meta(m)});
  if (old != persisted_.end()) {
    for (std::uint32_t i = 0; i < old->second.chunks; ++i) {
      changes.push_back({state_chunk_key(c, old->second.generation, i), std::nullopt});
    }
  }
  if (status s = store_.write_views(changes); !s.ok()) return s;
  persisted_[c] = m;
  return {};
}

}  // namespace zwerm::node
