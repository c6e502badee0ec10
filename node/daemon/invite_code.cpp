#include "node/daemon/invite_code.hpp"

#include "base/base64url.hpp"

namespace zwerm::node {
namespace {

status bad(const std::string& why) {
  return {status_code::invalid_argument, "this is not a zwerm invite code: " + why};
}

// Reads fixed-size fields off the front of a byte string.
class reader {
 public:
  explicit reader(std::string_view bytes) : rest_(bytes) {}
  template <class T>
  bool take(T* out) {
    if (rest_.size() < T::size()) return false;
    T::from(rest_.substr(0, T::size()), out);
    rest_.remove_prefix(T::size());
    return true;
  }
  bool byte(unsigned* out) {
    if (rest_.empty()) return false;
    *out = static_cast<unsigned char>(rest_.front());
    rest_.remove_prefix(1);
    return true;
  }
  bool text(std::size_t n, std::string* out) {
    if (rest_.size() < n) return false;
    *out = std::string(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return true;
  }
  bool be64(std::uint64_t* out) {
    if (rest_.size() < 8) return false;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(rest_[i]);
    rest_.remove_prefix(8);
    *out = v;
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

result<std::string> encode_invite_code(const invite_code& code) {
  if (code.peers.empty() || code.peers.size() > max_invite_peers) {
    return status{
        status_code::invalid_argument,
        "an invite code carries 1 to 8 member nodes, not " + std::to_string(code.peers.size())};
  }
  std::string bytes;
  if (code.invite_lamport == 0) {
    return status{status_code::invalid_argument, "an invite code needs the invite's lamport"};
  }
  bytes += static_cast<char>((code.token ? 1 : 0) | 2);
  bytes += code.community.view();
  bytes += code.network_key.view();
  bytes += code.invite_id.view();
  for (int i = 7; i >= 0; --i) bytes += static_cast<char>((code.invite_lamport >> (8 * i)) & 0xff);
  if (code.token) bytes += code.token->view();
  bytes += static_cast<char>(code.peers.size());
  for (const auto& peer : code.peers) {
    const std::string address = peer.address.to_string();
    if (address.size() > max_invite_address || peer.address.port == 0) {
      return status{status_code::invalid_argument,
                    "cannot put the address " + address + " into an invite code"};
    }
    bytes += peer.key.view();
    bytes += static_cast<char>(address.size());
    bytes += address;
  }
  return std::string(invite_code_prefix) + crypto::base64url_encode(bytes);
}

result<invite_code> decode_invite_code(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  if (text.substr(0, invite_code_prefix.size()) != invite_code_prefix) {
    return bad("it should start with \"zw1-\"");
  }
  std::string bytes;
  if (!crypto::base64url_decode(text.substr(invite_code_prefix.size()), &bytes)) {
    return bad("it holds characters outside base64url or was cut off");
  }
  reader in(bytes);
  invite_code code;
  unsigned flags = 0;
  if (!in.byte(&flags)) return bad("it is empty");
  if (flags > 3) return bad("unknown flags (made by a newer zwerm?)");
  if (!(flags & 2)) {
    return bad(
        "it was made by an older zwerm and lacks the invite's place in the log; ask for "
        "a new code");
  }
  if (!in.take(&code.community) || !in.take(&code.network_key) || !in.take(&code.invite_id) ||
      !in.be64(&code.invite_lamport)) {
    return bad("it is too short (was it cut off when copied?)");
  }
  if (code.invite_lamport == 0) return bad("its invite lamport is 0");
  if (flags & 1) {
    invite_token token;
    if (!in.take(&token)) return bad("it is too short (was it cut off when copied?)");
    code.token = token;
  }
  unsigned count = 0;
  if (!in.byte(&count)) return bad("it is too short (was it cut off when copied?)");
  if (count == 0 || count > max_invite_peers) {
    return bad("it names " + std::to_string(count) + " member nodes; 1 to 8 are allowed");
  }
  for (unsigned i = 0; i < count; ++i) {
    invite_peer peer;
    unsigned length = 0;
    std::string address;
    if (!in.take(&peer.key) || !in.byte(&length) || length == 0 || !in.text(length, &address)) {
      return bad("member node " + std::to_string(i + 1) + " is cut off");
    }
    auto hp = parse_host_port(address);
    if (!hp || hp->port == 0)
      return bad("member node " + std::to_string(i + 1) + " has no valid address");
    peer.address = *hp;
    code.peers.push_back(std::move(peer));
  }
  if (!in.done()) return bad("it has bytes after the last member node");
  return code;
}

}  // namespace zwerm::node
