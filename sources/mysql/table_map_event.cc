#include "sources/mysql/table_map_event.h"

#include "cdc/error.h"
#include "sources/mysql/byte_cursor.h"
#include "sources/mysql/charset.h"
#include "sources/mysql/column_types.h"

namespace cdc::mysql {

namespace {

// Optional metadata field types (Table_map_event::Optional_metadata_field_type).
enum OptionalField : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
  kColumnVisibility = 12,
  kVectorDimensionality = 13,
};

void ReadColumnMetadata(ByteCursor& c, TableMapColumn& col) {
  col.real_type = col.type;
  switch (col.type) {
    case kTypeFloat:
    case kTypeDouble:
    case kTypeBlob:
    case kTypeTinyBlob:
    case kTypeMediumBlob:
    case kTypeLongBlob:
    case kTypeGeometry:
    case kTypeJson:
    case kTypeVector:
    case kTypeTimestamp2:
    case kTypeDateTime2:
    case kTypeTime2:
      col.metadata = c.u8();
      col.length = col.metadata;
      break;
    case kTypeVarchar:
    case kTypeVarString:
      col.metadata = c.u16();
      col.length = col.metadata;
      break;
    case kTypeBit: {
      uint8_t bits = c.u8(), bytes = c.u8();
      col.metadata = static_cast<uint16_t>(bits << 8 | bytes);
      col.length = bytes * 8u + bits;
      break;
    }
    case kTypeNewDecimal:
      col.precision = c.u8();
      col.scale = c.u8();
      col.metadata = static_cast<uint16_t>(col.precision << 8 | col.scale);
      break;
    case kTypeString:
    case kTypeEnum:
    case kTypeSet: {
      uint8_t b0 = c.u8(), b1 = c.u8();
      col.metadata = static_cast<uint16_t>(b0 << 8 | b1);
      // CHAR longer than 255 bytes hides two length bits in the real type
      // byte (Field_string::save_field_metadata, MySQL bug 37426).
      if (b0 != 0 && (b0 & 0x30) != 0x30) {
        col.real_type = static_cast<uint8_t>(b0 | 0x30);
        col.length = b1 | (((b0 & 0x30) ^ 0x30) << 4);
      } else {
        if (b0 != 0) col.real_type = b0;
        col.length = b1;
      }
      break;
    }
    default:
      break;
  }
}

// MSB-first bitmap over `n` items.
std::vector<bool> ReadBitmapMsb(ByteCursor& c, size_t n) {
  std::string_view b = c.bytes(c.remaining());
  std::vector<bool> out(n);
  for (size_t i = 0; i < n && i / 8 < b.size(); ++i) {
    out[i] = (static_cast<uint8_t>(b[i / 8]) >> (7 - i % 8)) & 1;
  }
  return out;
}

std::string ReadPackedString(ByteCursor& c) {
  size_t n = c.packed_length("string");
  return std::string(c.bytes(n));
}

template <typename Pred>
std::vector<size_t> ColumnsWhere(const TableMapEvent& t, Pred pred) {
  std::vector<size_t> out;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (pred(t.columns[i])) out.push_back(i);
  }
  return out;
}

bool IsEnumOrSet(const TableMapColumn& c) {
  return c.real_type == kTypeEnum || c.real_type == kTypeSet;
}

// DEFAULT_CHARSET style: default collation, then (index, collation) pairs
// overriding it for the listed columns of `targets`.
void ReadDefaultCharset(ByteCursor& c, TableMapEvent& t, const std::vector<size_t>& targets) {
  uint32_t def = static_cast<uint32_t>(c.packed());
  for (size_t i : targets) t.columns[i].collation = def;
  while (!c.empty()) {
    uint64_t idx = c.packed();
    uint32_t coll = static_cast<uint32_t>(c.packed());
    if (idx < targets.size()) t.columns[targets[idx]].collation = coll;
  }
}

void ReadColumnCharset(ByteCursor& c, TableMapEvent& t, const std::vector<size_t>& targets) {
  for (size_t i : targets) {
    if (c.empty()) break;
    t.columns[i].collation = static_cast<uint32_t>(c.packed());
  }
}

void ReadStrValues(ByteCursor& c, TableMapEvent& t, uint8_t real_type) {
  for (auto& col : t.columns) {
    if (col.real_type != real_type || c.empty()) continue;
    uint64_t n = c.packed();
    if (n > c.remaining()) throw Error("too many ENUM/SET values");
    col.enum_values.clear();
    for (uint64_t k = 0; k < n; ++k) col.enum_values.push_back(ReadPackedString(c));
  }
}

void ReadOptionalMetadata(ByteCursor& c, TableMapEvent& t, TableMapDialect dialect) {
  // MariaDB's YEAR is a numeric field with a signedness bit; MySQL's is not.
  const bool year_numeric = dialect == TableMapDialect::kMariaDb;
  auto numeric = ColumnsWhere(t, [year_numeric](const TableMapColumn& col) {
    return IsNumericType(col.type) || (year_numeric && col.type == kTypeYear);
  });
  auto character =
      ColumnsWhere(t, [](const TableMapColumn& col) { return IsCharacterType(col.real_type); });
  auto enum_set = ColumnsWhere(t, IsEnumOrSet);
  while (!c.empty()) {
    t.has_optional_metadata = true;
    uint8_t type = c.u8();
    size_t len = c.packed_length("optional metadata field");
    ByteCursor f(c.bytes(len));
    switch (type) {
      case kSignedness: {
        std::vector<bool> bits = ReadBitmapMsb(f, numeric.size());
        for (size_t k = 0; k < numeric.size(); ++k) t.columns[numeric[k]].is_unsigned = bits[k];
        break;
      }
      case kDefaultCharset:
        ReadDefaultCharset(f, t, character);
        break;
      case kColumnCharset:
        ReadColumnCharset(f, t, character);
        break;
      case kEnumAndSetDefaultCharset:
        ReadDefaultCharset(f, t, enum_set);
        break;
      case kEnumAndSetColumnCharset:
        ReadColumnCharset(f, t, enum_set);
        break;
      case kColumnName:
        for (auto& col : t.columns) {
          if (f.empty()) break;
          col.name = ReadPackedString(f);
        }
        break;
      case kSetStrValue:
        ReadStrValues(f, t, kTypeSet);
        break;
      case kEnumStrValue:
        ReadStrValues(f, t, kTypeEnum);
        break;
      case kGeometryType:
        for (auto& col : t.columns) {
          if (col.type == kTypeGeometry && !f.empty()) col.geometry_type = f.packed();
        }
        break;
      case kSimplePrimaryKey:
        while (!f.empty()) t.primary_key.push_back(f.packed());
        break;
      case kPrimaryKeyWithPrefix:
        while (!f.empty()) {
          t.primary_key.push_back(f.packed());
          f.packed();  // prefix length; the key column is what matters here
        }
        break;
      case kColumnVisibility: {
        std::vector<bool> bits = ReadBitmapMsb(f, t.columns.size());
        for (size_t k = 0; k < t.columns.size(); ++k) t.columns[k].visible = bits[k];
        break;
      }
      case kVectorDimensionality:
        for (auto& col : t.columns) {
          if (col.type == kTypeVector && !f.empty()) {
            col.vector_dimensions = static_cast<uint32_t>(f.packed());
          }
        }
        break;
      default:
        break;  // newer field: skip it, the TLV framing allows that
    }
  }
  for (size_t k : t.primary_key) {
    if (k >= t.columns.size()) throw Error("primary key column index out of range");
  }
}

}  // namespace

TableMapEvent ParseTableMap(std::string_view body, uint8_t post_header_length,
                            TableMapDialect dialect) {
  ByteCursor c(body);
  TableMapEvent t;
  t.table_id = post_header_length == 6 ? c.u32() : c.u48();
  t.flags = c.u16();
  size_t db_len = c.u8();
  t.database = std::string(c.bytes(db_len, "database name"));
  c.skip(1);
  size_t table_len = c.u8();
  t.table = std::string(c.bytes(table_len, "table name"));
  c.skip(1);
  size_t n = c.packed_length("column types");
  t.columns.resize(n);
  std::string_view types = c.bytes(n);
  for (size_t i = 0; i < n; ++i) t.columns[i].type = static_cast<uint8_t>(types[i]);
  size_t meta_len = c.packed_length("column metadata");
  ByteCursor meta(c.bytes(meta_len));
  for (auto& col : t.columns) ReadColumnMetadata(meta, col);
  std::string_view nulls = c.bytes((n + 7) / 8, "null bitmap");
  for (size_t i = 0; i < n; ++i) {
    t.columns[i].nullable = (static_cast<uint8_t>(nulls[i / 8]) >> (i % 8)) & 1;
  }
  ReadOptionalMetadata(c, t, dialect);
  // ENUM/SET member names are written in the column's charset, which the
  // metadata gives after the names: convert once both are read.
  for (auto& col : t.columns) {
    if (!col.collation || col.enum_values.empty()) continue;
    for (std::string& v : col.enum_values) v = CollationToUtf8(v, *col.collation);
  }
  return t;
}

}  // namespace cdc::mysql
