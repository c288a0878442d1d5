// Applying the JSON diffs of a PARTIAL_UPDATE_ROWS event (binlog_row_value_
// options=PARTIAL_JSON) to the before-image value, so that consumers always
// see a full after-image.
//
// Diff list format (Json_diff_vector::write_binary): per diff an operation
// byte (0 REPLACE, 1 INSERT, 2 REMOVE), the path as a packed-length string
// ("$.a", "$.\"b c\"", "$[2]"), and except for REMOVE the new value as a
// packed-length binary JSON.
#pragma once

#include <string_view>

#include "cdc/value.h"

namespace cdc::mysql {

// `before` is the decoded before-image value of the column (a Json Value).
// Returns the full new Json value. Throws cdc::Error on a malformed diff or a
// path the document does not have.
Value ApplyJsonDiffs(const Value& before, std::string_view diffs);

// The diffs as a JSON array of {"op": "replace"|"insert"|"remove", "path":
// "$.a", "value": ...} objects, for when the before-image lacks the column
// (binlog_row_image=MINIMAL) and no full after-image can be built.
std::string JsonDiffsToText(std::string_view diffs);

}  // namespace cdc::mysql
