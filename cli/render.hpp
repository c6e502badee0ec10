// Printing RPC results for people.
//
// The generic renderer needs no knowledge of a result's schema, so a view can grow fields
// without the CLI falling behind: scalar fields print as "label: value", arrays of objects as
// a table (one column per scalar field, fitted to the width; per view, the column that matters
// takes the room: cli/table_layout.hpp), nested objects as "label.sub". A "label: value" line
// too long for the width wraps onto further lines; nothing is cut at unlimited_width.
// Values are made readable by their field names: *_ts fields (ms since the epoch) become
// relative times ("3 h ago"); member ids become names when the result names them (a "names"
// object {id: name}, or rows that carry both "id"/"member" and "name"); other 43-character
// ids are cut to 8 characters; booleans read yes/no.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace zwerm::cli {

std::string render_generic(const nlohmann::json& result, std::int64_t now_ms,
                           std::size_t width = 80);

// `zwerm status`.
std::string render_status(const nlohmann::json& result, std::int64_t now_ms,
                          std::size_t width = 80);

// One `watch` notification as one line.
std::string render_notification(const std::string& method, const nlohmann::json& params,
                                std::int64_t now_ms);

}  // namespace zwerm::cli
