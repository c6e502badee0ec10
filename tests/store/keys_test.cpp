// The table layouts are part of the on-disk format: pin them byte for byte.
#include "store/keys.hpp"

#include <gtest/gtest.h>

#include "tests/store/synthetic.hpp"

namespace zwerm::store {
namespace {

using testing::author_named;
using testing::community_named;

TEST(StoreKeysTest, IntegersAreBigEndianSoKeysSortNumerically) {
  std::string a, b;
  keys::put_u64(&a, 255);
  keys::put_u64(&b, 256);
  EXPECT_EQ(crypto::to_hex(std::string_view(a)), "00000000000000ff");
  EXPECT_LT(a, b);
  EXPECT_EQ(keys::get_u64(b), 256u);
  const auto c = community_named("c");
  const auto x = author_named("x");
  EXPECT_LT(keys::record_key(c, x, 9), keys::record_key(c, x, 10));
  EXPECT_LT(keys::order_key(c, 9, x, 1), keys::order_key(c, 10, x, 1));
}

TEST(StoreKeysTest, Layouts) {
  const auto c = community_named("c");
  const auto a = author_named("a");
  const auto id = crypto::record_id_of("r");
  std::string seq7;
  keys::put_u64(&seq7, 7);
  EXPECT_EQ(keys::record_key(c, a, 7), "L" + c.str() + a.str() + seq7);
  EXPECT_EQ(keys::feed_prefix(c, a), "L" + c.str() + a.str());
  EXPECT_EQ(keys::id_key(id), "I" + id.str());
  EXPECT_EQ(keys::encode_position(c, a, 7), c.str() + a.str() + seq7);
  EXPECT_EQ(keys::order_key(c, 7, a, 7), "O" + c.str() + seq7 + a.str() + seq7);
  EXPECT_EQ(keys::v2_record_key(id), "R" + id.str());
  EXPECT_EQ(keys::v2_feed_key(c, a, 7), "S" + c.str() + a.str() + seq7);
  EXPECT_EQ(keys::head_key(c, a), "H" + c.str() + a.str());
  EXPECT_EQ(keys::bucket_key(c, 0xab), "B" + c.str() + "\xab");
  EXPECT_EQ(keys::pending_key(c, a, 7, id), "P" + c.str() + a.str() + seq7 + id.str());
  EXPECT_EQ(keys::fork_key(c, a, 7, id), "F" + c.str() + a.str() + seq7 + id.str());
  EXPECT_EQ(keys::meta_key("schema"), "Mschema");

  keys::feed_key_parts p;
  ASSERT_TRUE(keys::parse_feed_id_key(keys::pending_key(c, a, 7, id), &p));
  EXPECT_EQ(p.community, c);
  EXPECT_EQ(p.author, a);
  EXPECT_EQ(p.seq, 7u);
  EXPECT_EQ(p.id, id);
  ASSERT_TRUE(keys::parse_record_key(keys::record_key(c, a, 7), &p));
  EXPECT_EQ(p.community, c);
  EXPECT_EQ(p.author, a);
  EXPECT_EQ(p.seq, 7u);
  EXPECT_FALSE(keys::parse_record_key(keys::v2_feed_key(c, a, 7), &p));  // another table
  keys::feed_key_parts q;
  ASSERT_TRUE(keys::decode_position(keys::encode_position(c, a, 9), &q));
  EXPECT_EQ(q.community, c);
  EXPECT_EQ(q.author, a);
  EXPECT_EQ(q.seq, 9u);
  EXPECT_FALSE(keys::decode_position(keys::encode_position(c, a, 9) + "x", &q));
  keys::order_key_parts o;
  ASSERT_TRUE(keys::parse_order_key(keys::order_key(c, 5, a, 3), &o));
  EXPECT_EQ(o.pos.lamport, 5u);
  EXPECT_EQ(o.pos.seq, 3u);
  EXPECT_FALSE(keys::parse_order_key("O", &o));
  EXPECT_EQ(keys::prefix_end("ab\xff"), "ac");
}

TEST(StoreKeysTest, EntriesRoundTripAndBadValuesAreRefused) {
  auto e =
      testing::make_entry(community_named("c"), author_named("a"), 2, crypto::record_id_of("p"), 9);
  record_entry back;
  ASSERT_TRUE(keys::decode_entry(e.id, keys::encode_entry(e), &back));
  EXPECT_EQ(back.bytes, e.bytes);
  EXPECT_EQ(back.prev, e.prev);
  EXPECT_EQ(back.lamport, 9u);
  auto v = keys::encode_entry(e);
  EXPECT_FALSE(keys::decode_entry(e.id, v.substr(0, 50), &back));
  v[81] = 7;  // has_prev must be 0 or 1
  EXPECT_FALSE(keys::decode_entry(e.id, v, &back));
  v[0] = 2;  // unknown value version
  EXPECT_FALSE(keys::decode_entry(e.id, v, &back));

  // Log rows: the id and chain fields in the value, the position in the key.
  std::string row;
  keys::encode_log_row(e, &row);
  EXPECT_EQ(row.size(), 1 + 32 + 8 + 1 + 32 + e.bytes.size());
  EXPECT_EQ(row.substr(1, 32), e.id.str());
  const keys::feed_key_parts at{e.community, e.author, e.seq, {}};
  record_entry from_row;
  ASSERT_TRUE(keys::decode_log_row(at, row, &from_row));
  EXPECT_EQ(from_row.id, e.id);
  EXPECT_EQ(from_row.community, e.community);
  EXPECT_EQ(from_row.author, e.author);
  EXPECT_EQ(from_row.seq, 2u);
  EXPECT_EQ(from_row.prev, e.prev);
  EXPECT_EQ(from_row.lamport, 9u);
  EXPECT_EQ(from_row.bytes, e.bytes);
  record_id id;
  ASSERT_TRUE(keys::log_row_id(row, &id));
  EXPECT_EQ(id, e.id);
  EXPECT_FALSE(keys::decode_log_row(at, row.substr(0, 41), &from_row));  // cut before has_prev
  EXPECT_FALSE(keys::decode_log_row(at, row.substr(0, 60), &from_row));  // cut inside prev
  row[41] = 2;
  EXPECT_FALSE(keys::decode_log_row(at, row, &from_row));
  row[0] = 2;
  EXPECT_FALSE(keys::decode_log_row(at, row, &from_row));
  EXPECT_FALSE(keys::log_row_id(row, &id));

  feed_head h{author_named("a"), 3, e.id, 4, true}, h2;
  ASSERT_TRUE(keys::decode_head(h.author, keys::encode_head(h), &h2));
  EXPECT_EQ(h, h2);
  EXPECT_FALSE(keys::decode_head(h.author, "short", &h2));
}

}  // namespace
}  // namespace zwerm::store
