// The one header through which net/ (and its users) see Boost.Asio: the names zwerm's
// transport uses, in one place, so the networking vocabulary stays small and could be swapped
// for a simulated network later.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

namespace zwerm::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
template <class T>
using awaitable = asio::awaitable<T>;

// Completion token for coroutines that inspect errors instead of catching exceptions:
// `auto [ec, n] = co_await sock.async_read_some(buf, use_nothrow);`
inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

}  // namespace zwerm::net
