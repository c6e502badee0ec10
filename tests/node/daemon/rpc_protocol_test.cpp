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

// A request `levels` deep in all: the request object is level 1, params level 2, and inside
// params an array nested levels - 2 deep.
std::string request_nested(std::size_t levels, char open = '[') {
  std::string line = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"deep":)";
  const std::size_t inner = levels - 2;
  for (std::size_t i = 0; i < inner; ++i) line += open == '[' ? "[" : "{\"a\":";
  line += "0";
  for (std::size_t i = 0; i < inner; ++i) line += open == '[' ? ']' : '}';
  line += "}}";
  return line;
}

// Regression: params nested ~87,000 levels deep crashed zwermd (stack overflow in the JSON
// library's recursion); the 1 MiB line limit allows 524,288 levels.
TEST(RpcProtocol, DeepNestingIsRefusedBeforeParsing) {
  for (char open : {'[', '{'}) {
    SCOPED_TRACE(std::string(1, open));
    auto parsed = parse_request(request_nested(100'000, open));
    ASSERT_TRUE(std::holds_alternative<json>(parsed));
    const json& error = std::get<json>(parsed)["error"];
    EXPECT_EQ(error["code"], invalid_request);
    EXPECT_EQ(error["message"], "the request nests deeper than 64 levels of arrays and objects");
    EXPECT_TRUE(std::get<json>(parsed)["id"].is_null());
  }
  // Unbalanced, unterminated: still refused by the scan, not handed to the parser.
  EXPECT_EQ(error_code_of(parse_request(std::string(524'288, '['))), invalid_request);
  EXPECT_EQ(error_code_of(parse_request(R"({"a":)" + std::string(100'000, '{'))), invalid_request);
}

TEST(RpcProtocol, NestingUpToTheLimitIsAccepted) {
  for (char open : {'[', '{'}) {
    SCOPED_TRACE(std::string(1, open));
    auto at_limit = parse_request(request_nested(max_request_depth, open));
    ASSERT_TRUE(std::holds_alternative<request>(at_limit));
    EXPECT_TRUE(std::get<request>(at_limit).params.contains("deep"));
    EXPECT_EQ(error_code_of(parse_request(request_nested(max_request_depth + 1, open))),
              invalid_request);
  }
}

TEST(RpcProtocol, BracketsInsideStringsDoNotCountTowardTheDepth) {
  // 1,000 brackets in a string, behind escaped quotes and escaped backslashes.
  std::string text = R"(x \" [{ \\)" + std::string(500, '[') + std::string(500, '{') + R"( \")";
  std::string line = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"s":")" + text + "\"}}";
  auto parsed = parse_request(line);
  ASSERT_TRUE(std::holds_alternative<request>(parsed));
  EXPECT_EQ(std::get<request>(parsed).params["s"],
            "x \" [{ \\" + std::string(500, '[') + std::string(500, '{') + " \"");
  // Brackets in a key count no more than in a value.
  auto in_key = parse_request(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{")" +
                              std::string(200, '[') + R"(":1}})");
  EXPECT_TRUE(std::holds_alternative<request>(in_key));
  // An escaped backslash ends right before the closing quote: what follows is outside again.
  EXPECT_TRUE(nests_deeper_than(R"(["\\",)" + std::string(64, '[') + std::string(65, ']'), 64));
  EXPECT_FALSE(nests_deeper_than(R"(["\"[[[[",[]])", 2));
  EXPECT_TRUE(nests_deeper_than(R"(["\"[[[[",[[]]])", 2));
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
