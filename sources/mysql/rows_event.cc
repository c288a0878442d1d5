#include "sources/mysql/rows_event.h"

#include "cdc/error.h"
#include "sources/mysql/binlog_event.h"
#include "sources/mysql/byte_cursor.h"
#include "sources/mysql/column_types.h"
#include "sources/mysql/partial_json.h"

namespace cdc::mysql {

namespace {

constexpr uint64_t kPartialJsonUpdates = 1;  // value_options bit

bool IsV2(uint8_t type) {
  return (type >= kWriteRowsEvent && type <= kDeleteRowsEvent) || type == kPartialUpdateRowsEvent ||
         (type >= kMariaWriteRowsCompressedEvent && type <= kMariaDeleteRowsCompressedEvent);
}

// LSB-first bitmap of n bits.
std::vector<bool> ReadBitmap(ByteCursor& c, size_t n, const char* what) {
  std::string_view b = c.bytes((n + 7) / 8, what);
  std::vector<bool> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = (static_cast<uint8_t>(b[i / 8]) >> (i % 8)) & 1;
  return out;
}

std::string ColumnLabel(const TableMapEvent& t, size_t i) {
  std::string label = t.database + "." + t.table + " column " + std::to_string(i + 1);
  if (!t.columns[i].name.empty()) label += " (" + t.columns[i].name + ")";
  return label;
}

// One row image. For the after-image of a PARTIAL_UPDATE_ROWS event,
// `partial` flags the JSON columns that hold a diff against `before`
// instead of a full value.
RowImage ReadImage(ByteCursor& c, const TableMapEvent& t, const std::vector<bool>& cols,
                   const RowDecodeOptions& opts, const std::vector<bool>* partial = nullptr,
                   const RowImage* before = nullptr) {
  size_t n = t.columns.size();
  size_t present_count = 0;
  for (size_t i = 0; i < n; ++i) present_count += cols[i];
  std::vector<bool> nulls = ReadBitmap(c, present_count, "row null bitmap");
  RowImage img;
  img.present = cols;
  img.values.resize(n);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!cols[i]) continue;
    if (nulls[k++]) continue;
    try {
      if (partial && (*partial)[i]) {
        const TableMapColumn& col = t.columns[i];
        size_t len = c.uint_le(col.length);
        std::string_view diff = c.bytes(len, "JSON diff");
        if (before && before->present[i] && !before->values[i].is_null()) {
          img.values[i] = ApplyJsonDiffs(before->values[i], diff);
        } else {
          img.present[i] = false;
          img.unapplied_json_diffs.emplace_back(i, JsonDiffsToText(diff));
        }
      } else {
        img.values[i] = DecodeColumnValue(c, t.columns[i], opts);
      }
    } catch (const Error& e) {
      throw Error(ColumnLabel(t, i) + ": " + e.what());
    }
  }
  return img;
}

}  // namespace

std::optional<RowsEvent::Kind> RowsEventKind(uint8_t type) {
  switch (type) {
    case kWriteRowsEventV1:
    case kWriteRowsEvent:
    case kPreGaWriteRowsEvent:
    case kMariaWriteRowsCompressedEvent:
    case kMariaWriteRowsCompressedEventV1:
      return RowsEvent::Kind::kInsert;
    case kUpdateRowsEventV1:
    case kUpdateRowsEvent:
    case kPreGaUpdateRowsEvent:
    case kPartialUpdateRowsEvent:
    case kMariaUpdateRowsCompressedEvent:
    case kMariaUpdateRowsCompressedEventV1:
      return RowsEvent::Kind::kUpdate;
    case kDeleteRowsEventV1:
    case kDeleteRowsEvent:
    case kPreGaDeleteRowsEvent:
    case kMariaDeleteRowsCompressedEvent:
    case kMariaDeleteRowsCompressedEventV1:
      return RowsEvent::Kind::kDelete;
    default:
      return std::nullopt;
  }
}

uint64_t RowsEventTableId(std::string_view body, uint8_t post_header_length) {
  ByteCursor c(body);
  return post_header_length == 6 ? c.u32() : c.u48();
}

namespace {

// The post-header: table id and flags.
RowsEvent ReadRowsHeader(ByteCursor& c, uint8_t type, uint8_t post_header_length) {
  std::optional<RowsEvent::Kind> kind = RowsEventKind(type);
  if (!kind) throw Error("not a rows event: " + EventTypeName(type));
  RowsEvent ev;
  ev.kind = *kind;
  ev.event_type = type;
  ev.table_id = post_header_length == 6 ? c.u32() : c.u48();
  ev.flags = c.u16();
  return ev;
}

}  // namespace

RowsEvent ParseRowsEventHeader(std::string_view body, uint8_t type, uint8_t post_header_length,
                               std::shared_ptr<const TableMapEvent> table) {
  ByteCursor c(body);
  RowsEvent ev = ReadRowsHeader(c, type, post_header_length);
  ev.table = std::move(table);
  return ev;
}

RowsEvent ParseRowsEvent(std::string_view body, uint8_t type, uint8_t post_header_length,
                         std::shared_ptr<const TableMapEvent> table, const RowDecodeOptions& opts) {
  ByteCursor c(body);
  RowsEvent ev = ReadRowsHeader(c, type, post_header_length);
  if (IsV2(type)) {
    uint16_t extra = c.u16();  // includes its own two bytes
    if (extra < 2) throw Error("bad rows event extra-data length");
    c.skip(extra - 2u, "rows event extra data");
  }
  uint64_t width = c.packed();
  const TableMapEvent& t = *table;
  if (width != t.columns.size()) {
    throw Error("rows event has " + std::to_string(width) + " columns, TABLE_MAP of " + t.database +
                "." + t.table + " has " + std::to_string(t.columns.size()));
  }
  std::vector<bool> before_cols = ReadBitmap(c, width, "columns-present bitmap");
  std::vector<bool> after_cols = before_cols;
  if (ev.kind == RowsEvent::Kind::kUpdate) {
    after_cols = ReadBitmap(c, width, "after-image columns bitmap");
  }
  ev.table = std::move(table);
  while (!c.empty()) {
    size_t row_index = ev.rows.size();
    size_t row_start = c.position();
    try {
      Row row;
      switch (ev.kind) {
        case RowsEvent::Kind::kInsert:
          row.after = ReadImage(c, t, after_cols, opts);
          break;
        case RowsEvent::Kind::kDelete:
          row.before = ReadImage(c, t, before_cols, opts);
          break;
        case RowsEvent::Kind::kUpdate: {
          row.before = ReadImage(c, t, before_cols, opts);
          if (type == kPartialUpdateRowsEvent) {
            uint64_t options = c.packed();
            std::vector<bool> partial(width, false);
            if (options & kPartialJsonUpdates) {
              // One bit per JSON column of the table.
              std::vector<size_t> json_cols;
              for (size_t i = 0; i < width; ++i) {
                if (t.columns[i].real_type == kTypeJson) json_cols.push_back(i);
              }
              std::vector<bool> bits = ReadBitmap(c, json_cols.size(), "partial JSON bitmap");
              for (size_t k = 0; k < json_cols.size(); ++k) partial[json_cols[k]] = bits[k];
            }
            row.after = ReadImage(c, t, after_cols, opts, &partial, &*row.before);
          } else {
            row.after = ReadImage(c, t, after_cols, opts);
          }
          break;
        }
      }
      // With empty column bitmaps a row takes no bytes; garbage like that
      // must not spin forever on the bytes that are left.
      if (c.position() == row_start) throw Error("row image without columns");
      ev.rows.push_back(std::move(row));
    } catch (const Error& e) {
      throw Error("row " + std::to_string(row_index + 1) + ": " + e.what());
    }
  }
  return ev;
}

}  // namespace cdc::mysql
