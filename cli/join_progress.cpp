#include "cli/join_progress.hpp"

namespace zwerm::cli {

using json = nlohmann::json;

std::string join_progress_view::line(const std::string& text) {
  if (!terminal_) return text + "\n";
  open_line_ = true;
  return "\r\033[K" + text;
}

std::string join_progress_view::interrupt() {
  if (!open_line_) return {};
  open_line_ = false;
  return "\n";
}

std::string join_progress_view::steps(const json& events) {
  std::string out;
  if (!events.is_array()) return out;
  for (; printed_ < events.size(); ++printed_) {
    const json& e = events[printed_];
    if (!e.is_object() || e.value("step", "") == "done") continue;  // on_result says it
    out += line(e.value("text", ""));
  }
  return out;
}

std::string join_progress_view::on_status(const json& status, std::int64_t now_ms) {
  if (!status.is_object() || !status.contains("joins") || !status["joins"].is_array()) return {};
  const json* join = nullptr;
  for (const auto& j : status["joins"]) {
    if (!j.is_object()) continue;
    const std::string id = j.value("community", "");
    if (community_.empty() ? j.value("running", false) : id == community_) join = &j;
  }
  if (!join) return {};
  community_ = join->value("community", "");
  std::string out = steps(join->value("events", json::array()));

  // Records of the community this node holds, and how many its peers announced beyond them.
  std::int64_t records = -1;
  std::string name;
  for (const auto& c : status.value("communities", json::array())) {
    if (c.is_object() && c.value("id", "") == community_) {
      records = c.value("records", std::int64_t{0});
      name = c.value("name", "");
    }
  }
  if (records < 0 || records == last_records_) return out;
  std::int64_t behind = 0;
  for (const auto& l : status.value("lag", json::array())) {
    if (l.is_object() && !name.empty() && l.value("community", "") == name) {
      behind += l.value("behind", std::int64_t{0});
    }
  }
  if (first_records_ < 0) {
    first_records_ = records;
    first_ms_ = now_ms;
  }
  if (records == 0) return out;  // nothing has arrived yet
  if (!terminal_ && last_records_ >= 0 && now_ms - last_print_ms_ < 1000) return out;
  last_records_ = records;
  last_print_ms_ = now_ms;
  std::string text = "records: " + std::to_string(records) + " received";
  const std::int64_t elapsed = now_ms - first_ms_;
  if (elapsed >= 500 && records > first_records_) {
    const double rate = static_cast<double>(records - first_records_) * 1000.0 / elapsed;
    text += ", " + std::to_string(static_cast<std::int64_t>(rate + 0.5)) + "/s";
    if (behind > 0) {
      text += ", about " + std::to_string(static_cast<std::int64_t>(behind / rate + 1)) + " s left";
    }
  }
  return out + line(text);
}

std::string join_progress_view::on_result(const json& result) {
  std::string out;
  if (result.value("community_id", "") != community_) printed_ = 0;  // steps of another attempt
  out += steps(result.value("events", json::array()));
  std::string last = "joined " + result.value("name", std::string("the community"));
  if (result.contains("active_members")) {
    last += ": " + result["active_members"].dump() + " active members";
  }
  out += line(last);
  return out + interrupt();
}

std::string catch_up_view::on_status(const json& status, std::int64_t now_ms) {
  if (first_ms_ < 0) first_ms_ = now_ms;
  std::string text;
  for (const auto& c : status.value("communities", json::array())) {
    if (!c.is_object()) continue;
    const std::string id = c.value("id", "");
    const std::string name = c.value("name", "");
    const std::int64_t records = c.value("records", std::int64_t{0});
    if (!first_records_.contains(id)) first_records_[id] = records;
    std::int64_t behind = 0;
    for (const auto& l : status.value("lag", json::array())) {
      if (l.is_object() && l.value("community", "") == name) {
        behind += l.value("behind", std::int64_t{0});
      }
    }
    if (!text.empty()) text += "; ";
    text += name + ": " + std::to_string(records) + " records";
    if (behind == 0) {
      text += ", up to date";
      continue;
    }
    text += ", " + std::to_string(behind) + " to come";
    const std::int64_t gained = records - first_records_[id].get<std::int64_t>();
    const std::int64_t elapsed = now_ms - first_ms_;
    if (gained > 0 && elapsed >= 500) {
      const double rate = static_cast<double>(gained) * 1000.0 / elapsed;
      text += ", " + std::to_string(static_cast<std::int64_t>(rate + 0.5)) + "/s, about " +
              std::to_string(static_cast<std::int64_t>(behind / rate + 1)) + " s left";
    }
  }
  if (text.empty()) text = "in no community yet";
  if (text == last_) return {};
  last_ = text;
  return terminal_ ? "\r\033[K" + text : text + "\n";
}

}  // namespace zwerm::cli
