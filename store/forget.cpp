// store::forget_community: drops every row of one community in one synced batch.
#include "store/db.hpp"
#include "store/keys.hpp"

namespace zwerm::store {

result<std::uint64_t> store::forget_community(const community_id& c) {
  std::lock_guard lock(impl_->write_mu);
  if (auto st = impl_->writable(); !st.ok()) return st;
  leveldb::WriteBatch wb;
  std::uint64_t records = 0, pending = 0;
  const std::string cb(reinterpret_cast<const char*>(c.data()), c.size());
  // The community's tables all start with its table byte and the community id.
  for (char t : {char(keys::records), char(keys::order), char(keys::heads), char(keys::buckets),
                 char(keys::communities), char(keys::forks), char(keys::pending),
                 char(keys::pending_counts), char(keys::peers)}) {
    prefix_iter it(*impl_, std::string(1, t) + cb);
    for (; it.valid(); it.next()) {
      wb.Delete(sl(it.key()));
      if (t == keys::records) {
        // The record's row in the id index goes too.
        record_id id;
        if (!keys::log_row_id(it.value(), &id)) return impl_->corruption("a record is unreadable");
        wb.Delete(keys::id_key(id));
        ++records;
      }
      if (t == keys::pending) ++pending;
    }
    if (auto st = from_leveldb(it.status(), impl_->dir, "forget a community"); !st.ok()) return st;
  }
  const std::uint64_t left = impl_->pending_total >= pending ? impl_->pending_total - pending : 0;
  std::string v;
  keys::put_u64(&v, left);
  wb.Put(keys::meta_key(keys::meta_pending), v);
  if (auto st = impl_->commit(wb, "forget a community"); !st.ok()) return st;
  impl_->pending_total = left;
  return records;
}

}  // namespace zwerm::store
