#include "node/daemon/rpc_protocol.hpp"

#include <string>

namespace zwerm::node::rpc {

reply reply::from_status(const status& s) {
  switch (s.code()) {
    case status_code::ok:
      return ok(json::object());
    case status_code::invalid_argument:
      return fail(invalid_params, s.message());
    case status_code::not_found:
      return fail(not_found, s.message());
    case status_code::unsupported:
      return fail(not_available, s.message());
    default:
      return fail(refused, s.message());
  }
}

bool nests_deeper_than(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > limit) return true;
        break;
      case ']':
      case '}':
        // Unbalanced text is not JSON; the parser reports it, the scan only must not wrap.
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

std::variant<request, json> parse_request(std::string_view line) {
  if (nests_deeper_than(line, max_request_depth)) {
    return make_error_response(nullptr, invalid_request,
                               "the request nests deeper than " +
                                   std::to_string(max_request_depth) +
                                   " levels of arrays and objects");
  }
  json doc;
  try {
    doc = json::parse(line);
  } catch (const json::parse_error&) {
    return make_error_response(nullptr, parse_error,
                               "the request is not valid JSON (one JSON object per line)");
  }
  if (doc.is_array()) {
    return make_error_response(nullptr, invalid_request,
                               "batch requests are not supported; send one request per line");
  }
  if (!doc.is_object()) {
    return make_error_response(nullptr, invalid_request, "a request must be a JSON object");
  }
  request req;
  if (auto it = doc.find("id"); it != doc.end()) {
    if (!it->is_number_integer() && !it->is_string() && !it->is_null()) {
      return make_error_response(nullptr, invalid_request,
                                 "the request id must be a string or an integer");
    }
    req.id = *it;
    req.has_id = true;
  }
  auto version = doc.find("jsonrpc");
  if (version == doc.end() || *version != "2.0") {
    return make_error_response(req.id, invalid_request,
                               "the request must carry \"jsonrpc\": \"2.0\"");
  }
  auto method = doc.find("method");
  if (method == doc.end() || !method->is_string() ||
      method->get_ref<const std::string&>().empty()) {
    return make_error_response(req.id, invalid_request,
                               "the request must name a method as a string");
  }
  req.method = method->get<std::string>();
  if (auto params = doc.find("params"); params != doc.end() && !params->is_null()) {
    if (!params->is_object()) {
      return make_error_response(req.id, invalid_params,
                                 "params must be an object of named parameters");
    }
    req.params = *params;
  }
  return req;
}

json make_response(const json& id, const reply& r) {
  if (r.is_ok()) return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", r.result()}};
  json e{{"code", r.err().code}, {"message", r.err().message}};
  if (!r.err().data.is_null()) e["data"] = r.err().data;
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(e)}};
}

const json& reply::result() const {
  if (v_.index() == 0) return std::get<0>(v_);
  if (parsed_.is_null()) parsed_ = json::parse(std::get<2>(v_).text);
  return parsed_;
}

std::string reply::result_text() const {
  if (v_.index() == 2) return std::get<2>(v_).text;
  return result().dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string response_line(const json& id, const reply& r) {
  if (!r.is_ok()) return to_line(make_response(id, r));
  // Keys in the order nlohmann writes them for make_response: id, jsonrpc, result.
  std::string line = "{\"id\":";
  line += id.dump(-1, ' ', false, json::error_handler_t::replace);
  line += ",\"jsonrpc\":\"2.0\",\"result\":";
  line += r.result_text();
  line += "}\n";
  return line;
}

json make_error_response(const json& id, int code, std::string message) {
  return make_response(id, reply::fail(code, std::move(message)));
}

json make_notification(std::string_view method, json params) {
  return json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

std::string to_line(const json& message) {
  std::string line = message.dump(-1, ' ', false, json::error_handler_t::replace);
  line += '\n';
  return line;
}

}  // namespace zwerm::node::rpc
