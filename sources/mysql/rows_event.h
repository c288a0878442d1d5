// RowsEvent: WRITE/UPDATE/DELETE_ROWS v1 (23-25), v2 (30-32), the pre-GA
// 5.1 forms (20-22), MariaDB's compressed forms once inflated, and MySQL's
// PARTIAL_UPDATE_ROWS (39).
//
// Each row image only holds the columns flagged in the event's
// columns-present bitmap (binlog_row_image=MINIMAL/NOBLOB, NDB); RowImage
// keeps a `present` flag per table column so that "absent" and "NULL" stay
// different.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cdc/value.h"
#include "sources/mysql/row_value_decoder.h"
#include "sources/mysql/table_map_event.h"

namespace cdc::mysql {

struct RowImage {
  std::vector<bool> present;  // one per table column
  std::vector<Value> values;  // one per table column; Null when absent or NULL
  // PARTIAL_UPDATE_ROWS after-image columns whose before-image value was not
  // logged (binlog_row_image=MINIMAL): the column is marked absent and its
  // diffs are kept here as JSON text (see JsonDiffsToText), by column index.
  std::vector<std::pair<size_t, std::string>> unapplied_json_diffs;
};

struct Row {
  std::optional<RowImage> before;  // UPDATE, DELETE
  std::optional<RowImage> after;   // WRITE, UPDATE
};

struct RowsEvent {
  enum class Kind { kInsert, kUpdate, kDelete };
  Kind kind = Kind::kInsert;
  uint8_t event_type = 0;
  uint64_t table_id = 0;
  uint16_t flags = 0;  // bit 0: STMT_END_F (last rows event of the statement)
  std::shared_ptr<const TableMapEvent> table;
  std::vector<Row> rows;
};

// Kind of a rows event type, or nullopt if `type` is not a rows event.
std::optional<RowsEvent::Kind> RowsEventKind(uint8_t type);

// Reads the table id from a rows event body (to find its TABLE_MAP first).
uint64_t RowsEventTableId(std::string_view body, uint8_t post_header_length);

// The rows event's kind, table id and flags without its rows, for a table
// nobody captures: its values are neither decoded nor checked.
RowsEvent ParseRowsEventHeader(std::string_view body, uint8_t type, uint8_t post_header_length,
                               std::shared_ptr<const TableMapEvent> table);

// Parses a rows event body (checksum removed, MariaDB compression undone).
// `table` must be the TABLE_MAP with the event's table id. Throws cdc::Error
// with the row/column that failed.
RowsEvent ParseRowsEvent(std::string_view body, uint8_t type, uint8_t post_header_length,
                         std::shared_ptr<const TableMapEvent> table, const RowDecodeOptions& opts);

}  // namespace cdc::mysql
