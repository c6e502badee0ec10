#include "crypto/box_stream.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace zwerm::crypto {
namespace {

static_assert(box_header_size == 2 + crypto_secretbox_MACBYTES + crypto_secretbox_MACBYTES);
static_assert(box_key::size() == crypto_secretbox_KEYBYTES);
static_assert(box_nonce::size() == crypto_secretbox_NONCEBYTES);

constexpr std::size_t header_plain_size = 2 + crypto_secretbox_MACBYTES;  // be16 len ‖ tag

unsigned char* as_uchar(char* p) {
  return reinterpret_cast<unsigned char*>(p);
}
const unsigned char* as_uchar(const char* p) {
  return reinterpret_cast<const unsigned char*>(p);
}

}  // namespace

void increment_nonce(box_nonce& n) {
  for (std::size_t i = n.size(); i-- > 0;) {
    if (++n.bytes[i] != 0) return;
  }
}

// --------------------------------------------------------------------------------- sealer

box_stream_sealer::box_stream_sealer(const box_key& key, const box_nonce& nonce)
    : key_(key), nonce_(nonce) {}

box_stream_sealer::~box_stream_sealer() {
  sodium_memzero(key_.data(), key_.size());
}

void box_stream_sealer::seal(std::string_view plain, std::string& out) {
  if (finished_) throw std::logic_error("box_stream_sealer::seal after goodbye");
  while (!plain.empty()) {
    std::size_t len = std::min(plain.size(), box_max_body);
    std::size_t at = out.size();
    out.resize(at + box_header_size + len);
    // Body first (nonce n+1): its detached tag goes into the header (nonce n).
    std::array<unsigned char, header_plain_size> header_plain;
    header_plain[0] = static_cast<unsigned char>(len >> 8);
    header_plain[1] = static_cast<unsigned char>(len & 0xff);
    box_nonce body_nonce = nonce_;
    increment_nonce(body_nonce);
    if (crypto_secretbox_detached(as_uchar(out.data() + at + box_header_size),
                                  header_plain.data() + 2, as_uchar(plain.data()), len,
                                  body_nonce.data(), key_.data()) != 0 ||
        crypto_secretbox_easy(as_uchar(out.data() + at), header_plain.data(), header_plain.size(),
                              nonce_.data(), key_.data()) != 0) {
      throw std::runtime_error("crypto_secretbox failed while sealing a box-stream frame");
    }
    nonce_ = body_nonce;
    increment_nonce(nonce_);
    plain.remove_prefix(len);
  }
}

void box_stream_sealer::goodbye(std::string& out) {
  if (finished_) throw std::logic_error("box_stream_sealer::goodbye twice");
  std::array<unsigned char, header_plain_size> zeros{};
  std::size_t at = out.size();
  out.resize(at + box_header_size);
  if (crypto_secretbox_easy(as_uchar(out.data() + at), zeros.data(), zeros.size(), nonce_.data(),
                            key_.data()) != 0) {
    throw std::runtime_error("crypto_secretbox failed while sealing the goodbye");
  }
  finished_ = true;
  sodium_memzero(key_.data(), key_.size());
}

// --------------------------------------------------------------------------------- opener

box_stream_opener::box_stream_opener(const box_key& key, const box_nonce& nonce)
    : key_(key), nonce_(nonce) {}

box_stream_opener::~box_stream_opener() {
  sodium_memzero(key_.data(), key_.size());
}

void box_stream_opener::fail() {
  phase_ = phase::failed;
  pending_len_ = 0;
  sodium_memzero(key_.data(), key_.size());
}

box_stream_opener::header_result box_stream_opener::open_header(std::string_view header,
                                                                std::size_t* body_len) {
  if (phase_ != phase::header || header.size() != box_header_size) {
    fail();
    return header_result::bad;
  }
  std::array<unsigned char, header_plain_size> plain;
  if (crypto_secretbox_open_easy(plain.data(), as_uchar(header.data()), header.size(),
                                 nonce_.data(), key_.data()) != 0) {
    fail();
    return header_result::bad;
  }
  if (std::all_of(plain.begin(), plain.end(), [](unsigned char b) { return b == 0; })) {
    phase_ = phase::ended;
    sodium_memzero(key_.data(), key_.size());
    return header_result::goodbye;
  }
  std::size_t len = (std::size_t{plain[0]} << 8) | plain[1];
  // Bodies are 1..4096 bytes; refuse before the caller reads or allocates anything more.
  if (len == 0 || len > box_max_body) {
    fail();
    return header_result::bad;
  }
  std::copy(plain.begin() + 2, plain.end(), pending_tag_.begin());
  pending_len_ = len;
  increment_nonce(nonce_);  // the body's nonce is n+1
  phase_ = phase::body;
  if (body_len) *body_len = len;
  return header_result::body;
}

bool box_stream_opener::open_body(std::string_view cipher, std::string& out) {
  if (phase_ != phase::body || cipher.size() != pending_len_) {
    fail();
    return false;
  }
  std::size_t at = out.size();
  out.resize(at + cipher.size());
  if (crypto_secretbox_open_detached(as_uchar(out.data() + at), as_uchar(cipher.data()),
                                     pending_tag_.data(), cipher.size(), nonce_.data(),
                                     key_.data()) != 0) {
    out.resize(at);
    fail();
    return false;
  }
  increment_nonce(nonce_);  // the next header's nonce is n+2
  pending_len_ = 0;
  phase_ = phase::header;
  return true;
}

}  // namespace zwerm::crypto
