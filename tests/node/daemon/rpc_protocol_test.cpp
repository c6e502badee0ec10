#include "node/daemon/rpc_protocol.hpp"

#include <gtest/gtest.h>

namespace zwerm::node::rpc {
namespace {

int error_code_of(const std::variant<request, json>& parsed) {
  EXPECT_TRUE(std::holds_alternative<json>(parsed));
  if (!std::holds_alternative<json>(parsed)) return 0;
  return std::get<json>(parsed)["error"]["code"].get<int>();
}

TEST(RpcProtocol, ParsesARequest) {
  auto parsed = parse_request(R"({"jsonrpc":"2.0","id":7,"method":"status","params":{"a":1}})");
  ASSERT_TRUE(std::holds_alternative<request>(parsed));
  const auto& req = std::get<request>(parsed);
  EXPECT_EQ(req.id, 7);
  EXPECT_TRUE(req.has_id);
  EXPECT_EQ(req.method, "status");
  EXPECT_EQ(req.params["a"], 1);
}

TEST(RpcProtocol, NotificationAndMissingParams) {
  auto parsed = parse_request(R"({"jsonrpc":"2.0","method":"status"})");
  ASSERT_TRUE(std::holds_alternative<request>(parsed));
  EXPECT_FALSE(std::get<request>(parsed).has_id);
  EXPECT_TRUE(std::get<request>(parsed).params.is_object());
}

TEST(RpcProtocol, MalformedInputGetsTheRightCode) {
  EXPECT_EQ(error_code_of(parse_request("{not json")), parse_error);
  EXPECT_EQ(error_code_of(parse_request("")), parse_error);
  EXPECT_EQ(error_code_of(parse_request(R"([{"jsonrpc":"2.0","method":"a"}])")), invalid_request);
  EXPECT_EQ(error_code_of(parse_request("42")), invalid_request);
  EXPECT_EQ(error_code_of(parse_request(R"({"id":1,"method":"status"})")), invalid_request);
  EXPECT_EQ(error_code_of(parse_request(R"({"jsonrpc":"1.0","id":1,"method":"status"})")),
            invalid_request);
  EXPECT_EQ(error_code_of(parse_request(R"({"jsonrpc":"2.0","id":1,"method":3})")),
            invalid_request);
  EXPECT_EQ(error_code_of(parse_request(R"({"jsonrpc":"2.0","id":1.5,"method":"a"})")),
            invalid_request);
  EXPECT_EQ(error_code_of(parse_request(R"({"jsonrpc":"2.0","id":1,"method":"a","params":[1]})")),
            invalid_params);
}

TEST(RpcProtocol, ErrorKeepsTheIdWhenReadable) {
  auto parsed = parse_request(R"({"jsonrpc":"2.0","id":"x","method":"a","params":[1]})");
  ASSERT_TRUE(std::holds_alternative<json>(parsed));
  EXPECT_EQ(std::get<json>(parsed)["id"], "x");
}

TEST(RpcProtocol, ResponsesAndLines) {
  auto ok = make_response(3, reply::ok(json{{"x", 1}}));
  EXPECT_EQ(ok.dump(), R"({"id":3,"jsonrpc":"2.0","result":{"x":1}})");
  auto bad = make_response(3, reply::fail(refused, "no", json{{"why", 1}}));
  EXPECT_EQ(bad["error"]["code"], refused);
  EXPECT_EQ(bad["error"]["data"]["why"], 1);
  auto line = to_line(make_notification("watch.record", json{{"s", "\xff"}}));
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_FALSE(
      json::parse(line, nullptr, false).is_discarded());  // invalid UTF-8 was replaced, not thrown
}

TEST(RpcProtocol, StatusMapping) {
  EXPECT_EQ(reply::from_status({status_code::invalid_argument, "x"}).err().code, invalid_params);
  EXPECT_EQ(reply::from_status({status_code::not_found, "x"}).err().code, not_found);
  EXPECT_EQ(reply::from_status({status_code::unsupported, "x"}).err().code, not_available);
  EXPECT_EQ(reply::from_status({status_code::rejected, "x"}).err().code, refused);
  EXPECT_TRUE(reply::from_status({}).is_ok());
}

TEST(RpcProtocol, ATextResultIsSplicedInAsIsAndReadsLikeAnObjectResult) {
  const json id = 7;
  const reply as_object = reply::ok(json{{"b", 1}, {"a", json::array({"x", nullptr})}});
  const reply as_text = reply::ok_text(R"({"a":["x",null],"b":1})");
  EXPECT_EQ(response_line(id, as_text), to_line(make_response(id, as_object)));
  EXPECT_EQ(as_text.result(), as_object.result());
  const reply failed = reply::fail(refused, "no");
  EXPECT_EQ(response_line(id, failed), to_line(make_response(id, failed)));
}

}  // namespace
}  // namespace zwerm::node::rpc
