// BinlogEventDecoder: raw BinlogEvents (from a file or, later, the network)
// to typed events.
//
// The decoder is stateful the way a binlog is: FORMAT_DESCRIPTION sets the
// post-header sizes, TABLE_MAP events are remembered by table id so that the
// following rows events can be decoded. Event types cdcd does not use
// (INTVAR, RAND, USER_VAR, LOAD, INCIDENT, ROWS_QUERY, ...) and types it
// does not know (e.g. Aurora's 100) become UnknownEvent with a debug log;
// a malformed event of a type it does use throws cdc::Error
// "file:position: TYPE event: what", which stops the pipeline.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <variant>

#include "sources/mysql/binlog_event.h"
#include "sources/mysql/control_events.h"
#include "sources/mysql/format_description.h"
#include "sources/mysql/row_value_decoder.h"
#include "sources/mysql/rows_event.h"
#include "sources/mysql/table_map_event.h"
#include "sources/mysql/transaction_payload.h"
#include "sources/mysql/xa_statement.h"

namespace cdc::mysql {

struct StopEvent {};
struct UnknownEvent {};  // skipped: see header.type

using DecodedEventBody =
    std::variant<UnknownEvent, FormatDescription, RotateEvent, QueryEvent, XidEvent, GtidEvent,
                 PreviousGtidsEvent, MariaGtidEvent, MariaGtidListEvent, BinlogCheckpointEvent,
                 AnnotateRowsEvent, std::shared_ptr<const TableMapEvent>, RowsEvent,
                 TransactionPayloadEvent, StopEvent, XaPrepareEvent>;

struct DecodedEvent {
  BinlogEventHeader header;
  std::string file;
  uint64_t position = 0;
  DecodedEventBody body;
};

class BinlogEventDecoder {
 public:
  explicit BinlogEventDecoder(RowDecodeOptions options = {}) : options_(options) {}

  // Decodes one event. TRANSACTION_PAYLOAD yields its inner raw events,
  // which the caller passes to decode() in turn (they may hold TABLE_MAPs).
  DecodedEvent decode(const BinlogEvent& event);

  // The TABLE_MAP last seen for `table_id`, or null.
  std::shared_ptr<const TableMapEvent> table(uint64_t table_id) const;

  // Called with every TABLE_MAP before rows are decoded with it; may return
  // an enriched copy (names, signedness, charsets from information_schema
  // when the server does not log them: binlog_row_metadata != FULL).
  using TableMapHook =
      std::function<std::shared_ptr<const TableMapEvent>(std::shared_ptr<const TableMapEvent>)>;
  void set_table_map_hook(TableMapHook hook) { table_map_hook_ = std::move(hook); }

  // Whether the rows of a table are wanted. Rows events of other tables are
  // not decoded (nor inflated, nor checked): they come with their kind,
  // flags and table but no rows. By default every table's rows are decoded.
  using RowsFilter = std::function<bool(const TableMapEvent&)>;
  void set_rows_filter(RowsFilter wanted) { rows_wanted_ = std::move(wanted); }

 private:
  DecodedEventBody DecodeBody(const BinlogEvent& event);
  RowsEvent DecodeRows(const BinlogEvent& event, std::string_view body);

  RowDecodeOptions options_;
  FormatDescription format_;
  std::unordered_map<uint64_t, std::shared_ptr<const TableMapEvent>> tables_;
  TableMapHook table_map_hook_;
  RowsFilter rows_wanted_;
};

}  // namespace cdc::mysql
