#include "sources/mysql/binlog_event_decoder.h"

#include <spdlog/spdlog.h>

#include "cdc/error.h"

namespace cdc::mysql {

namespace {

// Post-header lengths to assume when an FDE does not list the type.
constexpr uint8_t kDefaultQueryPostHeader = 13;
constexpr uint8_t kDefaultTableIdPostHeader = 8;

bool IsMariaCompressedRows(uint8_t type) {
  return type >= kMariaWriteRowsCompressedEventV1 && type <= kMariaDeleteRowsCompressedEvent;
}

}  // namespace

std::shared_ptr<const TableMapEvent> BinlogEventDecoder::table(uint64_t table_id) const {
  auto it = tables_.find(table_id);
  return it == tables_.end() ? nullptr : it->second;
}

DecodedEvent BinlogEventDecoder::decode(const BinlogEvent& event) {
  DecodedEvent out;
  out.header = event.header;
  out.file = event.file;
  out.position = event.position;
  try {
    out.body = DecodeBody(event);
  } catch (const std::exception&) {  // bad_alloc on absurd sizes too
    // A TABLE_MAP's hook queries the catalog: a lost connection there is
    // transient (found by the chaos suite: a database restart at that
    // moment stopped the pipeline).
    RethrowWithContext(event.where() + ": " + EventTypeName(event.header.type) + " event: ");
  }
  return out;
}

RowsEvent BinlogEventDecoder::DecodeRows(const BinlogEvent& event, std::string_view body) {
  uint8_t type = event.header.type;
  // MariaDB's compressed rows events share the post-header, the column
  // count and the columns-present bitmaps of their plain counterparts; only
  // the row images after them are compressed (Rows_log_event::m_rows_buf).
  const bool compressed = IsMariaCompressedRows(type);
  const bool v1 = type <= kMariaDeleteRowsCompressedEventV1;
  const uint8_t phl = compressed
                          ? format_.post_header_length(v1 ? kWriteRowsEventV1 : kWriteRowsEvent,
                                                       v1 ? kDefaultTableIdPostHeader : 10)
                          : format_.post_header_length(type, kDefaultTableIdPostHeader);
  uint64_t id = RowsEventTableId(body, phl);
  auto t = table(id);
  if (!t) throw Error("no TABLE_MAP for table id " + std::to_string(id));
  if (rows_wanted_ && !rows_wanted_(*t)) return ParseRowsEventHeader(body, type, phl, std::move(t));
  std::string inflated;
  if (compressed) {
    size_t fixed = phl;
    if (!v1) {  // v2: the extra data belongs to the uncompressed part
      ByteCursor c(body);
      c.skip(phl - 2u, "rows post-header");
      fixed = phl + c.u16() - 2u;
    }
    if (fixed > body.size()) throw Error("truncated compressed rows event");
    ByteCursor c(body.substr(fixed));
    const uint64_t width = c.packed();
    const bool update =
        type == kMariaUpdateRowsCompressedEventV1 || type == kMariaUpdateRowsCompressedEvent;
    c.skip(((width + 7) / 8) * (update ? 2 : 1), "columns-present bitmaps");
    fixed = body.size() - c.remaining();
    inflated = std::string(body.substr(0, fixed)) + MariaUncompress(body.substr(fixed));
    body = inflated;
  }
  return ParseRowsEvent(body, type, phl, std::move(t), options_);
}

DecodedEventBody BinlogEventDecoder::DecodeBody(const BinlogEvent& event) {
  const std::string& body = event.body;
  uint8_t type = event.header.type;
  switch (type) {
    case kFormatDescriptionEvent:
      format_ = ParseFormatDescription(body);
      return format_;
    case kRotateEvent:
      return ParseRotate(body);
    case kQueryEvent:
      return ParseQuery(body, format_.post_header_length(type, kDefaultQueryPostHeader));
    case kMariaQueryCompressedEvent:
      return ParseCompressedQuery(body,
                                  format_.post_header_length(kQueryEvent, kDefaultQueryPostHeader));
    case kXidEvent:
      return ParseXid(body);
    case kXaPrepareEvent:
      return ParseXaPrepare(body);
    case kGtidEvent:
      return ParseGtid(body, false);
    case kAnonymousGtidEvent:
      return ParseGtid(body, true);
    case kGtidTaggedEvent:
      return ParseGtidTagged(body);
    case kPreviousGtidsEvent:
      return ParsePreviousGtids(body);
    case kMariaGtidEvent:
      return ParseMariaGtid(body, event.header.server_id);
    case kMariaGtidListEvent:
      return ParseMariaGtidList(body);
    case kMariaBinlogCheckpointEvent:
      return ParseBinlogCheckpoint(body);
    case kMariaAnnotateRowsEvent:
      return ParseAnnotateRows(body);
    case kStopEvent:
      return StopEvent{};
    case kTableMapEvent: {
      auto t = std::make_shared<const TableMapEvent>(ParseTableMap(
          body, format_.post_header_length(type, kDefaultTableIdPostHeader),
          format_.server_version.find("MariaDB") != std::string::npos ? TableMapDialect::kMariaDb
                                                                      : TableMapDialect::kMySql));
      if (table_map_hook_) t = table_map_hook_(std::move(t));
      tables_[t->table_id] = t;
      return t;
    }
    case kTransactionPayloadEvent:
      return ParseTransactionPayload(event);
    case kPreGaWriteRowsEvent:
    case kPreGaUpdateRowsEvent:
    case kPreGaDeleteRowsEvent:
      // Pre-GA 5.1 row events (5.1.5-5.1.17 development servers) came
      // without TABLE_MAP events in their binlogs; no server that cdcd can
      // connect to writes them.
      spdlog::debug("{}: skipping pre-GA {} event", event.where(), EventTypeName(type));
      return UnknownEvent{};
    default:
      if (RowsEventKind(type)) return DecodeRows(event, body);
      spdlog::debug("{}: skipping {} event", event.where(), EventTypeName(type));
      return UnknownEvent{};
  }
}

}  // namespace cdc::mysql
