// Dial addresses: the "host:port" text that the four address sources hand the peer manager,
// parsed and put in one canonical form so that the same node learned twice is one entry.
//
// Accepted forms (docs/PROTOCOL.md §5, "Peers"):
//   name:port          a DNS name: letters, digits, '-' and '.', 1..253 bytes
//   a.b.c.d:port       an IPv4 address (the same character set as names)
//   [v6-address]:port  an IPv6 address in brackets: hex digits, ':' and '.'
// The port is decimal, 1..65535, without sign. The whole text is at most 255 bytes.
// Canonical form: the host in lower case, the port without leading zeros.
// Refused: an empty host, a port of 0 or out of range, an unbracketed IPv6 address, the
// unspecified addresses 0.0.0.0 and [::] (they name no node), any other character.
//
// Pure functions; no name resolution happens here (net/'s dialer resolves at dial time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/status.hpp"

namespace zwerm::node::peers {

inline constexpr std::size_t max_address_size = 255;

struct dial_address {
  std::string host;  // canonical: lower case, without the IPv6 brackets
  std::uint16_t port = 0;

  // The canonical "host:port" ("[host]:port" for IPv6): the manager's key for the address.
  std::string text() const;
  friend bool operator==(const dial_address&, const dial_address&) = default;
};

// Errors: invalid_argument with a sentence naming what is wrong with `text`.
result<dial_address> parse_address(std::string_view text);

// An address and, when known, the member key expected there (the Secret Handshake needs it).
struct address_hint {
  std::string address;
  std::optional<crypto::public_key> key;
  friend bool operator==(const address_hint&, const address_hint&) = default;
};

// A node's address with the member key that must answer there, as peer exchange hands them on
// (the daemon converts the sync `peers` message's entries to and from these). The address is
// the text as received; the manager parses it.
struct keyed_address {
  crypto::public_key key;
  std::string address;
  friend bool operator==(const keyed_address&, const keyed_address&) = default;
};

// How an operator writes an address with its key (config `bootstrap`, `zwerm peer add`):
// "KEY@host:port", KEY being the member id's text form (base64url, 43 characters), or a bare
// "host:port". The address of the result is canonical.
// Errors: invalid_argument (a bad key or address, with the reason).
result<address_hint> parse_hint(std::string_view text);

// What an operator's ban (`zwerm peer ban ADDRESS`) names: one IP address, keyed as the
// listener keys its own bans (PROTOCOL.md §4.3.6): an IPv4 address by its 32 bits, an IPv6
// address by its 128 bits, so two addresses of one /64 are two bans. Accepted: "a.b.c.d",
// "v6-address", "[v6-address]", each optionally followed by ":port" (IPv6 then in brackets);
// the port is ignored, since bans are of addresses. The result is the canonical text
// (inet_ntop's: "192.0.2.7", "2001:db8::1"). Refused: host names (a name may resolve to
// another address tomorrow; ban the address it resolves to), zones ("fe80::1%eth0"), the
// unspecified addresses, anything over max_address_size bytes.
// Errors: invalid_argument with a sentence naming what is wrong.
result<std::string> parse_ban_address(std::string_view text);
// The ban key of a dial address's host when it is an IP address literal (canonical as
// parse_ban_address makes it); nullopt for host names.
std::optional<std::string> ban_key_of_host(std::string_view host);

}  // namespace zwerm::node::peers
