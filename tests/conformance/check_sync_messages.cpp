// Checker for kind "sync-messages" (tests/vectors/sync-messages.json; format in
// tests/vectors/README.md): zwerm's sync codec (node/sync/messages.hpp) against each vector,
// in every version the vector names. A valid vector must decode to its fields, and its fields
// must encode to its bytes (or to encodes_to). A refusal must be refused, and zwerm's sentence
// must name the vector's reason: the table below maps each reason name of PROTOCOL.md §5.3 to
// the wording of zwerm's decoder, and exactly one name may match.
#include <charconv>
#include <regex>
#include <string>
#include <vector>

#include "node/sync/messages.hpp"
#include "tests/conformance/conformance.hpp"

namespace zwerm::conformance {
namespace {

namespace s = zwerm::node::sync;
using nlohmann::json;

struct reason {
  const char* name;
  std::regex pattern;
};

// Reason names (PROTOCOL.md §5.3) and the sentences zwerm's decoder refuses with.
const std::vector<reason>& reasons() {
  static const std::vector<reason> all = [] {
    const std::pair<const char*, const char*> table[] = {
        {"empty_message", "^empty sync message$"},
        {"message_too_long", "^sync message of [0-9]+ bytes exceeds the limit of 1048576$"},
        {"unknown_type", "^unknown sync message type [0-9]+$"},
        {"optional_type", "^unknown optional sync message type [0-9]+$"},
        {"type_not_in_version", " does not exist in version [0-9]+ of the protocol$"},
        {"truncated", "^malformed [a-z_]+ message: truncated message: "},
        {"trailing_bytes", ": [0-9]+ unexpected bytes after the message$"},
        {"non_minimal_varint", ": varint is not minimally encoded$"},
        {"varint_overflow", ": varint exceeds 64 bits$"},
        // A count above what a 1 MiB message could hold is refused by zwerm as over a limit
        // (heads, want, records, have); it also exceeds the bytes present, which is its name.
        {"count_exceeds_bytes",
         "(bytes can hold$)|(: (heads|want|records|have) count: count [0-9]+ exceeds the limit "
         "of [0-9]+$)"},
        {"too_many_peers", ": peers count: count [0-9]+ exceeds the limit of 64$"},
        {"bad_version_range", ": hello: version range [0-9]+\\.\\.[0-9]+ is empty or starts at 0$"},
        {"extension_too_long", ": hello: [0-9]+ bytes of extension exceed 1024$"},
        {"undefined_flags", ": (frontier|records|heads): unknown flag bits set$"},
        {"buckets_length",
         ": buckets: the bitmap marks [0-9]+ buckets but [0-9]+ bytes of "
         "digests follow"},
        {"empty_heads_request", ": heads_request: no bucket requested$"},
        {"unsorted_heads", ": heads: authors are not strictly ascending$"},
        {"zero_value",
         "(: (heads|have): entry with seq 0$)|(: want: from_seq 0 )|(: ack: zero bytes$)"},
        {"empty_list", "(: records: empty batch$)|(: have: no entries$)"},
        {"record_length",
         ": (records|fork_proof (first|second) record): record length [0-9]+ "
         "outside 1\\.\\.16448$"},
        {"empty_address", ": peers: empty address$"},
        {"bad_utf8", ": peers: address is not valid UTF-8$"},
        {"same_fork_records", ": fork_proof: the two records are the same$"},
    };
    std::vector<reason> r;
    for (const auto& [name, re] : table) r.push_back({name, std::regex(re)});
    return r;
  }();
  return all;
}

std::vector<std::string> classify(const std::string& message) {
  std::vector<std::string> names;
  for (const auto& r : reasons()) {
    if (std::regex_search(message, r.pattern)) names.push_back(r.name);
  }
  return names;
}

bool known_reason(const std::string& name) {
  for (const auto& r : reasons()) {
    if (name == r.name) return true;
  }
  return false;
}

// ---------------------------------------------------------------- fields <-> messages

std::string bytes_of(const json& j) {
  return from_hex(j.get<std::string>());
}

template <class T>
T fixed_of(const json& j) {
  T out;
  if (!T::from(bytes_of(j), &out)) {
    throw std::invalid_argument("expected " + std::to_string(T::size()) + " bytes: " + j.dump());
  }
  return out;
}

std::uint64_t u64_of(const json& j) {
  const std::string t = j.get<std::string>();
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || end != t.data() + t.size() || t.empty() ||
      (t.size() > 1 && t[0] == '0')) {
    throw std::invalid_argument("not a decimal 64-bit integer: " + j.dump());
  }
  return v;
}

std::string dec(std::uint64_t v) {
  return std::to_string(v);
}

s::bucket_set set_of(const json& j) {
  s::bucket_set set;
  for (const auto& b : j) {
    const int i = b.get<int>();
    if (i < 0 || i >= static_cast<int>(s::bucket_count) || set.test(static_cast<std::size_t>(i))) {
      throw std::invalid_argument("bad bucket number " + b.dump());
    }
    set.set(static_cast<std::size_t>(i));
  }
  return set;
}

json list_of(const s::bucket_set& set) {
  json a = json::array();
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (set.test(i)) a.push_back(i);
  }
  return a;
}

s::message from_fields(const std::string& type, const json& f, int version) {
  if (type == "hello") {
    s::hello h;
    h.min_version = f.at("min_version").get<std::uint8_t>();
    h.max_version = f.at("max_version").get<std::uint8_t>();
    h.community = fixed_of<community_id>(f.at("community"));
    h.frontier = fixed_of<s::frontier_digest>(f.at("frontier"));
    h.features = u64_of(f.at("features"));
    return h;
  }
  if (type == "frontier") {
    return s::frontier{fixed_of<s::frontier_digest>(f.at("digest")),
                       f.at("reply_wanted").get<bool>()};
  }
  if (type == "buckets") {
    s::buckets b;
    b.non_empty = set_of(f.at("non_empty"));
    for (const auto& d : f.at("digests")) b.digests.push_back(fixed_of<s::digest_prefix>(d));
    return b;
  }
  if (type == "heads_request") return s::heads_request{set_of(f.at("which"))};
  if (type == "heads") {
    s::heads h;
    for (const auto& e : f.at("entries")) {
      s::head_entry x;
      x.author = fixed_of<s::member_id>(e.at("author"));
      x.seq = u64_of(e.at("seq"));
      x.id = fixed_of<s::digest_prefix>(e.at("id"));
      // Version 1 has no flags byte: its entries have no "forked" field.
      x.forked = version >= 2 ? e.at("forked").get<bool>() : false;
      h.entries.push_back(x);
    }
    return h;
  }
  if (type == "want") {
    s::want w;
    for (const auto& e : f.at("entries")) {
      w.entries.push_back({fixed_of<s::member_id>(e.at("author")), u64_of(e.at("from_seq"))});
    }
    return w;
  }
  if (type == "records") {
    s::records r;
    r.live = f.at("live").get<bool>();
    for (const auto& it : f.at("items")) r.items.push_back(bytes_of(it));
    return r;
  }
  if (type == "ack") return s::ack{u64_of(f.at("bytes"))};
  if (type == "have") {
    s::have h;
    for (const auto& e : f.at("entries")) {
      h.entries.push_back({fixed_of<s::member_id>(e.at("author")), u64_of(e.at("seq"))});
    }
    return h;
  }
  if (type == "peers_request") return s::peers_request{};
  if (type == "peers") {
    s::peers p;
    for (const auto& e : f.at("entries")) {
      p.entries.push_back(
          {fixed_of<s::member_id>(e.at("key")), e.at("address").get<std::string>()});
    }
    return p;
  }
  if (type == "fork_proof") {
    return s::fork_proof{bytes_of(f.at("first")), bytes_of(f.at("second"))};
  }
  throw std::invalid_argument("unknown message type name \"" + type + "\"");
}

json to_fields(const s::message& m, int version) {
  struct visitor {
    int version;
    json operator()(const s::hello& h) const {
      return {{"min_version", h.min_version},
              {"max_version", h.max_version},
              {"community", to_hex(h.community.view())},
              {"frontier", to_hex(h.frontier.view())},
              {"features", dec(h.features)}};
    }
    json operator()(const s::frontier& f) const {
      return {{"digest", to_hex(f.digest.view())}, {"reply_wanted", f.reply_wanted}};
    }
    json operator()(const s::buckets& b) const {
      json ds = json::array();
      for (const auto& d : b.digests) ds.push_back(to_hex(d.view()));
      return {{"non_empty", list_of(b.non_empty)}, {"digests", ds}};
    }
    json operator()(const s::heads_request& q) const { return {{"which", list_of(q.which)}}; }
    json operator()(const s::heads& h) const {
      json es = json::array();
      for (const auto& e : h.entries) {
        json j = {
            {"author", to_hex(e.author.view())}, {"seq", dec(e.seq)}, {"id", to_hex(e.id.view())}};
        if (version >= 2) j["forked"] = e.forked;
        es.push_back(j);
      }
      return {{"entries", es}};
    }
    json operator()(const s::want& w) const {
      json es = json::array();
      for (const auto& e : w.entries) {
        es.push_back({{"author", to_hex(e.author.view())}, {"from_seq", dec(e.from_seq)}});
      }
      return {{"entries", es}};
    }
    json operator()(const s::records& r) const {
      json items = json::array();
      for (const auto& it : r.items) items.push_back(to_hex(it));
      return {{"live", r.live}, {"items", items}};
    }
    json operator()(const s::ack& a) const { return {{"bytes", dec(a.bytes)}}; }
    json operator()(const s::have& h) const {
      json es = json::array();
      for (const auto& e : h.entries) {
        es.push_back({{"author", to_hex(e.author.view())}, {"seq", dec(e.seq)}});
      }
      return {{"entries", es}};
    }
    json operator()(const s::peers_request&) const { return json::object(); }
    json operator()(const s::peers& p) const {
      json es = json::array();
      for (const auto& e : p.entries) {
        es.push_back({{"key", to_hex(e.key.view())}, {"address", e.address}});
      }
      return {{"entries", es}};
    }
    json operator()(const s::fork_proof& f) const {
      return {{"first", to_hex(f.first)}, {"second", to_hex(f.second)}};
    }
  };
  return std::visit(visitor{version}, m);
}

std::string shorten(std::string s) {
  if (s.size() > 200) s = s.substr(0, 200) + "…";
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "no reason name" : out;
}

// Empty when the vector passes; else what differed.
std::string run(const json& v) {
  const std::string bytes = bytes_of(v.at("bytes"));
  const json& versions = v.at("versions");
  if (!versions.is_array() || versions.empty()) return "bad vector: no versions";
  const bool refusal = v.contains("error");
  if (refusal == v.contains("fields")) return "bad vector: needs exactly one of fields and error";
  for (const auto& jv : versions) {
    const int version = jv.get<int>();
    if (version < s::min_protocol_version || version > s::max_protocol_version) {
      return "bad vector: version " + std::to_string(version) + " is not one zwerm speaks";
    }
    const std::string at = "version " + std::to_string(version) + ": ";
    const auto ver = static_cast<std::uint8_t>(version);
    auto decoded = s::decode(bytes, ver);
    if (refusal) {
      const std::string expected = v.at("error").get<std::string>();
      if (!known_reason(expected)) return "bad vector: unknown reason name \"" + expected + "\"";
      if (decoded) {
        return at + "decoded as " + s::name_of(s::type_of(*decoded)) + " " +
               shorten(to_fields(*decoded, version).dump()) + ", expected refusal " + expected;
      }
      if (decoded.error().code() != status_code::rejected) {
        return at + "refused, but not as rejected: " + decoded.error().message();
      }
      const auto names = classify(decoded.error().message());
      if (names != std::vector<std::string>{expected}) {
        return at + "refused with \"" + decoded.error().message() + "\" (" + join(names) +
               "), expected " + expected;
      }
      continue;
    }
    if (!decoded) return at + "refused: " + decoded.error().message();
    const std::string type = v.at("type").get<std::string>();
    if (type != s::name_of(s::type_of(*decoded))) {
      return at + "decoded as " + s::name_of(s::type_of(*decoded)) + ", expected " + type;
    }
    const json got = to_fields(*decoded, version);
    if (got != v.at("fields")) return at + "decoded fields differ: " + shorten(got.dump());
    const s::message m = from_fields(type, v.at("fields"), version);
    if (!(m == *decoded)) return at + "the fields do not describe the decoded message";
    const std::string expected = v.contains("encodes_to") ? bytes_of(v.at("encodes_to")) : bytes;
    const std::string encoded = s::encode(m, ver);
    if (encoded != expected) return at + "encoding the fields gives " + shorten(to_hex(encoded));
    if (s::encoded_size(m, ver) != encoded.size()) {
      return at + "encoded_size " + std::to_string(s::encoded_size(m, ver)) + " but " +
             std::to_string(encoded.size()) + " bytes encoded";
    }
    if (v.contains("encodes_to")) {
      auto again = s::decode(expected, ver);
      if (!again || !(*again == m)) return at + "encodes_to does not decode to the same fields";
    }
  }
  return {};
}

std::vector<outcome> check(const json& file) {
  std::vector<outcome> out;
  run_section(out, file, "vectors", false, run);
  return out;
}

}  // namespace

ZWERM_CONFORMANCE_CHECKER("sync-messages", check);

}  // namespace zwerm::conformance
