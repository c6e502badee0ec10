// zwerm-gen-wire-vectors OUT_DIR: writes tests/vectors/sync-messages.json and
// tests/vectors/message-layer.json (formats: tests/vectors/README.md).
//
// Deterministic: every byte comes from the inputs written here and from a fixed pseudo-random
// stream (splitmix64 seeded by a label), so running it again gives the same files. It builds the
// wire bytes with its own small writer, from docs/PROTOCOL.md §4.3 and §5, and does not call
// zwerm's encoders: the checkers (check_sync_messages.cpp, check_message_layer.cpp) then hold
// zwerm's codecs against bytes made independently of them.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using json = nlohmann::ordered_json;
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t max_record = 16448;
constexpr std::size_t mib = 1048576;

std::string hex(std::string_view b) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

// Deterministic bytes: splitmix64 seeded with FNV-1a of the label.
std::string det(std::string_view label, std::size_t n) {
  std::uint64_t s = 1469598103934665603ull;
  for (unsigned char c : label) s = (s ^ c) * 1099511628211ull;
  std::string out;
  while (out.size() < n) {
    s += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (int i = 0; i < 8 && out.size() < n; ++i) out.push_back(static_cast<char>(z >> (8 * i)));
  }
  return out;
}

// The wire writer (PROTOCOL.md §5.1): u8, minimal LEB128 varints, raw bytes, be32.
struct w {
  std::string s;
  w& u8(unsigned v) {
    s.push_back(static_cast<char>(v));
    return *this;
  }
  w& var(std::uint64_t v) {
    while (v >= 0x80) {
      s.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    s.push_back(static_cast<char>(v));
    return *this;
  }
  w& raw(std::string_view b) {
    s.append(b);
    return *this;
  }
  w& hexbytes(std::string_view h) {
    for (std::size_t i = 0; i < h.size(); i += 2) {
      s.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    }
    return *this;
  }
  w& be32(std::uint32_t v) {
    for (int sh = 24; sh >= 0; sh -= 8) s.push_back(static_cast<char>(v >> sh));
    return *this;
  }
};

std::string dec(std::uint64_t v) {
  return std::to_string(v);
}

// ------------------------------------------------------------------------ sync messages

enum : unsigned {
  t_hello = 0x01,
  t_frontier = 0x02,
  t_buckets = 0x03,
  t_heads_request = 0x04,
  t_heads = 0x05,
  t_want = 0x06,
  t_records = 0x07,
  t_ack = 0x08,
  t_have = 0x09,
  t_peers_request = 0x0a,
  t_peers = 0x0b,
  t_fork_proof = 0x0c,
};

struct sync_vectors {
  json out = json::array();

  void ok(const std::string& name, const char* type, std::vector<int> versions,
          const std::string& bytes, json fields, const std::string& note = "",
          const std::string* encodes_to = nullptr) {
    json v;
    v["name"] = name;
    v["type"] = type;
    v["versions"] = versions;
    v["bytes"] = hex(bytes);
    v["fields"] = std::move(fields);
    if (encodes_to) v["encodes_to"] = hex(*encodes_to);
    if (!note.empty()) v["note"] = note;
    out.push_back(std::move(v));
  }
  void bad(const std::string& name, std::vector<int> versions, const std::string& bytes,
           const char* error, const std::string& note = "") {
    json v;
    v["name"] = name;
    v["versions"] = versions;
    v["bytes"] = hex(bytes);
    v["error"] = error;
    if (!note.empty()) v["note"] = note;
    out.push_back(std::move(v));
  }
};

std::string bitmap(const std::vector<int>& set) {
  std::string b(32, '\0');
  for (int i : set) b[i / 8] = static_cast<char>(b[i / 8] | (0x80 >> (i % 8)));
  return b;
}

struct hello_in {
  unsigned min = 1, max = 2;
  std::string community = det("community", 32);
  std::string frontier = det("frontier", 32);
  std::uint64_t features = 0;
};
std::string hello_bytes(const hello_in& h, std::string_view ext = {}) {
  return w{}
      .u8(t_hello)
      .u8(h.min)
      .u8(h.max)
      .raw(h.community)
      .raw(h.frontier)
      .var(h.features)
      .raw(ext)
      .s;
}
json hello_fields(const hello_in& h) {
  return {{"min_version", h.min},
          {"max_version", h.max},
          {"community", hex(h.community)},
          {"frontier", hex(h.frontier)},
          {"features", dec(h.features)}};
}

struct head_in {
  std::string author;
  std::uint64_t seq;
  std::string id;  // 16 bytes
  bool forked = false;
};
std::vector<head_in> heads_of(std::string_view label, std::vector<std::uint64_t> seqs) {
  std::vector<head_in> hs;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    const std::string l = std::string(label) + "/" + std::to_string(i);
    hs.push_back({det(l + "/author", 32), seqs[i], det(l + "/id", 16), i % 3 == 1});
  }
  std::sort(hs.begin(), hs.end(),
            [](const head_in& a, const head_in& b) { return a.author < b.author; });
  return hs;
}
std::string heads_bytes(const std::vector<head_in>& hs, int version) {
  w o;
  o.u8(t_heads).var(hs.size());
  for (const auto& h : hs) {
    o.raw(h.author).var(h.seq).raw(h.id);
    if (version >= 2) o.u8(h.forked ? 1 : 0);
  }
  return o.s;
}
json heads_fields(const std::vector<head_in>& hs, int version) {
  json e = json::array();
  for (const auto& h : hs) {
    json j = {{"author", hex(h.author)}, {"seq", dec(h.seq)}, {"id", hex(h.id)}};
    if (version >= 2) j["forked"] = h.forked;
    e.push_back(j);
  }
  return {{"entries", e}};
}

struct seq_entry {
  std::string author;
  std::uint64_t seq;
};
std::vector<seq_entry> seq_entries(std::string_view label, std::vector<std::uint64_t> seqs) {
  std::vector<seq_entry> es;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    es.push_back({det(std::string(label) + "/" + std::to_string(i), 32), seqs[i]});
  }
  return es;
}
std::string seq_bytes(unsigned type, const std::vector<seq_entry>& es) {
  w o;
  o.u8(type).var(es.size());
  for (const auto& e : es) o.raw(e.author).var(e.seq);
  return o.s;
}
json seq_fields(const std::vector<seq_entry>& es, const char* seq_name) {
  json a = json::array();
  for (const auto& e : es) a.push_back({{"author", hex(e.author)}, {seq_name, dec(e.seq)}});
  return {{"entries", a}};
}

std::string records_bytes(bool live, const std::vector<std::string>& items) {
  w o;
  o.u8(t_records).u8(live ? 1 : 0).var(items.size());
  for (const auto& it : items) o.var(it.size()).raw(it);
  return o.s;
}
json records_fields(bool live, const std::vector<std::string>& items) {
  json a = json::array();
  for (const auto& it : items) a.push_back(hex(it));
  return {{"live", live}, {"items", a}};
}

struct peer_in {
  std::string key, address;
};
std::string peers_bytes(const std::vector<peer_in>& ps) {
  w o;
  o.u8(t_peers).var(ps.size());
  for (const auto& p : ps) o.raw(p.key).u8(static_cast<unsigned>(p.address.size())).raw(p.address);
  return o.s;
}
json peers_fields(const std::vector<peer_in>& ps) {
  json a = json::array();
  for (const auto& p : ps) a.push_back({{"key", hex(p.key)}, {"address", p.address}});
  return {{"entries", a}};
}

std::string fork_bytes(std::string_view a, std::string_view b) {
  return w{}
      .u8(t_fork_proof)
      .be32(static_cast<std::uint32_t>(a.size()))
      .raw(a)
      .be32(static_cast<std::uint32_t>(b.size()))
      .raw(b)
      .s;
}

json sync_messages() {
  sync_vectors v;
  const std::vector<int> both{1, 2}, v1{1}, v2{2};
  const std::vector<std::uint64_t> boundaries{1, 127, 128, 16383, 16384, u64_max};

  // hello: same layout in every version.
  {
    hello_in h;
    v.ok("hello/range-1-2", "hello", both, hello_bytes(h), hello_fields(h),
         "68 bytes: zwerm's own hello");
    for (auto [lo, hi] : std::initializer_list<std::pair<unsigned, unsigned>>{
             {1, 1}, {2, 2}, {1, 255}, {255, 255}}) {
      hello_in r;
      r.min = lo;
      r.max = hi;
      v.ok("hello/range-" + std::to_string(lo) + "-" + std::to_string(hi), "hello", both,
           hello_bytes(r), hello_fields(r),
           "decodes whatever the decoder's own range; the session then picks the version "
           "(PROTOCOL.md §5.4)");
    }
    for (std::uint64_t f : {std::uint64_t{1}, std::uint64_t{127}, std::uint64_t{128},
                            std::uint64_t{16383}, std::uint64_t{16384}, std::uint64_t{2097151},
                            std::uint64_t{2097152}, std::uint64_t{1} << 63, u64_max}) {
      hello_in r;
      r.features = f;
      v.ok("hello/features-" + dec(f), "hello", both, hello_bytes(r), hello_fields(r),
           "features varint at a length boundary; receivers ignore bits they do not know");
    }
    for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{1024}}) {
      hello_in r;
      r.features = n == 3 ? 128 : 0;
      const std::string ext = det("hello extension " + std::to_string(n), n);
      const std::string canonical = hello_bytes(r);
      v.ok("hello/extension-" + std::to_string(n), "hello", both, hello_bytes(r, ext),
           hello_fields(r),
           "the " + std::to_string(n) +
               " bytes after features are an extension a later version may append: a decoder "
               "accepts and ignores them (at most 1024), so the fields do not hold them and "
               "encoding the fields gives encodes_to, without them",
           &canonical);
    }
  }

  // frontier
  for (bool reply : {false, true}) {
    const std::string d = det(reply ? "frontier reply" : "frontier answer", 32);
    v.ok(std::string("frontier/reply-wanted-") + (reply ? "1" : "0"), "frontier", both,
         w{}.u8(t_frontier).raw(d).u8(reply ? 1 : 0).s,
         {{"digest", hex(d)}, {"reply_wanted", reply}});
  }
  v.ok("frontier/zero-digest", "frontier", both,
       w{}.u8(t_frontier).raw(std::string(32, '\0')).u8(0).s,
       {{"digest", hex(std::string(32, '\0'))}, {"reply_wanted", false}},
       "a node that holds nothing still has a frontier: BLAKE2b-256 of 256 zero buckets; any 32 "
       "bytes decode");

  // buckets
  {
    auto add = [&](const std::string& name, std::vector<int> set, const std::string& note = "") {
      w o;
      o.u8(t_buckets).raw(bitmap(set));
      json ds = json::array();
      for (int b : set) {
        const std::string d = det("bucket " + std::to_string(b), 16);
        o.raw(d);
        ds.push_back(hex(d));
      }
      v.ok(name, "buckets", both, o.s, {{"non_empty", set}, {"digests", ds}}, note);
    };
    add("buckets/none", {}, "33 bytes: a node that holds nothing");
    add("buckets/only-0", {0}, "bucket 0 is the top bit of the first bitmap byte");
    add("buckets/only-255", {255}, "bucket 255 is the lowest bit of the last bitmap byte");
    add("buckets/byte-boundary-7-8", {7, 8});
    add("buckets/scattered", {1, 2, 30, 64, 127, 128, 200, 254});
    std::vector<int> all(256);
    for (int i = 0; i < 256; ++i) all[i] = i;
    add("buckets/all-256", all, "the largest buckets message: 4129 bytes");
  }

  // heads_request
  {
    auto add = [&](const std::string& name, std::vector<int> set) {
      v.ok(name, "heads_request", both, w{}.u8(t_heads_request).raw(bitmap(set)).s,
           {{"which", set}});
    };
    add("heads_request/only-0", {0});
    add("heads_request/only-255", {255});
    add("heads_request/some", {7, 8, 100});
    std::vector<int> all(256);
    for (int i = 0; i < 256; ++i) all[i] = i;
    add("heads_request/all-256", all);
  }

  // heads: the layout differs (version 2 adds a flags byte per entry).
  {
    v.ok("heads/empty", "heads", both, w{}.u8(t_heads).var(0).s, {{"entries", json::array()}},
         "an empty heads message is valid (a side may hold no heads of the requested buckets)");
    for (int ver : {1, 2}) {
      const std::string vs = "/v" + std::to_string(ver);
      auto one = heads_of("heads one", {1});
      v.ok("heads/one-entry" + vs, "heads", {ver}, heads_bytes(one, ver), heads_fields(one, ver),
           ver == 1 ? "49 bytes per entry in version 1: no flags byte"
                    : "50 bytes per entry in version 2: a flags byte ends each entry");
      auto seqs = heads_of("heads seqs", boundaries);
      v.ok("heads/seq-boundaries" + vs, "heads", {ver}, heads_bytes(seqs, ver),
           heads_fields(seqs, ver), "seqs 1, 127, 128, 16383, 16384 and 2^64-1");
      // Authors that differ only where a signed byte comparison would order them wrongly.
      std::vector<head_in> uns = {{std::string(31, '\x11') + "\x7f", 3, det("u1", 16), false},
                                  {std::string(31, '\x11') + "\x80", 4, det("u2", 16), true}};
      v.ok("heads/authors-ascending-unsigned" + vs, "heads", {ver}, heads_bytes(uns, ver),
           heads_fields(uns, ver), "authors compare as unsigned bytes: ...7f sorts before ...80");
    }
    auto f = heads_of("heads forked", {5});
    f[0].forked = true;
    v.ok("heads/forked/v2", "heads", v2, heads_bytes(f, 2), heads_fields(f, 2),
         "flags bit 0: the sender holds a fork proof of this feed");
    std::vector<std::uint64_t> many(128);
    for (std::size_t i = 0; i < many.size(); ++i) many[i] = i + 1;
    auto m = heads_of("heads many", many);
    v.ok("heads/128-entries/v2", "heads", v2, heads_bytes(m, 2), heads_fields(m, 2),
         "count 128 takes two varint bytes (80 01)");
  }

  // want
  {
    v.ok("want/empty", "want", both, w{}.u8(t_want).var(0).s, {{"entries", json::array()}},
         "an empty want is valid");
    auto one = seq_entries("want one", {1});
    v.ok("want/one", "want", both, seq_bytes(t_want, one), seq_fields(one, "from_seq"));
    auto b = seq_entries("want seqs", boundaries);
    v.ok("want/from-seq-boundaries", "want", both, seq_bytes(t_want, b), seq_fields(b, "from_seq"));
    auto rep = seq_entries("want repeat", {9, 2});
    rep[1].author = rep[0].author;
    v.ok("want/entries-in-any-order", "want", both, seq_bytes(t_want, rep),
         seq_fields(rep, "from_seq"),
         "the decoder imposes no order on want entries (nor uniqueness)");
  }

  // records (opaque bytes at this layer: the records' own rules are checked after decoding)
  {
    const std::string r1 = det("record a", 1);
    v.ok("records/one-byte/not-live", "records", both, records_bytes(false, {r1}),
         records_fields(false, {r1}),
         "records are opaque bytes to the decoder: validity (PROTOCOL.md §2) is checked after");
    v.ok("records/one-byte/live", "records", both, records_bytes(true, {r1}),
         records_fields(true, {r1}), "flags bit 0: live push");
    std::vector<std::string> lens = {det("len 127", 127), det("len 128", 128), det("len 300", 300)};
    v.ok("records/length-boundaries", "records", both, records_bytes(false, lens),
         records_fields(false, lens), "record lengths 127 (1 varint byte), 128 and 300 (2)");
    std::vector<std::string> many;
    for (int i = 0; i < 128; ++i) many.push_back(det("many " + std::to_string(i), 1 + i % 5));
    v.ok("records/128-items", "records", both, records_bytes(true, many),
         records_fields(true, many), "count 128 takes two varint bytes");
    const std::string big = det("record max", max_record);
    v.ok("records/max-length", "records", both, records_bytes(false, {big}),
         records_fields(false, {big}), "a record of 16448 bytes, the largest (16 KiB + 64)");
  }

  // ack
  for (std::uint64_t n : boundaries) {
    v.ok("ack/" + dec(n), "ack", both, w{}.u8(t_ack).var(n).s, {{"bytes", dec(n)}});
  }

  // have
  {
    auto one = seq_entries("have one", {1});
    v.ok("have/one", "have", both, seq_bytes(t_have, one), seq_fields(one, "seq"));
    auto b = seq_entries("have seqs", boundaries);
    v.ok("have/seq-boundaries", "have", both, seq_bytes(t_have, b), seq_fields(b, "seq"));
  }

  v.ok("peers_request/empty-body", "peers_request", both, w{}.u8(t_peers_request).s,
       json::object());

  // peers
  {
    v.ok("peers/empty", "peers", both, w{}.u8(t_peers).var(0).s, {{"entries", json::array()}},
         "an empty peers answer is valid (a restricted session answers with it)");
    std::vector<peer_in> kinds = {
        {det("peer ipv4", 32), "127.0.0.1:8008"},
        {det("peer ipv6", 32), "[2001:db8::1]:8008"},
        {det("peer name", 32), "zw\xc3\xabrm.example:8008"},
        {det("peer astral", 32), "\xf0\x9d\x94\xb7.example:1"},
        {det("peer short", 32), "a"},
    };
    v.ok("peers/address-forms", "peers", both, peers_bytes(kinds), peers_fields(kinds),
         "addresses are 1..255 bytes of UTF-8; their host:port form is checked when dialing, "
         "not by the decoder (\"a\" decodes)");
    std::vector<peer_in> longest = {{det("peer long", 32), std::string(250, 'h') + ":8008"}};
    v.ok("peers/address-255-bytes", "peers", both, peers_bytes(longest), peers_fields(longest),
         "the longest address: its length is one u8");
    std::vector<peer_in> full;
    for (int i = 0; i < 64; ++i) {
      full.push_back(
          {det("peer " + std::to_string(i), 32), "10.0.0." + std::to_string(i) + ":8008"});
    }
    v.ok("peers/64-entries", "peers", both, peers_bytes(full), peers_fields(full),
         "64 peers, the most one message may carry");
  }

  // fork_proof: version 2 only.
  {
    const std::string a = det("fork a", 40), b = det("fork b", 41);
    v.ok("fork_proof/small/v2", "fork_proof", v2, fork_bytes(a, b),
         {{"first", hex(a)}, {"second", hex(b)}},
         "records are opaque to the decoder; lengths are u32 big-endian, not varints");
    v.ok("fork_proof/either-order/v2", "fork_proof", v2, fork_bytes(b, a),
         {{"first", hex(b)}, {"second", hex(a)}},
         "a receiver accepts the records in either order; an encoder keeps the order it is given");
    const std::string one = det("fork one byte", 1);
    v.ok("fork_proof/one-byte-records/v2", "fork_proof", v2, fork_bytes(one, a),
         {{"first", hex(one)}, {"second", hex(a)}});
  }

  // ---------------------------------------------------------------- refusals
  const std::string author = det("bad author", 32), id16 = det("bad id", 16);
  const std::string author2 = det("bad author 2", 32);
  const std::string lo_author = std::string(31, '\x22') + "\x01";
  const std::string hi_author = std::string(31, '\x22') + "\x02";
  const std::string d32 = det("bad digest", 32);
  const hello_in hin;

  v.bad("refuse/empty-message", both, "", "empty_message", "a message has at least its type byte");
  for (unsigned t : {0x00u, 0x0du, 0x3fu}) {
    v.bad("refuse/unknown-core-type-" + hex(std::string(1, static_cast<char>(t))), both,
          w{}.u8(t).raw(d32).u8(0).s, "unknown_type",
          "core types are 0x01..0x3f; this one is not defined");
  }
  for (unsigned t : {0x40u, 0xffu}) {
    v.bad("refuse/optional-type-" + hex(std::string(1, static_cast<char>(t))), both,
          w{}.u8(t).raw("later").s, "optional_type",
          "0x40..0xff: not decoded; the session ignores it after the hellos and refuses it before");
  }
  v.bad("refuse/fork-proof-in-version-1", v1, fork_bytes(det("fork a", 40), det("fork b", 41)),
        "type_not_in_version",
        "fork_proof exists from version 2; these bytes are valid in version 2");

  // truncated
  v.bad("refuse/truncated/hello-after-community", both,
        w{}.u8(t_hello).u8(1).u8(2).raw(hin.community).s, "truncated");
  v.bad("refuse/truncated/hello-without-features", both,
        w{}.u8(t_hello).u8(1).u8(2).raw(hin.community).raw(hin.frontier).s, "truncated",
        "features is not optional: a hello is at least 68 bytes");
  v.bad("refuse/truncated/hello-features-cut", both,
        w{}.u8(t_hello).u8(1).u8(2).raw(hin.community).raw(hin.frontier).u8(0x80).s, "truncated",
        "the varint's last byte has its high bit set");
  v.bad("refuse/truncated/frontier-without-flags", both, w{}.u8(t_frontier).raw(d32).s,
        "truncated");
  v.bad("refuse/truncated/frontier-type-only", both, w{}.u8(t_frontier).s, "truncated");
  v.bad("refuse/truncated/buckets-bitmap-31", both, w{}.u8(t_buckets).raw(std::string(31, '\0')).s,
        "truncated");
  v.bad("refuse/truncated/heads_request-bitmap-31", both,
        w{}.u8(t_heads_request).raw(std::string(31, '\xff')).s, "truncated");
  v.bad("refuse/truncated/heads-v1-entry-read-as-v2", v2,
        w{}.u8(t_heads).var(1).raw(author).var(1).raw(id16).s, "truncated",
        "a version 1 entry (49 bytes) read as version 2 lacks its flags byte; the count check "
        "uses 49 bytes in both versions, so this is truncated, not count_exceeds_bytes");
  v.bad("refuse/truncated/heads-id-cut", v1,
        w{}.u8(t_heads).var(1).raw(author).var(16384).raw(id16.substr(0, 14)).s, "truncated",
        "49 bytes follow the count (enough for the count check) but the 3-byte seq leaves 14 "
        "of the id's 16");
  v.bad("refuse/truncated/want-seq-cut", both, w{}.u8(t_want).var(1).raw(author).u8(0x80).s,
        "truncated");
  v.bad("refuse/truncated/records-flags-missing", both, w{}.u8(t_records).s, "truncated");
  v.bad("refuse/truncated/records-count-missing", both, w{}.u8(t_records).u8(0).s, "truncated");
  v.bad("refuse/truncated/records-bytes-cut", both,
        w{}.u8(t_records).u8(0).var(1).var(10).raw("12345").s, "truncated",
        "record length 10, 5 bytes present");
  v.bad("refuse/truncated/ack-empty", both, w{}.u8(t_ack).s, "truncated");
  v.bad("refuse/truncated/have-seq-cut", both, w{}.u8(t_have).var(1).raw(author).u8(0xff).s,
        "truncated");
  v.bad("refuse/truncated/peers-address-cut", both,
        w{}.u8(t_peers).var(1).raw(author).u8(10).raw("1.2.3").s, "truncated");
  v.bad("refuse/truncated/fork-proof-length-cut", v2, w{}.u8(t_fork_proof).u8(0).u8(0).s,
        "truncated");
  v.bad("refuse/truncated/fork-proof-first-cut", v2, w{}.u8(t_fork_proof).be32(5).raw("abc").s,
        "truncated");
  v.bad("refuse/truncated/fork-proof-second-missing", v2, w{}.u8(t_fork_proof).be32(3).raw("abc").s,
        "truncated");

  // trailing bytes
  v.bad("refuse/trailing/frontier", both, w{}.u8(t_frontier).raw(d32).u8(1).u8(0).s,
        "trailing_bytes");
  v.bad("refuse/trailing/peers_request", both, w{}.u8(t_peers_request).u8(0).s, "trailing_bytes",
        "peers_request has an empty body");
  v.bad("refuse/trailing/heads_request-33", both, w{}.u8(t_heads_request).raw(bitmap({3})).u8(0).s,
        "trailing_bytes");
  v.bad("refuse/trailing/heads-empty", both, w{}.u8(t_heads).var(0).u8(0).s, "trailing_bytes");
  v.bad("refuse/trailing/heads-v2-entry-read-as-v1", v1,
        w{}.u8(t_heads).var(1).raw(author).var(1).raw(id16).u8(0).s, "trailing_bytes",
        "a version 2 entry read as version 1: its flags byte is left over");
  v.bad("refuse/trailing/ack", both, w{}.u8(t_ack).var(1).u8(0).s, "trailing_bytes");
  v.bad("refuse/trailing/records", both, w{}.u8(t_records).u8(0).var(1).var(1).raw("r").u8(0).s,
        "trailing_bytes");
  v.bad("refuse/trailing/fork-proof", v2,
        w{}.u8(t_fork_proof).be32(1).raw("a").be32(1).raw("b").u8(0).s, "trailing_bytes");
  v.bad("refuse/buckets-length/no-buckets-16-bytes", both,
        w{}.u8(t_buckets).raw(bitmap({})).raw(det("x", 16)).s, "buckets_length",
        "for buckets a length mismatch is buckets_length, never trailing_bytes");

  // non-minimal varints
  v.bad("refuse/non-minimal/ack-80-00", both, w{}.u8(t_ack).u8(0x80).u8(0x00).s,
        "non_minimal_varint", "0 in two bytes");
  v.bad("refuse/non-minimal/ack-81-00", both, w{}.u8(t_ack).u8(0x81).u8(0x00).s,
        "non_minimal_varint", "1 in two bytes");
  v.bad("refuse/non-minimal/ack-ff-80-00", both, w{}.u8(t_ack).u8(0xff).u8(0x80).u8(0x00).s,
        "non_minimal_varint", "127 in three bytes");
  v.bad("refuse/non-minimal/ack-10-bytes-last-00", both,
        w{}.u8(t_ack).raw(std::string(9, '\xff')).u8(0x00).s, "non_minimal_varint",
        "2^63-1 in ten bytes: the last group is zero");
  v.bad("refuse/non-minimal/hello-features", both,
        w{}.u8(t_hello).u8(1).u8(2).raw(hin.community).raw(hin.frontier).u8(0x80).u8(0x00).s,
        "non_minimal_varint", "not read as features 0 followed by a 2-byte extension");
  v.bad("refuse/non-minimal/heads-count", both, w{}.u8(t_heads).u8(0x80).u8(0x00).s,
        "non_minimal_varint");
  v.bad("refuse/non-minimal/heads-seq", v2,
        w{}.u8(t_heads).var(1).raw(author).u8(0x81).u8(0x80).u8(0x00).raw(id16).u8(0).s,
        "non_minimal_varint");
  v.bad("refuse/non-minimal/want-from-seq", both,
        w{}.u8(t_want).var(1).raw(author).u8(0x85).u8(0x00).s, "non_minimal_varint");
  v.bad("refuse/non-minimal/record-length", both,
        w{}.u8(t_records).u8(0).var(1).u8(0x81).u8(0x00).raw("r").s, "non_minimal_varint");

  // over-long varints
  v.bad("refuse/varint-overflow/10th-byte-02", both,
        w{}.u8(t_ack).raw(std::string(9, '\xff')).u8(0x02).s, "varint_overflow",
        "ff x9 01 is 2^64-1; a 10th byte above 01 is beyond 64 bits");
  v.bad("refuse/varint-overflow/11-bytes", both,
        w{}.u8(t_ack).raw(std::string(10, '\x80')).u8(0x01).s, "varint_overflow",
        "a 10th byte with the continuation bit set");
  v.bad("refuse/varint-overflow/hello-features", both,
        w{}.u8(t_hello)
            .u8(1)
            .u8(2)
            .raw(hin.community)
            .raw(hin.frontier)
            .raw(std::string(9, '\x80'))
            .u8(0x7f)
            .s,
        "varint_overflow");
  v.bad("refuse/varint-overflow/heads-seq", v2,
        w{}.u8(t_heads).var(1).raw(author).raw(std::string(9, '\xff')).u8(0x03).raw(id16).u8(0).s,
        "varint_overflow");

  // counts beyond the bytes
  v.bad("refuse/count/heads-1-of-nothing", both, w{}.u8(t_heads).var(1).s, "count_exceeds_bytes");
  v.bad("refuse/count/heads-2-of-1", v2,
        w{}.u8(t_heads).var(2).raw(author).var(1).raw(id16).u8(0).s, "count_exceeds_bytes",
        "50 bytes cannot hold 2 entries of at least 49 bytes");
  v.bad("refuse/count/heads-short-entry", both,
        w{}.u8(t_heads).var(1).raw(author).var(1).raw(id16.substr(0, 10)).s, "count_exceeds_bytes",
        "43 bytes follow the count: checked against 49 before any entry is read");
  v.bad("refuse/count/want-2-of-1", both, w{}.u8(t_want).var(2).raw(author).var(1).s,
        "count_exceeds_bytes");
  v.bad("refuse/count/want-2^64-1", both, w{}.u8(t_want).var(u64_max).s, "count_exceeds_bytes",
        "a count no message of at most 1 MiB could hold");
  v.bad("refuse/count/records-3-of-2", both,
        w{}.u8(t_records).u8(0).var(3).var(1).raw("a").var(1).raw("b").s, "count_exceeds_bytes",
        "a record entry takes at least 2 bytes (length and one byte)");
  v.bad("refuse/count/records-1000000", both,
        w{}.u8(t_records).u8(1).var(1000000).var(1).raw("a").s, "count_exceeds_bytes");
  v.bad("refuse/count/have-2-of-1", both, w{}.u8(t_have).var(2).raw(author).var(1).s,
        "count_exceeds_bytes");
  v.bad("refuse/count/peers-2-of-1", both, w{}.u8(t_peers).var(2).raw(author).u8(3).raw("a:1").s,
        "count_exceeds_bytes", "a peer entry takes at least 34 bytes");

  // hello version range and extension
  for (auto [lo, hi] :
       std::initializer_list<std::pair<unsigned, unsigned>>{{0, 2}, {0, 0}, {2, 1}, {255, 1}}) {
    hello_in r;
    r.min = lo;
    r.max = hi;
    v.bad("refuse/hello-version-range-" + std::to_string(lo) + "-" + std::to_string(hi), both,
          hello_bytes(r), "bad_version_range",
          "min_version must be at least 1 and at most max_version");
  }
  v.bad("refuse/hello-extension-1025", both, hello_bytes(hin, det("too long", 1025)),
        "extension_too_long", "1025 bytes after features; 1024 is the most a receiver skips");
  {
    hello_in r;
    r.features = u64_max;
    v.bad("refuse/hello-extension-1025-after-10-byte-features", both,
          hello_bytes(r, det("too long 2", 1025)), "extension_too_long");
  }

  // undefined flag bits
  for (unsigned f : {0x02u, 0x80u, 0xffu}) {
    const std::string fx = hex(std::string(1, static_cast<char>(f)));
    v.bad("refuse/flags/frontier-" + fx, both, w{}.u8(t_frontier).raw(d32).u8(f).s,
          "undefined_flags");
    v.bad("refuse/flags/records-" + fx, both, w{}.u8(t_records).u8(f).var(1).var(1).raw("r").s,
          "undefined_flags");
    v.bad("refuse/flags/heads-" + fx, v2,
          w{}.u8(t_heads).var(1).raw(author).var(1).raw(id16).u8(f).s, "undefined_flags");
  }

  // buckets length
  v.bad("refuse/buckets-length/one-bucket-no-digest", both, w{}.u8(t_buckets).raw(bitmap({0})).s,
        "buckets_length");
  v.bad("refuse/buckets-length/two-buckets-one-digest", both,
        w{}.u8(t_buckets).raw(bitmap({0, 9})).raw(det("d", 16)).s, "buckets_length");
  v.bad("refuse/buckets-length/one-bucket-17-bytes", both,
        w{}.u8(t_buckets).raw(bitmap({200})).raw(det("d", 17)).s, "buckets_length");
  {
    std::vector<int> all(256);
    for (int i = 0; i < 256; ++i) all[i] = i;
    v.bad("refuse/buckets-length/256-buckets-255-digests", both,
          w{}.u8(t_buckets).raw(bitmap(all)).raw(det("d255", 255 * 16)).s, "buckets_length");
  }

  v.bad("refuse/heads_request-empty", both, w{}.u8(t_heads_request).raw(bitmap({})).s,
        "empty_heads_request");

  // unsorted heads
  for (int ver : {1, 2}) {
    const std::string vs = "/v" + std::to_string(ver);
    auto entry = [&](w& o, const std::string& a, std::uint64_t seq) {
      o.raw(a).var(seq).raw(id16);
      if (ver >= 2) o.u8(0);
    };
    w desc;
    desc.u8(t_heads).var(2);
    entry(desc, hi_author, 1);
    entry(desc, lo_author, 1);
    v.bad("refuse/unsorted-heads/descending" + vs, {ver}, desc.s, "unsorted_heads");
    w rep;
    rep.u8(t_heads).var(2);
    entry(rep, lo_author, 1);
    entry(rep, lo_author, 2);
    v.bad("refuse/unsorted-heads/repeated-author" + vs, {ver}, rep.s, "unsorted_heads",
          "authors must be strictly ascending: no repeats");
    w sgn;
    sgn.u8(t_heads).var(2);
    entry(sgn, std::string(31, '\x11') + "\x80", 1);
    entry(sgn, std::string(31, '\x11') + "\x7f", 1);
    v.bad("refuse/unsorted-heads/signed-order" + vs, {ver}, sgn.s, "unsorted_heads",
          "...80 before ...7f is descending as unsigned bytes");
  }

  // zero values
  v.bad("refuse/zero/heads-seq/v1", v1, w{}.u8(t_heads).var(1).raw(author).var(0).raw(id16).s,
        "zero_value");
  v.bad("refuse/zero/heads-seq/v2", v2, w{}.u8(t_heads).var(1).raw(author).var(0).raw(id16).u8(0).s,
        "zero_value");
  v.bad("refuse/zero/want-from-seq", both, w{}.u8(t_want).var(1).raw(author).var(0).s,
        "zero_value");
  v.bad("refuse/zero/have-seq", both, w{}.u8(t_have).var(1).raw(author).var(0).s, "zero_value");
  v.bad("refuse/zero/ack-bytes", both, w{}.u8(t_ack).var(0).s, "zero_value");

  // empty lists
  v.bad("refuse/empty/records", both, w{}.u8(t_records).u8(0).var(0).s, "empty_list");
  v.bad("refuse/empty/records-live", both, w{}.u8(t_records).u8(1).var(0).s, "empty_list");
  v.bad("refuse/empty/have", both, w{}.u8(t_have).var(0).s, "empty_list");

  // record lengths
  v.bad("refuse/record-length/records-0", both,
        w{}.u8(t_records).u8(0).var(2).var(0).var(2).raw("ab").s, "record_length",
        "the first of two records has length 0");
  v.bad("refuse/record-length/records-16449", both,
        w{}.u8(t_records).u8(0).var(1).var(max_record + 1).raw(det("over", max_record + 1)).s,
        "record_length", "one byte over the largest record, all its bytes present");
  v.bad("refuse/record-length/records-16449-before-bytes", both,
        w{}.u8(t_records).u8(0).var(1).var(max_record + 1).raw("abc").s, "record_length",
        "a length is checked against its range as soon as it is read, before the bytes it "
        "announces");
  v.bad("refuse/record-length/records-2^64-1", both,
        w{}.u8(t_records).u8(0).var(1).var(u64_max).raw("a").s, "record_length");
  v.bad("refuse/record-length/fork-proof-first-0", v2,
        w{}.u8(t_fork_proof).be32(0).be32(1).raw("a").s, "record_length");
  v.bad("refuse/record-length/fork-proof-second-0", v2,
        w{}.u8(t_fork_proof).be32(1).raw("a").be32(0).s, "record_length");
  v.bad("refuse/record-length/fork-proof-16449-before-bytes", v2,
        w{}.u8(t_fork_proof).be32(max_record + 1).raw("abc").s, "record_length",
        "checked before the bytes it announces");
  v.bad("refuse/record-length/fork-proof-ffffffff", v2,
        w{}.u8(t_fork_proof).be32(0xffffffffu).raw("abc").s, "record_length");

  // peers
  {
    std::vector<peer_in> over;
    for (int i = 0; i < 65; ++i) over.push_back({det("over " + std::to_string(i), 32), "h:1"});
    v.bad("refuse/peers-65", both, peers_bytes(over), "too_many_peers",
          "65 complete entries: one more than a peers message may carry");
    v.bad("refuse/peers-empty-address", both,
          w{}.u8(t_peers).var(2).raw(author).u8(0).raw(author2).u8(3).raw("a:1").s,
          "empty_address");
    const std::pair<const char*, std::string> bad_utf8[] = {
        {"ff", "\xff:1"},
        {"lone-continuation", "\x80:1"},
        {"overlong-c0-80", "\xc0\x80:1"},
        {"overlong-e0-80-80", "\xe0\x80\x80:1"},
        {"surrogate-ed-a0-80", "\xed\xa0\x80:1"},
        {"above-10ffff", "\xf4\x90\x80\x80:1"},
        {"five-byte-form", "\xf8\x88\x80\x80\x80:1"},
        {"cut-at-end", "host:1\xe2\x82"},
    };
    for (const auto& [n, a] : bad_utf8) {
      v.bad(std::string("refuse/peers-address-not-utf8/") + n, both,
            w{}.u8(t_peers).var(1).raw(author).u8(static_cast<unsigned>(a.size())).raw(a).s,
            "bad_utf8");
    }
  }

  const std::string same = det("fork same", 40);
  v.bad("refuse/fork-proof-same-records", v2, fork_bytes(same, same), "same_fork_records");

  json doc;
  doc["kind"] = "sync-messages";
  doc["about"] =
      "Sync messages of docs/PROTOCOL.md §5 (encoding §5.1, layouts §5.3, versions §5.12). "
      "Each vector: name; versions (decode with each); bytes (hex, the whole message, type byte "
      "first). A vector with fields must decode to exactly those fields (type says which "
      "message) and its fields must encode to bytes, or to encodes_to when given (a hello's "
      "ignored extension is not re-encoded). A vector with error must be refused, for that "
      "reason (names: PROTOCOL.md §5.3). Format: tests/vectors/README.md, section sync-messages. "
      "Made by tests/conformance/gen_wire_vectors.cpp.";
  doc["encoding"] =
      "bytes and ids: lowercase hex; 64-bit integers (features, seq, from_seq, bytes): decimal "
      "strings; versions: numbers; flags: booleans; bucket sets: ascending bucket numbers; "
      "peer addresses: JSON strings (UTF-8)";
  doc["vectors"] = std::move(v.out);
  return doc;
}

// ------------------------------------------------------------------------ message layer

std::string frame(std::string_view payload) {
  return w{}.be32(static_cast<std::uint32_t>(payload.size())).raw(payload).s;
}

json message_layer() {
  json vs = json::array();
  auto stream = [&](const std::string& name, std::size_t max, const std::vector<std::string>& msgs,
                    const std::string& tail, std::size_t buffered, const char* error,
                    const std::string& note) {
    json v;
    v["name"] = name;
    v["what"] = "stream";
    v["max_message"] = max;
    std::string s;
    json ms = json::array();
    for (const auto& m : msgs) {
      s += frame(m);
      ms.push_back(hex(m));
    }
    s += tail;
    v["stream"] = hex(s);
    v["messages"] = ms;
    if (buffered) v["buffered"] = buffered;
    if (error) v["error"] = error;
    if (!note.empty()) v["note"] = note;
    vs.push_back(std::move(v));
  };
  stream("stream/empty", mib, {}, "", 0, nullptr, "no bytes, no messages");
  stream("stream/keepalive", mib, {""}, "", 0, nullptr,
         "len 0 is a keepalive: never delivered to the application; sent alone it is one "
         "4-byte box-stream body, 38 bytes on the wire");
  stream("stream/one-byte", mib, {"\x0a"}, "", 0, nullptr, "");
  stream("stream/length-256", mib, {det("len 256", 256)}, "", 0, nullptr,
         "be32: 00000100, the length's second-lowest byte is set");
  stream("stream/several-with-keepalives", mib,
         {det("m1", 1), "", det("m300", 300), "", "", det("m5", 5)}, "", 0, nullptr,
         "messages and keepalives in one run; a receiver accepts any split into bodies");
  stream("stream/spans-bodies", mib, {det("m5000", 5000), det("m10", 10)}, "", 0, nullptr,
         "5000 bytes: more than one 4096-byte box-stream body; boundaries carry no meaning");
  stream("stream/incomplete-max-length", mib, {},
         w{}.be32(static_cast<std::uint32_t>(mib)).raw("0123456789").s, 14, nullptr,
         "a header announcing exactly 1 MiB is accepted; 14 bytes wait for the rest");
  stream("stream/incomplete-header", mib, {det("m2", 2)}, std::string(2, '\0'), 2, nullptr,
         "two bytes of the next header: nothing more delivered yet");
  stream("stream/over-limit", mib, {}, w{}.be32(static_cast<std::uint32_t>(mib + 1)).s, 0,
         "length_over_limit",
         "1 MiB + 1: refused from the 4 header bytes alone, before any payload arrives");
  stream("stream/over-limit-high-byte", mib, {}, w{}.be32(0x01000000u).s, 0, "length_over_limit",
         "16 MiB: the length is big-endian");
  stream("stream/over-limit-after-messages", mib, {"", det("ab", 2)}, w{}.be32(0xffffffffu).s, 0,
         "length_over_limit", "what came before the bad header was delivered");
  stream("stream/admission-bound-257", 257, {det("a257", 257)}, "", 0, nullptr,
         "under the admission bound (257) a 257-byte message is accepted");
  stream("stream/admission-bound-258", 257, {}, w{}.be32(258).s, 0, "length_over_limit",
         "under the admission bound a 258-byte header is refused from the header alone");

  auto admission = [&](const std::string& name, const std::string& payload,
                       const std::string* token, const char* error, const std::string& note) {
    json v;
    v["name"] = name;
    v["what"] = "admission";
    v["payload"] = hex(payload);
    v["message"] = hex(frame(payload));
    if (token) v["token"] = hex(*token);
    if (error) v["error"] = error;
    if (!note.empty()) v["note"] = note;
    vs.push_back(std::move(v));
  };
  {
    const std::string empty;
    admission("admission/empty-token", "\x01", &empty, nullptr,
              "the message of a client without a token (a member): len 1, payload 01. It is not "
              "a keepalive (len 0, no payload)");
    const std::string t1 = "t";
    admission("admission/token-1", "\x01" + t1, &t1, nullptr, "");
    const std::string t32 = det("token 32", 32);
    admission("admission/token-32", "\x01" + t32, &t32, nullptr,
              "an invite token is 32 bytes (PROTOCOL.md §4.3.2, §6)");
    const std::string t256 = det("token 256", 256);
    admission("admission/token-256", "\x01" + t256, &t256, nullptr,
              "the longest token: len 257 = the admission bound");
    admission("admission/token-257", "\x01" + det("token 257", 257), nullptr, "admission_too_long",
              "len 258: the server refuses it from the 4 header bytes alone");
    admission("admission/token-1000", "\x01" + det("token 1000", 1000), nullptr,
              "admission_too_long", "");
    admission("admission/first-byte-02", "\x02" + t32, nullptr, "not_admission",
              "the first byte of an admission message is 01");
    admission("admission/first-byte-00", std::string(1, '\0'), nullptr, "not_admission", "");
  }

  auto start = [&](const std::string& name, const std::string& s, std::size_t keepalives_before,
                   const std::string* token, const std::vector<std::string>& after,
                   const char* error, const std::string& note) {
    json v;
    v["name"] = name;
    v["what"] = "session_start";
    v["stream"] = hex(s);
    v["keepalives_before"] = keepalives_before;
    v["admitted"] = token != nullptr;
    if (token) v["token"] = hex(*token);
    json a = json::array();
    for (const auto& m : after) a.push_back(hex(m));
    v["after"] = a;
    if (error) v["error"] = error;
    if (!note.empty()) v["note"] = note;
    vs.push_back(std::move(v));
  };
  {
    // The client's sync hello (PROTOCOL.md §5.3), sent right after its admission message.
    const std::string hello = hello_bytes(hello_in{});
    const std::string empty;
    start("start/empty-admission-then-hello", frame("\x01") + frame(hello), 0, &empty, {hello},
          nullptr,
          "what a member's node sends first: the admission message and, without waiting, its "
          "hello (one body)");
    const std::string t32 = det("token 32", 32);
    const std::string big = det("after 1000", 1000);
    start("start/token-then-1000-byte-message", frame("\x01" + t32) + frame(big), 0, &t32, {big},
          nullptr, "the 257-byte bound ends with the admission message; the next may be 1 MiB");
    start("start/keepalive-then-admission", frame("") + frame("\x01"), 1, &empty, {}, nullptr,
          "a keepalive is never the admission message: skipped, and the admission deadline keeps "
          "running");
    start("start/only-keepalive", frame(""), 1, nullptr, {}, nullptr,
          "not admitted yet: the server goes on waiting (until its 10 s deadline)");
    start("start/first-message-02", frame("\x02") + frame(hello), 0, nullptr, {}, "not_admission",
          "the first non-empty message decides: closed (bad_admission)");
    start("start/oversized-first-header", w{}.be32(258).s, 0, nullptr, {}, "admission_too_long",
          "only the 4 header bytes have arrived: refused already");
    start("start/keepalive-then-oversized", frame("") + w{}.be32(512).s, 1, nullptr, {},
          "admission_too_long", "the admission bound holds until the admission message");
  }

  json doc;
  doc["kind"] = "message-layer";
  doc["about"] =
      "The message layer of docs/PROTOCOL.md §4.3 on plaintext: the bytes of one box-stream "
      "direction's bodies, concatenated (box-stream itself: box-stream.vectors.json). what = "
      "stream: be32(len) || payload framing, with keepalives (len 0); what = admission: the "
      "client's first message 01 || token; what = session_start: a server's view of the first "
      "messages. Error names: PROTOCOL.md §4.3.1 and §4.3.2. Format: tests/vectors/README.md, "
      "section message-layer. Made by tests/conformance/gen_wire_vectors.cpp.";
  doc["encoding"] = "bytes: lowercase hex; an empty payload (\"\") in messages is a keepalive";
  doc["vectors"] = std::move(vs);
  return doc;
}

// One vector per line: readable, and a diff shows which vectors changed.
void write(const std::string& path, const json& doc) {
  std::ofstream out(path, std::ios::binary);
  out << "{\n";
  bool first = true;
  for (const auto& [k, val] : doc.items()) {
    if (!first) out << ",\n";
    first = false;
    out << "  " << json(k).dump() << ": ";
    if (k == "vectors") {
      out << "[\n";
      for (std::size_t i = 0; i < val.size(); ++i) {
        out << "    " << val[i].dump() << (i + 1 < val.size() ? ",\n" : "\n");
      }
      out << "  ]";
    } else {
      out << val.dump();
    }
  }
  out << "\n}\n";
  if (!out) throw std::runtime_error("cannot write " + path);
  std::cout << path << ": " << doc["vectors"].size() << " vectors\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: zwerm-gen-wire-vectors OUT_DIR (tests/vectors)\n";
    return 2;
  }
  const std::string dir = argv[1];
  write(dir + "/sync-messages.json", sync_messages());
  write(dir + "/message-layer.json", message_layer());
  return 0;
}
