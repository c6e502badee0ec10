#include "node/sync/messages.hpp"

#include <cstring>
#include <type_traits>

namespace zwerm::node::sync {
namespace {

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

void put_u8(std::uint8_t v, std::string& out) {
  out.push_back(static_cast<char>(v));
}

template <class T>
void put_fixed(const T& f, std::string& out) {
  out.append(f.view());
}

void put_bitmap(const bucket_set& s, std::string& out) {
  // Bit i of the bitmap is bit (7 - i % 8) of byte i / 8: bucket 0 is the top bit of byte 0.
  std::array<char, bucket_count / 8> bytes{};
  for (std::size_t i = 0; i < bucket_count; ++i) {
    if (s.test(i)) bytes[i / 8] = static_cast<char>(bytes[i / 8] | (0x80 >> (i % 8)));
  }
  out.append(bytes.data(), bytes.size());
}

// Reads from a bounded view; every accessor checks the remaining length first and records the
// first failure as a sentence, so callers can chain reads and check once.
class reader {
 public:
  explicit reader(std::string_view in) : in_(in) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  void fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }

  std::uint8_t u8(const char* what) {
    if (!need(1, what)) return 0;
    return static_cast<std::uint8_t>(in_[pos_++]);
  }

  std::uint64_t varint(const char* what) {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!need(1, what)) return 0;
      auto b = static_cast<std::uint8_t>(in_[pos_++]);
      if (shift == 63 && (b & 0xfe) != 0) {
        fail(std::string(what) + ": varint exceeds 64 bits");
        return 0;
      }
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift != 0) {
          fail(std::string(what) + ": varint is not minimally encoded");
          return 0;
        }
        return v;
      }
    }
    fail(std::string(what) + ": varint exceeds 64 bits");
    return 0;
  }

  template <class T>
  T fixed(const char* what) {
    T f;
    if (!need(T::size(), what)) return f;
    std::memcpy(f.data(), in_.data() + pos_, T::size());
    pos_ += T::size();
    return f;
  }

  std::string_view bytes(std::size_t n, const char* what) {
    if (!need(n, what)) return {};
    auto v = in_.substr(pos_, n);
    pos_ += n;
    return v;
  }

  bucket_set bitmap(const char* what) {
    bucket_set s;
    auto b = bytes(bucket_count / 8, what);
    if (failed()) return s;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      if (static_cast<std::uint8_t>(b[i / 8]) & (0x80 >> (i % 8))) s.set(i);
    }
    return s;
  }

  // A count of items that each take at least min_item_size bytes: refused before anything is
  // allocated when the bytes left cannot hold that many, or when it exceeds `limit`.
  std::size_t count(std::size_t min_item_size, std::size_t limit, const char* what) {
    std::uint64_t n = varint(what);
    if (failed()) return 0;
    if (n > limit) {
      fail(std::string(what) + ": count " + std::to_string(n) + " exceeds the limit of " +
           std::to_string(limit));
      return 0;
    }
    if (n > remaining() / min_item_size) {
      fail(std::string(what) + ": count " + std::to_string(n) +
           " is more than the message's remaining " + std::to_string(remaining()) +
           " bytes can hold");
      return 0;
    }
    return static_cast<std::size_t>(n);
  }

 private:
  bool need(std::size_t n, const char* what) {
    if (failed()) return false;
    if (remaining() < n) {
      fail(std::string("truncated message: ") + what + " needs " + std::to_string(n) + " bytes, " +
           std::to_string(remaining()) + " left");
      return false;
    }
    return true;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string error_;
};

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // the continuation bytes are missing
    for (std::size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

constexpr std::size_t head_min = 32 + 1 + digest_prefix_size;
constexpr std::size_t want_min = 32 + 1;
constexpr std::size_t have_min = 32 + 1;
constexpr std::size_t record_min = 1 + 1;
constexpr std::size_t peer_min = 32 + 1 + 1;

// A fork proof's record, framed as PROTOCOL.md §2.8 frames a proof: `u32 len` (big-endian,
// 1..max_record_size) ‖ bytes.
std::string proof_record(reader& r, const char* what) {
  auto be = r.bytes(4, what);
  if (r.failed()) return {};
  std::uint64_t len = 0;
  for (char c : be) len = (len << 8) | static_cast<unsigned char>(c);
  if (len == 0 || len > max_record_size) {
    r.fail(std::string(what) + ": record length " + std::to_string(len) + " outside 1.." +
           std::to_string(max_record_size));
    return {};
  }
  return std::string(r.bytes(static_cast<std::size_t>(len), what));
}

message decode_body(message_type t, reader& r, std::uint8_t version) {
  switch (t) {
    case message_type::hello: {
      hello h;
      h.min_version = r.u8("hello min_version");
      h.max_version = r.u8("hello max_version");
      if (!r.failed() && (h.min_version == 0 || h.min_version > h.max_version)) {
        r.fail("hello: version range " + std::to_string(h.min_version) + ".." +
               std::to_string(h.max_version) + " is empty or starts at 0");
      }
      h.community = r.fixed<community_id>("hello community id");
      h.frontier = r.fixed<frontier_digest>("hello frontier digest");
      h.features = r.varint("hello features");
      // Fields a later version appended: ignored, within a bound.
      if (!r.failed() && r.remaining() > max_hello_extension) {
        r.fail("hello: " + std::to_string(r.remaining()) + " bytes of extension exceed " +
               std::to_string(max_hello_extension));
      }
      if (!r.failed()) r.bytes(r.remaining(), "hello extension");
      return h;
    }
    case message_type::frontier: {
      frontier f;
      f.digest = r.fixed<frontier_digest>("frontier digest");
      auto flags = r.u8("frontier flags");
      if (!r.failed() && (flags & ~1u) != 0) r.fail("frontier: unknown flag bits set");
      f.reply_wanted = (flags & 1u) != 0;
      return f;
    }
    case message_type::buckets: {
      buckets b;
      b.non_empty = r.bitmap("buckets bitmap");
      if (r.failed()) return b;
      std::size_t n = b.non_empty.count();
      if (r.remaining() != n * digest_prefix_size) {
        r.fail("buckets: the bitmap marks " + std::to_string(n) + " buckets but " +
               std::to_string(r.remaining()) + " bytes of digests follow (expected " +
               std::to_string(n * digest_prefix_size) + ")");
        return b;
      }
      b.digests.reserve(n);
      for (std::size_t i = 0; i < n; ++i) b.digests.push_back(r.fixed<digest_prefix>("digest"));
      return b;
    }
    case message_type::heads_request: {
      heads_request q;
      q.which = r.bitmap("heads_request bitmap");
      if (!r.failed() && q.which.none()) r.fail("heads_request: no bucket requested");
      return q;
    }
    case message_type::heads: {
      heads h;
      std::size_t n = r.count(head_min, max_message_size / head_min, "heads count");
      h.entries.reserve(n);
      for (std::size_t i = 0; i < n && !r.failed(); ++i) {
        head_entry e;
        e.author = r.fixed<member_id>("head author");
        e.seq = r.varint("head seq");
        e.id = r.fixed<digest_prefix>("head id");
        if (version >= 2) {
          auto flags = r.u8("head flags");
          if (!r.failed() && (flags & ~1u) != 0) r.fail("heads: unknown flag bits set");
          e.forked = (flags & 1u) != 0;
        }
        if (r.failed()) break;
        if (e.seq == 0) r.fail("heads: entry with seq 0");
        if (!h.entries.empty() && !(h.entries.back().author < e.author)) {
          r.fail("heads: authors are not strictly ascending");
        }
        h.entries.push_back(e);
      }
      return h;
    }
    case message_type::want: {
      want w;
      std::size_t n = r.count(want_min, max_message_size / want_min, "want count");
      w.entries.reserve(n);
      for (std::size_t i = 0; i < n && !r.failed(); ++i) {
        want_entry e;
        e.author = r.fixed<member_id>("want author");
        e.from_seq = r.varint("want from_seq");
        if (!r.failed() && e.from_seq == 0) r.fail("want: from_seq 0 (feeds start at seq 1)");
        w.entries.push_back(e);
      }
      return w;
    }
    case message_type::records: {
      records m;
      auto flags = r.u8("records flags");
      if (!r.failed() && (flags & ~1u) != 0) r.fail("records: unknown flag bits set");
      m.live = (flags & 1u) != 0;
      std::size_t n = r.count(record_min, max_message_size / record_min, "records count");
      if (!r.failed() && n == 0) r.fail("records: empty batch");
      m.items.reserve(n);
      for (std::size_t i = 0; i < n && !r.failed(); ++i) {
        std::uint64_t len = r.varint("record length");
        if (r.failed()) break;
        if (len == 0 || len > max_record_size) {
          r.fail("records: record length " + std::to_string(len) + " outside 1.." +
                 std::to_string(max_record_size));
          break;
        }
        auto b = r.bytes(static_cast<std::size_t>(len), "record bytes");
        if (r.failed()) break;
        m.items.emplace_back(b);
      }
      return m;
    }
    case message_type::ack: {
      ack a;
      a.bytes = r.varint("ack bytes");
      if (!r.failed() && a.bytes == 0) r.fail("ack: zero bytes");
      return a;
    }
    case message_type::have: {
      have h;
      std::size_t n = r.count(have_min, max_message_size / have_min, "have count");
      if (!r.failed() && n == 0) r.fail("have: no entries");
      h.entries.reserve(n);
      for (std::size_t i = 0; i < n && !r.failed(); ++i) {
        have_entry e;
        e.author = r.fixed<member_id>("have author");
        e.seq = r.varint("have seq");
        if (!r.failed() && e.seq == 0) r.fail("have: entry with seq 0");
        h.entries.push_back(e);
      }
      return h;
    }
    case message_type::peers_request:
      return peers_request{};
    case message_type::peers: {
      peers p;
      std::size_t n = r.count(peer_min, max_peers_per_message, "peers count");
      p.entries.reserve(n);
      for (std::size_t i = 0; i < n && !r.failed(); ++i) {
        peer_address a;
        a.key = r.fixed<member_id>("peer key");
        auto len = r.u8("peer address length");
        if (!r.failed() && len == 0) r.fail("peers: empty address");
        auto s = r.bytes(len, "peer address");
        if (r.failed()) break;
        if (!valid_utf8(s)) r.fail("peers: address is not valid UTF-8");
        a.address = std::string(s);
        p.entries.push_back(std::move(a));
      }
      return p;
    }
    case message_type::fork_proof: {
      fork_proof f;
      f.first = proof_record(r, "fork_proof first record");
      f.second = proof_record(r, "fork_proof second record");
      if (!r.failed() && f.first == f.second) r.fail("fork_proof: the two records are the same");
      return f;
    }
  }
  r.fail("unknown message type");
  return peers_request{};
}

}  // namespace

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_varint(std::uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

message_type type_of(const message& m) {
  return std::visit(overloaded{
                        [](const hello&) { return message_type::hello; },
                        [](const frontier&) { return message_type::frontier; },
                        [](const buckets&) { return message_type::buckets; },
                        [](const heads_request&) { return message_type::heads_request; },
                        [](const heads&) { return message_type::heads; },
                        [](const want&) { return message_type::want; },
                        [](const records&) { return message_type::records; },
                        [](const ack&) { return message_type::ack; },
                        [](const have&) { return message_type::have; },
                        [](const peers_request&) { return message_type::peers_request; },
                        [](const peers&) { return message_type::peers; },
                        [](const fork_proof&) { return message_type::fork_proof; },
                    },
                    m);
}

const char* name_of(message_type t) {
  switch (t) {
    case message_type::hello:
      return "hello";
    case message_type::frontier:
      return "frontier";
    case message_type::buckets:
      return "buckets";
    case message_type::heads_request:
      return "heads_request";
    case message_type::heads:
      return "heads";
    case message_type::want:
      return "want";
    case message_type::records:
      return "records";
    case message_type::ack:
      return "ack";
    case message_type::have:
      return "have";
    case message_type::peers_request:
      return "peers_request";
    case message_type::peers:
      return "peers";
    case message_type::fork_proof:
      return "fork_proof";
  }
  return "unknown";
}

std::uint8_t version_of(message_type t) {
  return t == message_type::fork_proof ? 2 : 1;
}

void encode(const message& m, std::string& out, std::uint8_t version) {
  put_u8(static_cast<std::uint8_t>(type_of(m)), out);
  std::visit(overloaded{
                 [&](const hello& h) {
                   put_u8(h.min_version, out);
                   put_u8(h.max_version, out);
                   put_fixed(h.community, out);
                   put_fixed(h.frontier, out);
                   put_varint(h.features, out);
                 },
                 [&](const frontier& f) {
                   put_fixed(f.digest, out);
                   put_u8(f.reply_wanted ? 1 : 0, out);
                 },
                 [&](const buckets& b) {
                   put_bitmap(b.non_empty, out);
                   for (const auto& d : b.digests) put_fixed(d, out);
                 },
                 [&](const heads_request& q) { put_bitmap(q.which, out); },
                 [&](const heads& h) {
                   put_varint(h.entries.size(), out);
                   for (const auto& e : h.entries) {
                     put_fixed(e.author, out);
                     put_varint(e.seq, out);
                     put_fixed(e.id, out);
                     if (version >= 2) put_u8(e.forked ? 1 : 0, out);
                   }
                 },
                 [&](const want& w) {
                   put_varint(w.entries.size(), out);
                   for (const auto& e : w.entries) {
                     put_fixed(e.author, out);
                     put_varint(e.from_seq, out);
                   }
                 },
                 [&](const records& r) {
                   put_u8(r.live ? 1 : 0, out);
                   put_varint(r.items.size(), out);
                   for (const auto& it : r.items) {
                     put_varint(it.size(), out);
                     out.append(it);
                   }
                 },
                 [&](const ack& a) { put_varint(a.bytes, out); },
                 [&](const have& h) {
                   put_varint(h.entries.size(), out);
                   for (const auto& e : h.entries) {
                     put_fixed(e.author, out);
                     put_varint(e.seq, out);
                   }
                 },
                 [&](const peers_request&) {},
                 [&](const peers& p) {
                   put_varint(p.entries.size(), out);
                   for (const auto& e : p.entries) {
                     put_fixed(e.key, out);
                     put_u8(static_cast<std::uint8_t>(e.address.size()), out);
                     out.append(e.address);
                   }
                 },
                 [&](const fork_proof& f) {
                   for (const std::string* r : {&f.first, &f.second}) {
                     for (int shift = 24; shift >= 0; shift -= 8) {
                       put_u8(static_cast<std::uint8_t>(r->size() >> shift), out);
                     }
                     out.append(*r);
                   }
                 },
             },
             m);
}

std::string encode(const message& m, std::uint8_t version) {
  std::string out;
  out.reserve(encoded_size(m, version));
  encode(m, out, version);
  return out;
}

std::size_t encoded_size(const message& m, std::uint8_t version) {
  const std::size_t head_flags = version >= 2 ? 1 : 0;
  return 1 + std::visit(overloaded{
                            [](const hello& h) -> std::size_t {
                              return 2 + 32 + 32 + varint_size(h.features);
                            },
                            [](const frontier&) -> std::size_t { return 32 + 1; },
                            [](const buckets& b) -> std::size_t {
                              return bucket_count / 8 + b.digests.size() * digest_prefix_size;
                            },
                            [](const heads_request&) -> std::size_t { return bucket_count / 8; },
                            [&](const heads& h) -> std::size_t {
                              std::size_t n = varint_size(h.entries.size());
                              for (const auto& e : h.entries)
                                n += 32 + varint_size(e.seq) + 16 + head_flags;
                              return n;
                            },
                            [](const want& w) -> std::size_t {
                              std::size_t n = varint_size(w.entries.size());
                              for (const auto& e : w.entries) n += 32 + varint_size(e.from_seq);
                              return n;
                            },
                            [](const records& r) -> std::size_t {
                              std::size_t n = 1 + varint_size(r.items.size());
                              for (const auto& it : r.items)
                                n += varint_size(it.size()) + it.size();
                              return n;
                            },
                            [](const ack& a) -> std::size_t { return varint_size(a.bytes); },
                            [](const have& h) -> std::size_t {
                              std::size_t n = varint_size(h.entries.size());
                              for (const auto& e : h.entries) n += 32 + varint_size(e.seq);
                              return n;
                            },
                            [](const peers_request&) -> std::size_t { return 0; },
                            [](const peers& p) -> std::size_t {
                              std::size_t n = varint_size(p.entries.size());
                              for (const auto& e : p.entries) n += 32 + 1 + e.address.size();
                              return n;
                            },
                            [](const fork_proof& f) -> std::size_t {
                              return 4 + f.first.size() + 4 + f.second.size();
                            },
                        },
                        m);
}

result<message> decode(std::string_view in, std::uint8_t version) {
  if (in.empty()) return status(status_code::rejected, "empty sync message");
  if (in.size() > max_message_size) {
    return status(status_code::rejected, "sync message of " + std::to_string(in.size()) +
                                             " bytes exceeds the limit of " +
                                             std::to_string(max_message_size));
  }
  auto type = static_cast<std::uint8_t>(in[0]);
  if (type < static_cast<std::uint8_t>(message_type::hello) ||
      type > static_cast<std::uint8_t>(message_type::fork_proof)) {
    return status(status_code::rejected, std::string("unknown ") +
                                             (is_optional(type) ? "optional " : "") +
                                             "sync message type " + std::to_string(type));
  }
  auto t = static_cast<message_type>(type);
  if (version_of(t) > version) {
    return status(status_code::rejected, std::string(name_of(t)) + " does not exist in version " +
                                             std::to_string(version) + " of the protocol");
  }
  reader r(in.substr(1));
  message m = decode_body(t, r, version);
  if (!r.failed() && r.remaining() != 0) {
    r.fail(std::to_string(r.remaining()) + " unexpected bytes after the message");
  }
  if (r.failed()) {
    return status(status_code::rejected,
                  std::string("malformed ") + name_of(t) + " message: " + r.error());
  }
  return m;
}

}  // namespace zwerm::node::sync
