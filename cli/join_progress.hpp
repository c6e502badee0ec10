// Progress for people, from the node's answers: what `zwerm join` prints while it waits (the
// node's steps: dialing whom, connected, join written, admitted; and the records arriving, with
// their rate and an estimate of the time left), and what `zwerm status --watch` prints while a
// node catches up. Pure: fed the answers, they return the text to print. On a terminal every
// update rewrites one line; otherwise each update is a line of its own (join's records line at
// most once a second).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace zwerm::cli {

class join_progress_view {
 public:
  explicit join_progress_view(bool terminal) : terminal_(terminal) {}

  // One `status` answer (its joins, communities and lag), read at now_ms.
  std::string on_status(const nlohmann::json& status, std::int64_t now_ms);
  // The join's answer: the steps not printed yet and the last line.
  std::string on_result(const nlohmann::json& result);
  // Ends an updating line (before an error is printed); "" when there is none.
  std::string interrupt();

 private:
  std::string line(const std::string& text);
  std::string steps(const nlohmann::json& events);

  bool terminal_;
  bool open_line_ = false;   // a terminal line without its newline yet
  std::string community_;    // id of the join followed
  std::size_t printed_ = 0;  // its steps printed
  std::int64_t first_records_ = -1;
  std::int64_t first_ms_ = 0;
  std::int64_t last_records_ = -1;
  std::int64_t last_print_ms_ = 0;
};

// What `zwerm status --watch` prints: per community, the records this node holds, how many its
// peers announced beyond them, the rate since the watch began and the time left. A line only
// when something changed (on a terminal, one line rewritten).
class catch_up_view {
 public:
  explicit catch_up_view(bool terminal) : terminal_(terminal) {}
  std::string on_status(const nlohmann::json& status, std::int64_t now_ms);

 private:
  bool terminal_;
  std::string last_;
  std::int64_t first_ms_ = -1;
  nlohmann::json first_records_ = nlohmann::json::object();  // community id -> records
};

}  // namespace zwerm::cli
