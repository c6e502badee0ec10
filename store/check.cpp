// store::check(): walks every table and compares each index, head, digest and count with the
// records table. Reads everything through one snapshot; meant for tests and repair, not for
// the hot path.
#include <map>
#include <set>

#include "crypto/hash.hpp"
#include "store/db.hpp"
#include "store/frontier.hpp"
#include "store/keys.hpp"

namespace zwerm::store {

namespace {

using crypto::digest;
using crypto::public_key;
using feed_id = std::pair<community_id, public_key>;

class checker {
 public:
  // The caller has made sure that s.db is there, and `reader` holds it.
  checker(const store::impl& s, const db_reader&) : s_(s), snap_(s.db->GetSnapshot()) {}
  ~checker() { s_.db->ReleaseSnapshot(snap_); }

  status run() {
    if (auto st = records(); !st.ok()) return st;
    if (auto st = ids(); !st.ok()) return st;
    if (auto st = order(); !st.ok()) return st;
    if (auto st = heads(); !st.ok()) return st;
    if (auto st = digests_and_counts(); !st.ok()) return st;
    if (auto st = forks(); !st.ok()) return st;
    if (auto st = pending(); !st.ok()) return st;
    if (records_ != id_entries_) {
      problem(std::to_string(records_) + " records but " + std::to_string(id_entries_) +
              " id index entries");
    }
    if (records_ != order_entries_) {
      problem(std::to_string(records_) + " records but " + std::to_string(order_entries_) +
              " total-order index entries");
    }
    if (problems_.empty()) return {};
    std::string text =
        "check found " + std::to_string(problem_count_) + " problem(s) in " + s_.dir.string() + ":";
    for (const auto& p : problems_) text += "\n  - " + p;
    text += "\n" + repair_advice(s_.dir);
    return {status_code::corruption, text};
  }

 private:
  void problem(std::string p) {
    ++problem_count_;
    if (problems_.size() < 20) problems_.push_back(std::move(p));
  }

  std::string name(const feed_id& f) const {
    return "feed " + crypto::to_hex(f.second.view().substr(0, 6)) + "… of community " +
           crypto::to_hex(f.first.view().substr(0, 6)) + "…";
  }

  bool get(const std::string& key, std::string* v) {
    bool found = false;
    auto st = s_.get(key, v, &found, snap_);
    if (!st.ok()) {
      problem(st.message());
      return false;
    }
    return found;
  }

  status end(const prefix_iter& it, const char* what) {
    return from_leveldb(it.status(), s_.dir, what);
  }

  // The records table: each row under the hash of its payload, indexed by id and in total
  // order, and each feed a chain from seq 1.
  status records() {
    prefix_iter it(s_, std::string(1, keys::records), snap_);
    std::optional<feed_id> current;
    feed_head last{};
    for (; it.valid(); it.next()) {
      ++records_;
      keys::feed_key_parts k;
      record_entry e;
      if (!keys::parse_record_key(it.key(), &k) || !keys::decode_log_row(k, it.value(), &e)) {
        problem("an unreadable record");
        continue;
      }
      const record_id& id = e.id;
      if (e.bytes.size() <= 64 ||
          crypto::record_id_of(std::string_view(e.bytes).substr(0, e.bytes.size() - 64)) != id) {
        problem("record " + crypto::to_hex(id) +
                " does not hold the payload its id is the hash of");
      }
      ++community_records_[k.community];
      std::string v;
      if (!get(keys::id_key(id), &v) || v != keys::encode_position(k.community, k.author, k.seq)) {
        problem("record " + crypto::to_hex(id) + " is missing from the id index");
      }
      if (!get(keys::order_key(k.community, e.lamport, k.author, k.seq), &v)) {
        problem("record " + crypto::to_hex(id) + " is missing from the total-order index");
      }
      const feed_id f{k.community, k.author};
      if (!current || *current != f) {
        current = f;
        last = feed_head{k.author, 0, {}, 0, false};
      }
      if (k.seq != last.seq + 1) {
        problem(name(f) + " jumps from seq " + std::to_string(last.seq) + " to " +
                std::to_string(k.seq));
      } else if (k.seq > 1 && (!e.prev || *e.prev != last.id)) {
        problem(name(f) + " seq " + std::to_string(k.seq) + " does not chain onto its prev");
      } else if (k.seq > 1 && e.lamport <= last.lamport) {
        problem(name(f) + " seq " + std::to_string(k.seq) + " has a lamport not above its prev");
      }
      last = feed_head{k.author, k.seq, id, e.lamport, false};
      feed_tips_[f] = last;
    }
    return end(it, "check records");
  }

  // The record at a position: false (and a problem) when it is missing or unreadable.
  bool load_at(const keys::feed_key_parts& at, record_entry* e) {
    std::string v;
    return get(keys::record_key(at.community, at.author, at.seq), &v) &&
           keys::decode_log_row(at, v, e);
  }

  status ids() {
    prefix_iter it(s_, std::string(1, keys::record_ids), snap_);
    for (; it.valid(); it.next()) {
      ++id_entries_;
      record_id id;
      keys::feed_key_parts at;
      record_entry e;
      if (it.key().size() != 33 || !record_id::from(it.key().substr(1), &id) ||
          !keys::decode_position(it.value(), &at)) {
        problem("an unreadable id index entry");
        continue;
      }
      if (!load_at(at, &e) || e.id != id) {
        problem("id index entry " + crypto::to_hex(id) + " does not point at its record");
      }
    }
    return end(it, "check the id index");
  }

  status order() {
    prefix_iter it(s_, std::string(1, keys::order), snap_);
    for (; it.valid(); it.next()) {
      ++order_entries_;
      keys::order_key_parts k;
      record_entry e;
      if (!keys::parse_order_key(it.key(), &k) || !it.value().empty()) {
        problem("an unreadable total-order index entry");
        continue;
      }
      const keys::feed_key_parts at{k.community, k.pos.author, k.pos.seq, {}};
      if (!load_at(at, &e) || e.lamport != k.pos.lamport) {
        problem("total-order entry at lamport " + std::to_string(k.pos.lamport) +
                " does not match a record");
      }
    }
    return end(it, "check the total-order index");
  }

  status heads() {
    prefix_iter it(s_, std::string(1, keys::heads), snap_);
    std::set<feed_id> seen;
    for (; it.valid(); it.next()) {
      community_id c;
      public_key a;
      feed_head h;
      if (!keys::parse_head_key(it.key(), &c, &a) || !keys::decode_head(a, it.value(), &h)) {
        problem("an unreadable feed head");
        continue;
      }
      const feed_id f{c, a};
      seen.insert(f);
      auto tip = feed_tips_.find(f);
      if (tip == feed_tips_.end()) {
        problem(name(f) + " has a head but no records");
        continue;
      }
      if (tip->second.seq != h.seq || tip->second.id != h.id || tip->second.lamport != h.lamport) {
        problem(name(f) + " head says seq " + std::to_string(h.seq) + " but the feed ends at " +
                std::to_string(tip->second.seq));
      }
      heads_[f] = h;
      xor_into(&buckets_[c][a.bytes[0]], feed_hash(h));
      ++community_feeds_[c];
    }
    for (const auto& [f, tip] : feed_tips_) {
      if (!seen.contains(f)) problem(name(f) + " has records but no head");
    }
    return end(it, "check feed heads");
  }

  status digests_and_counts() {
    std::map<community_id, std::array<digest, 256>> stored;
    {
      prefix_iter it(s_, std::string(1, keys::buckets), snap_);
      for (; it.valid(); it.next()) {
        community_id c;
        digest d;
        if (it.key().size() != 34 || !community_id::from(it.key().substr(1, 32), &c) ||
            !digest::from(it.value(), &d)) {
          problem("an unreadable bucket digest");
          continue;
        }
        stored[c][static_cast<std::uint8_t>(it.key()[33])] = d;
      }
      if (auto st = end(it, "check bucket digests"); !st.ok()) return st;
    }
    std::set<community_id> all;
    for (const auto& [c, b] : stored) all.insert(c);
    for (const auto& [c, b] : buckets_) all.insert(c);
    for (const auto& c : all) {
      if (stored[c] != buckets_[c]) {
        problem("bucket digests of community " + crypto::to_hex(c.view().substr(0, 6)) +
                "… do not match its heads");
      }
    }
    prefix_iter it(s_, std::string(1, keys::communities), snap_);
    std::set<community_id> listed;
    for (; it.valid(); it.next()) {
      community_id c;
      if (it.key().size() != 33 || !community_id::from(it.key().substr(1), &c) ||
          it.value().size() != 16) {
        problem("an unreadable community entry");
        continue;
      }
      listed.insert(c);
      if (keys::get_u64(it.value()) != community_feeds_[c] ||
          keys::get_u64(it.value().substr(8)) != community_records_[c]) {
        problem("the counts of community " + crypto::to_hex(c.view().substr(0, 6)) +
                "… do not match its feeds and records");
      }
    }
    for (const auto& [c, n] : community_records_) {
      if (n > 0 && !listed.contains(c)) {
        problem("community " + crypto::to_hex(c.view().substr(0, 6)) + "… is not listed");
      }
    }
    return end(it, "check communities");
  }

  status forks() {
    prefix_iter it(s_, std::string(1, keys::forks), snap_);
    std::set<feed_id> with_proofs;
    for (; it.valid(); it.next()) {
      keys::feed_key_parts k;
      record_entry e;
      if (!keys::parse_feed_id_key(it.key(), &k) || !keys::decode_entry(k.id, it.value(), &e)) {
        problem("an unreadable fork proof");
        continue;
      }
      const feed_id f{k.community, k.author};
      with_proofs.insert(f);
      std::string v;
      record_id kept;
      if (!get(keys::record_key(k.community, k.author, k.seq), &v) || !keys::log_row_id(v, &kept) ||
          kept == k.id) {
        problem(name(f) + " has a fork proof at seq " + std::to_string(k.seq) +
                " without another record in the log");
      }
    }
    for (const auto& [f, h] : heads_) {
      if (h.forked != with_proofs.contains(f)) {
        problem(name(f) + (h.forked ? " is marked forked without a proof"
                                    : " has fork proofs but is not marked forked"));
      }
    }
    return end(it, "check fork proofs");
  }

  status pending() {
    std::map<feed_id, std::uint32_t> counts;
    std::uint64_t total = 0;
    {
      prefix_iter it(s_, std::string(1, keys::pending), snap_);
      for (; it.valid(); it.next()) {
        keys::feed_key_parts k;
        record_entry e;
        if (!keys::parse_feed_id_key(it.key(), &k) || !keys::decode_entry(k.id, it.value(), &e)) {
          problem("an unreadable pending record");
          continue;
        }
        const feed_id f{k.community, k.author};
        ++counts[f];
        ++total;
        const auto h = heads_.find(f);
        const std::uint64_t head_seq = h == heads_.end() ? 0 : h->second.seq;
        if (k.seq < head_seq + 2) {
          problem(name(f) + " holds seq " + std::to_string(k.seq) +
                  " as pending although its head is " + std::to_string(head_seq));
        }
      }
      if (auto st = end(it, "check pending records"); !st.ok()) return st;
    }
    prefix_iter it(s_, std::string(1, keys::pending_counts), snap_);
    std::map<feed_id, std::uint32_t> stored;
    for (; it.valid(); it.next()) {
      community_id c;
      public_key a;
      if (!keys::parse_head_key(it.key(), &c, &a) || it.value().size() != 4) {
        problem("an unreadable pending count");
        continue;
      }
      stored[{c, a}] = keys::get_u32(it.value());
    }
    if (stored != counts) problem("the pending counts per feed do not match the pending records");
    std::string v;
    const std::uint64_t meta =
        get(keys::meta_key(keys::meta_pending), &v) && v.size() == 8 ? keys::get_u64(v) : 0;
    if (meta != total) {
      problem("the pending counter says " + std::to_string(meta) + " but " + std::to_string(total) +
              " records are pending");
    }
    return end(it, "check pending counts");
  }

  const store::impl& s_;
  const leveldb::Snapshot* snap_;
  std::vector<std::string> problems_;
  std::uint64_t problem_count_ = 0;
  std::uint64_t records_ = 0, id_entries_ = 0, order_entries_ = 0;
  std::map<community_id, std::uint64_t> community_records_, community_feeds_;
  std::map<feed_id, feed_head> feed_tips_, heads_;
  std::map<community_id, std::array<digest, 256>> buckets_;
};

}  // namespace

status check_tables(const store::impl& s) {
  std::string v;
  bool found = false;
  if (auto st = s.get(keys::meta_key(keys::meta_schema), &v, &found); !st.ok()) return st;
  if (!found || v.size() != 4 || keys::get_u32(v) != schema_version) {
    return s.corruption("its schema version is missing or not " + std::to_string(schema_version));
  }
  db_reader reader(s);
  if (auto st = reader.error(); !st.ok()) return st;
  return checker(s, reader).run();
}

}  // namespace zwerm::store
