// Internal: the byte-level writer and bounds-checked reader of state snapshots
// (PROTOCOL.md §3.7 describes the encoding). Unsigned integers are LEB128 varints, signed ones
// zigzag varints, fixed ids 32 raw bytes, strings a varint length and the bytes.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/bytes.hpp"

namespace zwerm::node::community {

class snapshot_writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u64(std::uint64_t v);
  void i64(std::int64_t v) {
    u64((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  template <std::size_t N, class Tag>
  void fixed(const crypto::fixed_bytes<N, Tag>& b) {
    out_.append(b.view());
  }
  void raw(std::string_view s) { out_.append(s); }
  // Fixed-width little-endian integers (bulk sections read with one bounds check).
  template <class T>
  void le(T v) {
    char b[sizeof(T)];
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(b, &v, sizeof(T));
    } else {
      for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    }
    out_.append(b, sizeof(T));
  }
  void reserve(std::size_t n) { out_.reserve(out_.size() + n); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Every read returns false once the input is exhausted or malformed; the reader then stays
// failed, so a decoder may check ok() once per section.
class snapshot_reader {
 public:
  explicit snapshot_reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  bool u8(std::uint8_t* v);
  bool u64(std::uint64_t* v);
  bool u32(std::uint32_t* v);  // a varint that must fit 32 bits
  bool i64(std::int64_t* v);
  bool boolean(bool* v);
  bool str(std::string* s);
  // A count of items, each at least `min_item_bytes` long: refuses counts the input cannot hold.
  bool count(std::size_t* n, std::size_t min_item_bytes);
  template <std::size_t N, class Tag>
  bool fixed(crypto::fixed_bytes<N, Tag>* b) {
    if (!ok_ || in_.size() - pos_ < N) return ok_ = false;
    crypto::fixed_bytes<N, Tag>::from(in_.substr(pos_, N), b);
    pos_ += N;
    return true;
  }
  bool raw(std::string_view expected);
  // The next n bytes, or false when fewer remain.
  bool take(std::size_t n, std::string_view* out) {
    if (!ok_ || in_.size() - pos_ < n) return ok_ = false;
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  void fail() { ok_ = false; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace zwerm::node::community
