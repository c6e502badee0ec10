// JSON-RPC 2.0 as zwermd speaks it on <home>/zwermd.sock (docs/RPC.md): one JSON object per line
// ('\n'), UTF-8, named params only (an object or absent), no batches. Requests with an id get
// exactly one response line; requests without an id (JSON-RPC notifications) are executed and get
// none. The server may send notification lines
// ({"jsonrpc":"2.0","method":"watch.record","params":{...}}) to a client that called `watch`.
//
// Pure functions, no I/O: the server and the tests share them.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/status.hpp"
#include "node/rpc_contract/contract.hpp"

namespace zwerm::node::rpc {

using json = nlohmann::json;

// Error codes: the contract's (node/rpc_contract/contract.hpp, docs/RPC.md), named here too so
// that the daemon writes rpc::invalid_params.
using rpc_contract::error_code;
using enum rpc_contract::error_code;

struct error {
  int code = internal_error;
  std::string message;  // a sentence for people
  json data;            // optional details (e.g. candidate list of an ambiguous prefix)
};

// What a method returns: a result object or an error. A large result may be handed over as
// JSON text already written (`ok_text`), so that it is not built as nlohmann objects only to
// be dumped again: the members and balance views of a big community are written directly.
class reply {
 public:
  static reply ok(json result) { return reply(std::move(result)); }
  // `json_text` must be one valid JSON value; it is sent as the result byte for byte.
  static reply ok_text(std::string json_text) { return reply(text_result{std::move(json_text)}); }
  static reply fail(int code, std::string message, json data = nullptr) {
    return reply(error{code, std::move(message), std::move(data)});
  }
  // Maps a zwerm::status: invalid_argument -> invalid_params, not_found -> not_found,
  // unsupported -> not_available, everything else -> refused. An ok status becomes {}.
  static reply from_status(const status& s);

  bool is_ok() const { return v_.index() != 1; }
  // The result as JSON (a text result is parsed on first use).
  const json& result() const;
  const error& err() const { return std::get<1>(v_); }
  // The result as compact JSON text, for the wire.
  std::string result_text() const;

 private:
  struct text_result {
    std::string text;
  };
  explicit reply(json r) : v_(std::move(r)) {}
  explicit reply(error e) : v_(std::move(e)) {}
  explicit reply(text_result t) : v_(std::move(t)) {}
  std::variant<json, error, text_result> v_;
  mutable json parsed_;  // cache for result() of a text result
};

struct request {
  json id;  // number or string; null for a notification (no response is sent)
  bool has_id = false;
  std::string method;
  json params = json::object();  // always an object
};

// The deepest nesting of arrays and objects a request line may have, the request object itself
// being level 1 (so params may hold 62 more levels). parse_request refuses a deeper line before
// the JSON library sees it: parsing, copying and writing a JSON value recurse once per level,
// and a line of nothing but '[' would otherwise exhaust the I/O thread's stack.
inline constexpr std::size_t max_request_depth = 64;

// True when more than `limit` arrays and objects are open at some point of `text`. Only
// brackets outside JSON strings count; inside a string a backslash escapes the next character.
// One linear pass that stops at the first level over the limit, without allocating; `text`
// need not be valid JSON (a closing bracket with nothing open is ignored).
bool nests_deeper_than(std::string_view text, std::size_t limit);

// Parses one request line (without the '\n'). On failure returns the complete error
// response to send (id null, or the request's id when it could be read). A line nested deeper
// than max_request_depth is an invalid_request, answered without parsing it.
std::variant<request, json> parse_request(std::string_view line);

// {"jsonrpc":"2.0","id":id,"result":...} or
// {"jsonrpc":"2.0","id":id,"error":{code,message[,data]}}.
json make_response(const json& id, const reply& r);
json make_error_response(const json& id, int code, std::string message);
// The response as one wire line; a text result is spliced in without being parsed.
std::string response_line(const json& id, const reply& r);
// {"jsonrpc":"2.0","method":method,"params":params}
json make_notification(std::string_view method, json params);

// One line of the wire: compact JSON plus '\n'. Invalid UTF-8 in strings is replaced, never
// thrown (a record body is validated UTF-8 anyway; this guards against bugs).
std::string to_line(const json& message);

}  // namespace zwerm::node::rpc
