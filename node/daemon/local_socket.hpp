// The daemon's private Unix socket: <home>/zwermd.sock, mode 0600.
//
// Binding follows three rules:
//  - a socket file left by a daemon that died (nobody accepts on it) is removed and replaced;
//  - a socket a live process still accepts on is never stolen: that is an error;
//  - any other kind of file at that path is left alone: that is an error too.
// The socket is created under umask 0177 and then chmod-ed to 0600, so there is no moment at
// which another account could connect.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <filesystem>

#include "base/status.hpp"

namespace zwerm::node {

using local_acceptor = boost::asio::local::stream_protocol::acceptor;

// Longest socket path the kernel accepts (sun_path minus the terminating zero).
std::size_t max_socket_path_length();

// Binds and listens. Errors: invalid_argument (path too long), busy (a live daemon answers
// there), already_exists (a non-socket file is in the way), io_error.
result<local_acceptor> bind_private_socket(const boost::asio::any_io_executor& executor,
                                           const std::filesystem::path& path);

}  // namespace zwerm::node
