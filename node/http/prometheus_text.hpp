// The Prometheus text exposition format (version 0.0.4), written by hand: HELP and TYPE lines,
// then samples with escaped label values. Pure; node/daemon fills it, the metrics page serves
// it. https://prometheus.io/docs/instrumenting/exposition_formats/
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zwerm::node::http {

using labels = std::vector<std::pair<std::string, std::string>>;

// A latency histogram with fixed buckets (seconds): counts per bucket, sum and count.
class latency_histogram {
 public:
  // Upper bounds in seconds, ascending; +Inf is implied.
  static constexpr std::array<double, 10> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,  0.05,  0.1,    0.5,   2.5};
  void observe(std::chrono::nanoseconds d);
  const std::array<std::uint64_t, bounds.size()>& buckets() const { return buckets_; }
  std::uint64_t count() const { return count_; }
  double sum_seconds() const { return sum_; }

 private:
  std::array<std::uint64_t, bounds.size()> buckets_{};  // not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

class prometheus_text {
 public:
  // Starts a metric family: "# HELP name help" and "# TYPE name type" (gauge, counter,
  // histogram). Each family once, its samples right after.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const labels& l, double value);
  void sample(std::string_view name, const labels& l, std::uint64_t value);
  // A histogram family's samples: name_bucket{le=...} (cumulative), name_sum, name_count.
  void histogram(std::string_view name, const labels& l, const latency_histogram& h);

  const std::string& text() const { return out_; }

 private:
  void name_and_labels(std::string_view name, const labels& l);
  std::string out_;
};

}  // namespace zwerm::node::http
