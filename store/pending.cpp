// store::drop_pending_after: drops the held records that go on from a record refused for good.
#include <set>

#include "store/db.hpp"
#include "store/keys.hpp"

namespace zwerm::store {

result<std::vector<record_entry>> store::drop_pending_after(const community_id& c,
                                                            const crypto::public_key& a,
                                                            std::uint64_t seq,
                                                            const record_id& id) {
  auto& s = *impl_;
  std::lock_guard lock(s.write_mu);
  if (auto st = s.writable(); !st.ok()) return st;
  std::vector<record_entry> dropped;
  // No record is held anywhere (the common case), or none of this feed: nothing to read on.
  if (s.pending_total == 0) return dropped;
  std::string v;
  bool found = false;
  if (auto st = s.get(keys::pending_count_key(c, a), &v, &found); !st.ok()) return st;
  if (!found) return dropped;
  if (v.size() != 4) return s.corruption("a pending count is unreadable");
  const std::uint32_t feed_count = keys::get_u32(v);

  // P keys sort by seq, so one pass from seq + 1 on meets each generation of successors after
  // the one it chains to: `parents` are the ids at parent_seq whose successors go, `children`
  // the ids dropped so far at parent_seq + 1.
  leveldb::WriteBatch wb;
  std::set<record_id> parents{id}, children;
  std::uint64_t parent_seq = seq;
  {
    prefix_iter it(s, keys::pending_prefix(c, a), keys::pending_key(c, a, seq + 1, record_id{}));
    for (; it.valid(); it.next()) {
      keys::feed_key_parts k;
      record_entry e;
      if (!keys::parse_feed_id_key(it.key(), &k) || !keys::decode_entry(k.id, it.value(), &e)) {
        return s.corruption("a pending record is unreadable");
      }
      if (k.seq > parent_seq + 1) {
        // A seq with nothing dropped, or none held at all, ends the chain.
        if (children.empty() || k.seq > parent_seq + 2) break;
        parents = std::move(children);
        children.clear();
        ++parent_seq;
      }
      if (!e.prev || !parents.contains(*e.prev)) continue;
      wb.Delete(sl(it.key()));
      children.insert(k.id);
      dropped.push_back(std::move(e));
    }
    if (auto st = from_leveldb(it.status(), s.dir, "read pending records"); !st.ok()) return st;
  }
  if (dropped.empty()) return dropped;
  if (dropped.size() > feed_count || dropped.size() > s.pending_total) {
    return s.corruption("a pending count is lower than the records it counts");
  }

  const std::uint32_t feed_left = feed_count - static_cast<std::uint32_t>(dropped.size());
  if (feed_left == 0) {
    wb.Delete(keys::pending_count_key(c, a));
  } else {
    std::string nv;
    keys::put_u32(&nv, feed_left);
    wb.Put(keys::pending_count_key(c, a), nv);
  }
  const std::uint64_t total_left = s.pending_total - dropped.size();
  std::string tv;
  keys::put_u64(&tv, total_left);
  wb.Put(keys::meta_key(keys::meta_pending), tv);
  if (auto st = s.commit(wb, "drop pending records"); !st.ok()) return st;
  s.pending_total = total_left;
  return dropped;
}

}  // namespace zwerm::store
