#include "node/http/prometheus_text.hpp"

#include <cmath>
#include <cstdio>

namespace zwerm::node::http {

void latency_histogram::observe(std::chrono::nanoseconds d) {
  const double s = std::chrono::duration<double>(d).count();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (s <= bounds[i]) {
      ++buckets_[i];
      break;
    }
  }
  ++count_;
  sum_ += s;
}

namespace {

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
std::string escaped(std::string_view s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

void prometheus_text::family(std::string_view name, std::string_view type, std::string_view help) {
  out_.append("# HELP ").append(name).append(" ").append(escaped(help, false)).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void prometheus_text::name_and_labels(std::string_view name, const labels& l) {
  out_.append(name);
  if (l.empty()) return;
  out_.push_back('{');
  for (std::size_t i = 0; i < l.size(); ++i) {
    if (i) out_.push_back(',');
    out_.append(l[i].first).append("=\"").append(escaped(l[i].second, true)).append("\"");
  }
  out_.push_back('}');
}

void prometheus_text::sample(std::string_view name, const labels& l, double value) {
  name_and_labels(name, l);
  out_.append(" ").append(number(value)).append("\n");
}

void prometheus_text::sample(std::string_view name, const labels& l, std::uint64_t value) {
  name_and_labels(name, l);
  out_.append(" ").append(std::to_string(value)).append("\n");
}

void prometheus_text::histogram(std::string_view name, const labels& l,
                                const latency_histogram& h) {
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_histogram::bounds.size(); ++i) {
    cumulative += h.buckets()[i];
    labels with = l;
    char le[32];
    std::snprintf(le, sizeof le, "%g", latency_histogram::bounds[i]);
    with.emplace_back("le", le);
    sample(bucket, with, cumulative);
  }
  labels inf = l;
  inf.emplace_back("le", "+Inf");
  sample(bucket, inf, h.count());
  sample(std::string(name) + "_sum", l, h.sum_seconds());
  sample(std::string(name) + "_count", l, h.count());
}

}  // namespace zwerm::node::http
