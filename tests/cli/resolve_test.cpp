#include "cli/resolve.hpp"

#include <gtest/gtest.h>

namespace zwerm::cli {
namespace {

const std::vector<member_ref> members = {
    {"Ada4kQ1111111111111111111111111111111111111", "Ada"},
    {"AbX9zz2222222222222222222222222222222222222", "Bob"},
    {"AbY0aa3333333333333333333333333333333333333", "Cleo"},
    {"Zz01bb4444444444444444444444444444444444444", ""},
    {"Qq01bb5555555555555555555555555555555555555", "Sam"},
    {"Rr01bb6666666666666666666666666666666666666", "sam"},
};

std::string id_of(std::string_view query) {
  auto r = resolve_member(query, members);
  if (auto* m = std::get_if<member_ref>(&r)) return m->id;
  return "error: " + std::get<resolve_error>(r).message;
}

TEST(ResolveMember, ByNameIgnoringCase) {
  EXPECT_EQ(id_of("Bob"), members[1].id);
  EXPECT_EQ(id_of("cLeO"), members[2].id);
}

TEST(ResolveMember, NameWinsOverAnIdPrefixThatLooksLikeIt) {
  // "Ada" is also the start of Ada's own id; but "Ab" is only a prefix.
  EXPECT_EQ(id_of("Ada"), members[0].id);
}

TEST(ResolveMember, ByUniqueIdPrefixOrFullId) {
  EXPECT_EQ(id_of("AbX"), members[1].id);
  EXPECT_EQ(id_of("Zz"), members[3].id);
  EXPECT_EQ(id_of(members[2].id), members[2].id);
}

TEST(ResolveMember, AmbiguousPrefixListsTheCandidates) {
  auto r = resolve_member("Ab", members);
  ASSERT_TRUE(std::holds_alternative<resolve_error>(r));
  const auto& e = std::get<resolve_error>(r);
  EXPECT_EQ(e.kind, resolve_error::ambiguous);
  ASSERT_EQ(e.candidates.size(), 2u);
  EXPECT_NE(e.message.find("Bob (AbX9zz22)"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("Cleo (AbY0aa33)"), std::string::npos) << e.message;
}

TEST(ResolveMember, SharedNameIsAmbiguous) {
  auto r = resolve_member("SAM", members);
  ASSERT_TRUE(std::holds_alternative<resolve_error>(r));
  EXPECT_EQ(std::get<resolve_error>(r).kind, resolve_error::ambiguous);
  EXPECT_NE(std::get<resolve_error>(r).message.find("id prefix"), std::string::npos);
}

TEST(ResolveMember, UnknownAndEmpty) {
  auto r = resolve_member("Nobody", members);
  ASSERT_TRUE(std::holds_alternative<resolve_error>(r));
  EXPECT_EQ(std::get<resolve_error>(r).kind, resolve_error::unknown);
  EXPECT_NE(std::get<resolve_error>(r).message.find("'Nobody'"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<resolve_error>(resolve_member("", members)));
  EXPECT_TRUE(std::holds_alternative<resolve_error>(resolve_member("Ada", {})));
}

TEST(ResolveMember, DescribeUnnamed) {
  EXPECT_EQ(describe_member(members[3]), "Zz01bb44");
  EXPECT_EQ(describe_member(members[0]), "Ada (Ada4kQ11)");
}

}  // namespace
}  // namespace zwerm::cli
