#pragma once
// The one event loop of the p2p runtime: Boost.Asio with C++20 coroutines.
// Every coroutine of a host runs on the host's executor, which must be
// single-threaded (an io_context run by one thread, or a strand): the sans-IO
// cores it drives have no locks.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace converge::p2p::io {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
template <class T>
using task = asio::awaitable<T>;
// Completion token that reports errors as a (error_code, value...) tuple instead of throwing.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace converge::p2p::io
