#include "node/community/snapshot_io.hpp"

namespace zwerm::node::community {

void snapshot_writer::u64(std::uint64_t v) {
  if (v < 0x80) {
    out_.push_back(static_cast<char>(v));
    return;
  }
  char b[10];
  std::size_t n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out_.append(b, n);
}

bool snapshot_reader::u8(std::uint8_t* v) {
  if (!ok_ || pos_ >= in_.size()) return ok_ = false;
  *v = static_cast<std::uint8_t>(in_[pos_++]);
  return true;
}

bool snapshot_reader::u64(std::uint64_t* v) {
  std::uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    std::uint8_t b;
    if (!u8(&b)) return false;
    if (shift == 63 && b > 1) return ok_ = false;
    result |= std::uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) {
      *v = result;
      return true;
    }
  }
  return ok_ = false;
}

bool snapshot_reader::u32(std::uint32_t* v) {
  std::uint64_t x;
  if (!u64(&x) || x > 0xffffffffu) return ok_ = false;
  *v = static_cast<std::uint32_t>(x);
  return true;
}

bool snapshot_reader::i64(std::int64_t* v) {
  std::uint64_t x;
  if (!u64(&x)) return false;
  *v = static_cast<std::int64_t>((x >> 1) ^ (~(x & 1) + 1));
  return true;
}

bool snapshot_reader::boolean(bool* v) {
  std::uint8_t b;
  if (!u8(&b) || b > 1) return ok_ = false;
  *v = b == 1;
  return true;
}

namespace {
// Every string in a snapshot is UTF-8 text (names, titles, topics); views dump them as JSON.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    if (len == 0 || i + len > s.size()) return false;
    std::uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}
}  // namespace

bool snapshot_reader::str(std::string* s) {
  std::uint64_t n;
  if (!u64(&n) || n > in_.size() - pos_) return ok_ = false;
  if (!valid_utf8(in_.substr(pos_, n))) return ok_ = false;
  s->assign(in_.substr(pos_, n));
  pos_ += n;
  return true;
}

bool snapshot_reader::count(std::size_t* n, std::size_t min_item_bytes) {
  std::uint64_t x;
  if (!u64(&x)) return false;
  if (min_item_bytes > 0 && x > (in_.size() - pos_) / min_item_bytes) return ok_ = false;
  *n = static_cast<std::size_t>(x);
  return true;
}

bool snapshot_reader::raw(std::string_view expected) {
  if (!ok_ || in_.substr(pos_, expected.size()) != expected) return ok_ = false;
  pos_ += expected.size();
  return true;
}

}  // namespace zwerm::node::community
