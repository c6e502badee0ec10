// Secret Handshake v1 state machines, built from the steps in shs_steps.cpp.
//
// Every fallible computation of a side happens when the peer's message is read, so that a
// message which is refused leaves nothing to send. After a refusal the object stays refused
// and all secrets are wiped. Calling a method out of order is a bug of the caller (net/) and
// throws std::logic_error; peer input never does.
#include "crypto/shs.hpp"

#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/shs_steps.hpp"

namespace zwerm::crypto {
namespace {

enum class phase : std::uint8_t { start, hello_read, auth_read, done, refused };

template <class T>
void wipe_struct(T& t) {
  static_assert(std::is_trivially_copyable_v<T>);
  wipe(&t, sizeof t);
}

template <std::size_t N>
std::array<std::uint8_t, N> to_array(std::string_view s) {
  std::array<std::uint8_t, N> a;
  if (s.size() != N) throw std::logic_error("shs: unexpected box size");
  std::memcpy(a.data(), s.data(), N);
  return a;
}

}  // namespace

// ---------------------------------------------------------------------------------- client

struct shs_client::state {
  // Everything here is trivially copyable, so one sodium_memzero wipes it all.
  struct secrets {
    network_key network;
    key_pair local;
    public_key server;
    ephemeral_key_pair eph;
    shs_mac local_mac;
    shs_mac remote_mac;
    std::array<std::uint8_t, 96> hello_plain;  // sig_A ‖ A
    std::array<std::uint8_t, shs_msg3_size> msg3;
    sha256_digest ab_hash;
    shs_secret msg4_key;
    shs_session_keys keys;
  } s;
  std::array<std::uint8_t, shs_msg1_size> msg1;  // public: hmac(N, a) ‖ a
  phase ph = phase::start;

  void refuse() {
    wipe_struct(s);
    ph = phase::refused;
  }
};

shs_client::shs_client(const network_key& network, const key_pair& local, const public_key& server,
                       std::optional<ephemeral_key_pair> ephemeral)
    : s_(new state) {
  s_->s.network = network;
  s_->s.local = local;
  s_->s.server = server;
  s_->s.eph = ephemeral ? *ephemeral : generate_ephemeral_key_pair();
  if (ephemeral) wipe(ephemeral->sk);
  s_->s.local_mac = shs_app_mac(network, s_->s.eph.pk);
  s_->msg1 = shs_challenge(network, s_->s.eph.pk);
}

shs_client::~shs_client() {
  wipe_struct(s_->s);
  delete s_;
}

std::array<std::uint8_t, shs_msg1_size> shs_client::hello() const {
  return s_->msg1;
}

bool shs_client::read_server_hello(std::span<const std::uint8_t> msg2) {
  if (s_->ph != phase::start) {
    s_->refuse();
    return false;
  }
  auto& s = s_->s;
  auto b = shs_verify_challenge(s.network, msg2, &s.remote_mac);
  if (!b) return s_->refuse(), false;

  auto server_curve = shs_curve_pk(s.server);
  auto local_curve_sk = shs_curve_sk(s.local.sk);
  if (!server_curve || !local_curve_sk) return s_->refuse(), false;
  auto ab = shs_x25519(s.eph.sk, *b);
  auto aB = shs_x25519(s.eph.sk, *server_curve);
  auto Ab = shs_x25519(*local_curve_sk, *b);
  wipe(*local_curve_sk);
  bool ok = ab && aB && Ab;
  if (ok) {
    s.ab_hash = sha256(ab->view());
    s.hello_plain = shs_client_hello_plain(s.network, s.local, s.server, s.ab_hash);
    shs_secret msg3_key = shs_msg3_key(s.network, *ab, *aB);
    std::string boxed = shs_box(s.hello_plain, msg3_key);
    s.msg3 = to_array<shs_msg3_size>(boxed);
    s.msg4_key = shs_msg4_key(s.network, *ab, *aB, *Ab);
    wipe(msg3_key);
  }
  if (ab) wipe(*ab);
  if (aB) wipe(*aB);
  if (Ab) wipe(*Ab);
  if (!ok) return s_->refuse(), false;
  // The ephemeral and long-term secret keys are not needed any more.
  wipe(s.eph.sk);
  wipe(s.local.sk);
  s_->ph = phase::hello_read;
  return true;
}

std::array<std::uint8_t, shs_msg3_size> shs_client::auth() {
  if (s_->ph != phase::hello_read) {
    throw std::logic_error("shs_client::auth before a successful read_server_hello");
  }
  return s_->s.msg3;
}

bool shs_client::read_server_accept(std::span<const std::uint8_t> msg4) {
  auto& s = s_->s;
  if (s_->ph != phase::hello_read || msg4.size() != shs_msg4_size) return s_->refuse(), false;
  auto plain = shs_unbox(msg4, s.msg4_key);
  if (!plain || plain->size() != signature::size()) return s_->refuse(), false;
  signature sig_b;
  signature::from(*plain, &sig_b);
  if (!shs_verify_server_accept_sig(s.network, s.server, s.hello_plain, s.ab_hash, sig_b)) {
    return s_->refuse(), false;
  }
  shs_secret box_secret = shs_box_secret(s.msg4_key);
  s.keys.encrypt_key = shs_stream_key(box_secret, s.server);
  s.keys.encrypt_nonce = shs_stream_nonce(s.remote_mac);
  s.keys.decrypt_key = shs_stream_key(box_secret, s.local.pk);
  s.keys.decrypt_nonce = shs_stream_nonce(s.local_mac);
  s.keys.remote = s.server;
  wipe(box_secret);
  wipe(s.msg4_key);
  wipe(s.ab_hash);
  wipe(s.network);
  s_->ph = phase::done;
  return true;
}

shs_session_keys shs_client::session_keys() const {
  if (s_->ph != phase::done) throw std::logic_error("shs_client::session_keys before the accept");
  return s_->s.keys;
}

// ---------------------------------------------------------------------------------- server

struct shs_server::state {
  std::vector<network_key> networks;
  struct secrets {
    network_key network;  // the one msg1 selected
    key_pair local;
    ephemeral_key_pair eph;
    x25519_secret_key local_curve_sk;
    shs_mac local_mac;
    shs_mac remote_mac;
    std::array<std::uint8_t, shs_msg2_size> msg2;
    std::array<std::uint8_t, 96> hello_plain;  // sig_A ‖ A as received
    std::array<std::uint8_t, shs_msg4_size> msg4;
    public_key client;
    shs_secret ab;
    shs_secret aB;
    sha256_digest ab_hash;
    shs_secret msg3_key;
    shs_secret msg4_key;
    shs_session_keys keys;
  } s;
  std::size_t network_index = 0;
  phase ph = phase::start;

  void wipe_networks() {
    for (auto& n : networks) wipe(n);
  }
  void refuse() {
    wipe_struct(s);
    wipe_networks();
    ph = phase::refused;
  }
};

shs_server::shs_server(std::span<const network_key> networks, const key_pair& local,
                       std::optional<ephemeral_key_pair> ephemeral)
    : s_(new state) {
  if (networks.empty()) {
    delete s_;
    throw std::invalid_argument("shs_server needs at least one network key");
  }
  s_->networks.assign(networks.begin(), networks.end());
  s_->s.local = local;
  s_->s.eph = ephemeral ? *ephemeral : generate_ephemeral_key_pair();
  if (ephemeral) wipe(ephemeral->sk);
  auto curve_sk = shs_curve_sk(local.sk);
  if (curve_sk) {
    s_->s.local_curve_sk = *curve_sk;
    wipe(*curve_sk);
  } else {
    // Cannot happen with libsodium (the conversion hashes the seed); refuse every hello.
    s_->refuse();
  }
}

shs_server::~shs_server() {
  wipe_struct(s_->s);
  s_->wipe_networks();
  delete s_;
}

bool shs_server::read_client_hello(std::span<const std::uint8_t> msg1) {
  if (s_->ph != phase::start || msg1.size() != shs_msg1_size) return s_->refuse(), false;
  auto& s = s_->s;
  shs_mac mac;
  x25519_public_key a;
  std::memcpy(mac.data(), msg1.data(), 32);
  std::memcpy(a.data(), msg1.data() + 32, 32);
  // Try every network key without stopping at the first match, so that the time taken does
  // not tell which network matched; every failure below is then answered the same way.
  bool found = false;
  for (std::size_t i = 0; i < s_->networks.size(); ++i) {
    bool ok = shs_verify_app_mac(s_->networks[i], mac, a);
    if (ok && !found) {
      found = true;
      s_->network_index = i;
    }
  }
  if (!found) return s_->refuse(), false;
  s.network = s_->networks[s_->network_index];
  s_->wipe_networks();
  auto ab = shs_x25519(s.eph.sk, a);  // refuses a low-order client ephemeral key
  auto aB = shs_x25519(s.local_curve_sk, a);
  if (!ab || !aB) {
    if (ab) wipe(*ab);
    if (aB) wipe(*aB);
    return s_->refuse(), false;
  }
  s.ab = *ab;
  s.aB = *aB;
  wipe(*ab);
  wipe(*aB);
  s.remote_mac = mac;
  s.ab_hash = sha256(s.ab.view());
  s.msg3_key = shs_msg3_key(s.network, s.ab, s.aB);
  s.local_mac = shs_app_mac(s.network, s.eph.pk);
  s.msg2 = shs_challenge(s.network, s.eph.pk);
  wipe(s.local_curve_sk);
  s_->ph = phase::hello_read;
  return true;
}

std::size_t shs_server::network_index() const {
  if (s_->ph != phase::hello_read && s_->ph != phase::auth_read && s_->ph != phase::done) {
    throw std::logic_error("shs_server::network_index before a successful read_client_hello");
  }
  return s_->network_index;
}

std::array<std::uint8_t, shs_msg2_size> shs_server::hello() const {
  if (s_->ph != phase::hello_read) {
    throw std::logic_error("shs_server::hello before a successful read_client_hello");
  }
  return s_->s.msg2;
}

bool shs_server::read_client_auth(std::span<const std::uint8_t> msg3) {
  auto& s = s_->s;
  if (s_->ph != phase::hello_read || msg3.size() != shs_msg3_size) return s_->refuse(), false;
  auto plain = shs_unbox(msg3, s.msg3_key);
  if (!plain || plain->size() != s.hello_plain.size()) return s_->refuse(), false;
  std::memcpy(s.hello_plain.data(), plain->data(), s.hello_plain.size());
  if (!shs_verify_client_hello_plain(s.network, s.local.pk, s.ab_hash, s.hello_plain, &s.client)) {
    return s_->refuse(), false;
  }
  auto client_curve = shs_curve_pk(s.client);  // refuses keys that can sign but not handshake
  if (!client_curve) return s_->refuse(), false;
  auto Ab = shs_x25519(s.eph.sk, *client_curve);
  if (!Ab) return s_->refuse(), false;
  s.msg4_key = shs_msg4_key(s.network, s.ab, s.aB, *Ab);
  wipe(*Ab);
  wipe(s.ab);
  wipe(s.aB);
  wipe(s.msg3_key);
  wipe(s.eph.sk);
  s_->ph = phase::auth_read;
  return true;
}

public_key shs_server::client_key() const {
  if (s_->ph != phase::auth_read && s_->ph != phase::done) {
    throw std::logic_error("shs_server::client_key before a successful read_client_auth");
  }
  return s_->ph == phase::done ? s_->s.keys.remote : s_->s.client;
}

std::array<std::uint8_t, shs_msg4_size> shs_server::accept() {
  auto& s = s_->s;
  if (s_->ph == phase::done) return s.msg4;
  if (s_->ph != phase::auth_read) {
    throw std::logic_error("shs_server::accept before a successful read_client_auth");
  }
  signature sig_b = shs_server_accept_sig(s.network, s.local.sk, s.hello_plain, s.ab_hash);
  s.msg4 = to_array<shs_msg4_size>(shs_box(sig_b.bytes, s.msg4_key));
  shs_secret box_secret = shs_box_secret(s.msg4_key);
  s.keys.encrypt_key = shs_stream_key(box_secret, s.client);
  s.keys.encrypt_nonce = shs_stream_nonce(s.remote_mac);
  s.keys.decrypt_key = shs_stream_key(box_secret, s.local.pk);
  s.keys.decrypt_nonce = shs_stream_nonce(s.local_mac);
  s.keys.remote = s.client;
  wipe(box_secret);
  wipe(s.msg4_key);
  wipe(s.ab_hash);
  wipe(s.local.sk);
  wipe(s.network);
  s_->ph = phase::done;
  return s.msg4;
}

shs_session_keys shs_server::session_keys() const {
  if (s_->ph != phase::done) throw std::logic_error("shs_server::session_keys before accept()");
  return s_->s.keys;
}

}  // namespace zwerm::crypto
