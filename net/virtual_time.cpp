#include "net/virtual_time.hpp"

#include <boost/asio/error.hpp>

namespace zwerm::net {

void virtual_clock::advance_to(time_point t) {
  if (t > now_) now_ = t;
  while (!waits_.empty() && waits_.begin()->first.first <= now_) {
    session_timer* timer = waits_.begin()->second;
    timer->complete(error_code());  // unregisters it
  }
}

std::optional<time_point> virtual_clock::next_expiry() const {
  if (waits_.empty()) return std::nullopt;
  return waits_.begin()->first.first;
}

session_timer::session_timer(asio::any_io_executor executor, virtual_clock* clock)
    : executor_(executor), clock_(clock), real_(executor) {
  if (clock_ != nullptr) {
    handlers_ = &detail::pending_handlers::of(executor_);
    handlers_->add(this);
  }
}

session_timer::~session_timer() {
  if (clock_ == nullptr) return;
  // A wait pending now belongs to a coroutine that is being destroyed: drop it unrun.
  unregister();
  handlers_->remove(this);
}

void session_timer::give_up(detail::pending_handlers& into) {
  unregister();
  if (pending_) {
    into.keep(std::move(*pending_));
    pending_.reset();
  }
}

void session_timer::expires_at(time_point when) {
  if (clock_ == nullptr) {
    real_.expires_at(when);
    return;
  }
  complete(asio::error::operation_aborted);
  expiry_ = when;
}

void session_timer::cancel() {
  if (clock_ == nullptr) {
    real_.cancel();
    return;
  }
  complete(asio::error::operation_aborted);
}

void session_timer::start_virtual_wait(wait_handler h) {
  complete(asio::error::operation_aborted);  // one wait at a time
  pending_.emplace(std::move(h));
  if (expiry_ <= clock_->now()) {
    complete(error_code());
    return;
  }
  const virtual_clock::key k{expiry_, clock_->next_seq_++};
  clock_->waits_.emplace(k, this);
  registered_ = k;
}

void session_timer::unregister() {
  if (registered_) {
    clock_->waits_.erase(*registered_);
    registered_.reset();
  }
}

void session_timer::complete(error_code ec) {
  unregister();
  if (!pending_) return;
  asio::post(executor_, [h = std::move(*pending_), ec]() mutable { std::move(h)(ec); });
  pending_.reset();
}

}  // namespace zwerm::net
