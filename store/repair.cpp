// store::repair(): rebuilds everything derived from the records table.
//
// 1. Open the database; when it does not open, or its table files are truncated, run
//    leveldb::RepairDB (which salvages what it can from the table and log files) and open it.
//    A store of an older schema has its records moved to the current layout first (the
//    migration's own step, which leaves unreadable records behind).
// 2. Drop every derived table (id and order indexes, heads, digests, communities, pending
//    counts) and set aside the records that are not part of a clean chain: fork proofs,
//    pending records and any record of the records table beyond a gap or a broken chain.
// 3. Rebuild the indexes, heads, digests and counts feed by feed from the records that chain
//    from seq 1, walking the records table, which is sorted by (community, author, seq).
// 4. Feed the set-aside records through the normal ingest path, which holds them as pending,
//    turns them into fork proofs, or appends them when they now fit.
#include <map>

#include "crypto/hash.hpp"
#include "store/db.hpp"
#include "store/frontier.hpp"
#include "store/keys.hpp"

namespace zwerm::store {

namespace {

using crypto::digest;
using crypto::public_key;

status drop_prefix(leveldb::DB& db, const std::filesystem::path& dir, char table) {
  chunked_writer w(db, dir, "repair");
  std::unique_ptr<leveldb::Iterator> it(db.NewIterator({}));
  const std::string prefix(1, table);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    w.batch().Delete(it->key());
    if (auto st = w.maybe_flush(); !st.ok()) return st;
  }
  if (!it->status().ok()) return from_leveldb(it->status(), dir, "repair");
  return w.flush(false);
}

struct repair_stats {
  std::uint64_t unreadable = 0, set_aside = 0;
  bool leveldb_repaired = false;
};

// Steps 2 and 3 on the raw database. Set-aside records are appended to `leftovers`.
status rebuild(leveldb::DB& db, const std::filesystem::path& dir,
               std::vector<record_entry>* leftovers, repair_stats* stats) {
  for (char t : {keys::record_ids, keys::order, keys::heads, keys::buckets, keys::communities,
                 keys::pending_counts}) {
    if (auto st = drop_prefix(db, dir, t); !st.ok()) return st;
  }
  // Fork proofs and pending records go back through ingest at the end.
  for (char t : {keys::forks, keys::pending}) {
    chunked_writer w(db, dir, "repair");
    std::unique_ptr<leveldb::Iterator> it(db.NewIterator({}));
    const std::string prefix(1, t);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      keys::feed_key_parts k;
      record_entry e;
      if (keys::parse_feed_id_key(sv(it->key()), &k) &&
          keys::decode_entry(k.id, sv(it->value()), &e)) {
        leftovers->push_back(std::move(e));
      } else {
        ++stats->unreadable;
      }
      w.batch().Delete(it->key());
      if (auto st = w.maybe_flush(); !st.ok()) return st;
    }
    if (!it->status().ok()) return from_leveldb(it->status(), dir, "repair");
    if (auto st = w.flush(false); !st.ok()) return st;
  }
  chunked_writer w(db, dir, "repair");
  w.batch().Delete(keys::meta_key(keys::meta_pending));

  // The records table in order: rebuild each feed's chain from seq 1.
  std::map<community_id, std::array<digest, 256>> buckets;
  std::map<community_id, std::pair<std::uint64_t, std::uint64_t>> counts;
  std::unique_ptr<leveldb::Iterator> it(db.NewIterator({}));
  const std::string prefix(1, keys::records);
  std::optional<std::pair<community_id, public_key>> feed;
  feed_head head{};
  auto close_feed = [&]() {
    if (!feed || head.seq == 0) return;
    w.batch().Put(keys::head_key(feed->first, feed->second), keys::encode_head(head));
    xor_into(&buckets[feed->first][feed->second.bytes[0]], feed_hash(head));
    ++counts[feed->first].first;
  };
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    keys::feed_key_parts k;
    record_entry e;
    const bool readable =
        keys::parse_record_key(sv(it->key()), &k) && keys::decode_log_row(k, sv(it->value()), &e) &&
        e.bytes.size() > 64 &&
        crypto::record_id_of(std::string_view(e.bytes).substr(0, e.bytes.size() - 64)) == e.id;
    if (!readable) {
      ++stats->unreadable;
      w.batch().Delete(it->key());
      if (auto st = w.maybe_flush(); !st.ok()) return st;
      continue;
    }
    if (!feed || feed->first != k.community || feed->second != k.author) {
      close_feed();
      feed.emplace(k.community, k.author);
      head = feed_head{k.author, 0, {}, 0, false};
    }
    const bool chains =
        k.seq == head.seq + 1 &&
        (k.seq == 1 ? !e.prev : e.prev && *e.prev == head.id && e.lamport > head.lamport);
    if (chains) {
      w.batch().Put(keys::id_key(e.id), keys::encode_position(k.community, k.author, k.seq));
      w.batch().Put(keys::order_key(k.community, e.lamport, k.author, k.seq), {});
      head = feed_head{k.author, k.seq, e.id, e.lamport, false};
      ++counts[k.community].second;
    } else {
      // Not part of the clean chain: out of the log, back in through ingest.
      w.batch().Delete(it->key());
      leftovers->push_back(std::move(e));
      ++stats->set_aside;
    }
    if (auto st = w.maybe_flush(); !st.ok()) return st;
  }
  if (!it->status().ok()) return from_leveldb(it->status(), dir, "repair");
  close_feed();
  for (const auto& [c, b] : buckets) {
    for (int i = 0; i < 256; ++i) {
      if (!b[i].is_zero()) {
        w.batch().Put(keys::bucket_key(c, static_cast<std::uint8_t>(i)), sl(b[i].view()));
      }
    }
  }
  for (const auto& [c, n] : counts) {
    std::string v;
    keys::put_u64(&v, n.first);
    keys::put_u64(&v, n.second);
    w.batch().Put(keys::community_key(c), v);
  }
  std::string v;
  keys::put_u32(&v, schema_version);
  w.batch().Put(keys::meta_key(keys::meta_schema), v);
  return w.flush(true);
}

}  // namespace

result<std::string> store::repair(const std::filesystem::path& dir, const options& opts) {
  repair_stats stats;
  std::vector<record_entry> leftovers;
  {
    leveldb_setup setup(opts);
    setup.ldb.create_if_missing = false;
    leveldb::Env* env = setup.ldb.env;
    if (!env->FileExists(dir.string())) {
      return status{status_code::not_found, "there is no store in " + dir.string()};
    }
    leveldb::DB* raw = nullptr;
    auto s = leveldb::DB::Open(setup.ldb, dir.string(), &raw);
    std::unique_ptr<leveldb::DB> db(raw);
    if (s.ok() && !check_table_files(*db, env, dir).ok()) {
      db.reset();
      s = leveldb::Status::Corruption("a table file is truncated or overwritten");
    }
    if (!s.ok()) {
      auto st = from_leveldb(s, dir, "open the store");
      if (st.code() == status_code::busy) return st;
      db.reset();
      auto rs = leveldb::RepairDB(dir.string(), setup.ldb);
      if (!rs.ok()) return from_leveldb(rs, dir, "salvage the database files");
      stats.leveldb_repaired = true;
      raw = nullptr;
      s = leveldb::DB::Open(setup.ldb, dir.string(), &raw);
      db.reset(raw);
      if (!s.ok()) return from_leveldb(s, dir, "open the store after salvaging its files");
    }
    std::string v;
    s = db->Get({}, keys::meta_key(keys::meta_schema), &v);
    const std::uint32_t version = s.ok() && v.size() == 4 ? keys::get_u32(v) : 0;
    if (version > schema_version) {
      return status{status_code::unsupported,
                    "the store in " + dir.string() + " was written by a newer zwerm (schema " +
                        std::to_string(version) + "); this zwermd cannot repair it"};
    }
    // Records of an older layout (or of an unknown one: the version may be what was lost)
    // move to the current one first.
    std::string retired;
    if (version < 3) {
      if (auto st = v2_to_v3(*db, dir, &stats.unreadable); !st.ok()) return st;
    } else if (db->Get({}, keys::meta_key(keys::meta_retired), &retired).ok()) {
      if (auto st = delete_retired_rows(*db, dir); !st.ok()) return st;
    }
    if (auto st = rebuild(*db, dir, &leftovers, &stats); !st.ok()) return st;
    db->CompactRange(nullptr, nullptr);
  }

  auto opened = store::open(dir, opts);
  if (!opened) return opened.error();
  auto& st = **opened;
  std::uint64_t pending = 0, forked = 0, dropped = 0;
  for (std::size_t i = 0; i < leftovers.size(); i += 1000) {
    const auto n = std::min<std::size_t>(1000, leftovers.size() - i);
    auto report = st.ingest(std::span(leftovers).subspan(i, n));
    if (!report) return report.error();
    for (const auto& o : report->outcomes) {
      if (o.kind == outcome::pending) ++pending;
      if (o.kind == outcome::forked) ++forked;
      if (o.kind == outcome::dropped) ++dropped;
    }
  }
  if (auto c = st.check(); !c.ok()) return c;
  auto communities = st.communities();
  if (!communities) return communities.error();
  std::uint64_t records = 0, feeds = 0;
  for (const auto& c : *communities) {
    records += c.records;
    feeds += c.feeds;
  }
  std::string summary = "repaired " + dir.string() + ": " + std::to_string(records) +
                        " records in " + std::to_string(feeds) + " feeds of " +
                        std::to_string(communities->size()) + " communities";
  if (stats.leveldb_repaired) summary += "; LevelDB salvaged the damaged files first";
  summary += "; " + std::to_string(pending) + " records wait in the pending area";
  summary += "; " + std::to_string(forked) + " fork proofs kept";
  if (dropped > 0)
    summary += "; " + std::to_string(dropped) + " records did not fit and were dropped";
  if (stats.unreadable > 0) {
    summary += "; " + std::to_string(stats.unreadable) + " unreadable entries removed";
  }
  return summary;
}

}  // namespace zwerm::store
