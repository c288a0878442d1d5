// The placeholder Debezium writes for a value the database did not send
// because it did not change (PostgreSQL's unchanged TOAST), in the shape of
// the column's Connect schema, so that every record stays valid for it:
//   string columns (text, varchar, json, xml, enum, unknown types, decimals
//   in string mode)           "<placeholder>"
//   bytes                     base64 of the placeholder's bytes
//   arrays of those           a one-element list of the above
//   arrays of int32/int64/date the placeholder's bytes as (signed) numbers
// Other columns have no such shape (e.g. a numeric in precise mode, uuid[]);
// the Debezium envelope leaves them out of `after`.
#pragma once

#include <string>
#include <vector>

#include "cdc/format.h"
#include "cdc/format/json_writer.h"

namespace cdc::format {

bool HasPlaceholderShape(const Column& column, const FormatOptions& options);

// Writes the placeholder for `column`; HasPlaceholderShape must hold.
void WritePlaceholder(JsonWriter& w, const Column& column, const FormatOptions& options);

// Every JSON text (compact) a placeholder value can take, for readers that
// must recognise one: the string, its base64, their one-element lists and
// the list of its bytes.
std::vector<std::string> PlaceholderForms(const std::string& placeholder);

}  // namespace cdc::format
