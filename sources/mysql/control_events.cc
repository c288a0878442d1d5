#include "sources/mysql/control_events.h"

#include <zlib.h>

#include "cdc/error.h"
#include "sources/mysql/byte_cursor.h"

namespace cdc::mysql {

namespace {

constexpr size_t kMaxUncompressed = size_t{1} << 30;  // MariaDB's max event size

// mysql::serialization variable-length unsigned integer (MySQL 8.3+ tagged
// GTID events): the number of trailing one bits of the first byte is the
// number of extra bytes; the value follows those marker bits.
uint64_t SerialVarUint(ByteCursor& c) {
  uint8_t first = static_cast<uint8_t>(c.rest().empty() ? 0 : c.rest()[0]);
  int extra = 0;
  while (extra < 8 && ((first >> extra) & 1)) ++extra;
  if (extra == 8) {
    c.skip(1);
    return c.u64();
  }
  uint64_t v = c.uint_le(static_cast<size_t>(extra) + 1);
  return v >> (extra + 1);
}

int64_t SerialVarInt(ByteCursor& c) {
  uint64_t v = SerialVarUint(c);  // zig-zag
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace

std::string UuidText(std::string_view b) {
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += ByteCursor::Hex(static_cast<uint8_t>(b[i]));
  }
  return out;
}

std::string MariaUncompress(std::string_view data) {
  ByteCursor c(data);
  uint8_t head = c.u8();
  size_t lenlen = head & 7;
  if ((head & 0x80) == 0 || lenlen < 1 || lenlen > 4) throw Error("bad compressed event header");
  size_t size = c.uint_be(lenlen);
  // zlib cannot expand more than ~1032:1; anything claiming more is garbage
  // and must not make us allocate up to a gigabyte.
  if (size > kMaxUncompressed || size > c.remaining() * 1032 + 64) {
    throw Error("compressed event claims an impossible size");
  }
  std::string out(size, '\0');
  uLongf out_len = static_cast<uLongf>(size);
  std::string_view in = c.rest();
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &out_len,
                 reinterpret_cast<const Bytef*>(in.data()),
                 static_cast<uLong>(in.size())) != Z_OK ||
      out_len != size) {
    throw Error("corrupt zlib data in compressed event");
  }
  return out;
}

static QueryEvent ParseQueryHeader(ByteCursor& c, uint8_t post_header_length) {
  QueryEvent q;
  q.thread_id = c.u32();
  q.exec_time = c.u32();
  size_t db_len = c.u8();
  q.error_code = c.u16();
  size_t status_len = 0;
  if (post_header_length >= 13) {
    status_len = c.u16();
    c.skip(post_header_length - 13u, "query post-header");
  }
  c.skip(status_len, "query status variables");
  q.database = std::string(c.bytes(db_len, "query database"));
  c.skip(1, "query database terminator");
  return q;
}

QueryEvent ParseQuery(std::string_view body, uint8_t post_header_length) {
  ByteCursor c(body);
  QueryEvent q = ParseQueryHeader(c, post_header_length);
  q.query = std::string(c.rest());
  return q;
}

QueryEvent ParseCompressedQuery(std::string_view body, uint8_t post_header_length) {
  ByteCursor c(body);
  QueryEvent q = ParseQueryHeader(c, post_header_length);
  q.query = MariaUncompress(c.rest());
  return q;
}

RotateEvent ParseRotate(std::string_view body) {
  ByteCursor c(body);
  RotateEvent r;
  r.position = c.u64();
  // The rest is the name; the checksum (if any) was already removed, which
  // is exactly what keeps it from being read as part of the name.
  r.next_file = std::string(c.rest());
  return r;
}

XidEvent ParseXid(std::string_view body) {
  ByteCursor c(body);
  return XidEvent{c.u64()};
}

GtidEvent ParseGtid(std::string_view body, bool anonymous) {
  ByteCursor c(body);
  GtidEvent g;
  g.anonymous = anonymous;
  g.flags = c.u8();
  g.uuid = UuidText(c.bytes(16, "GTID uuid"));
  g.gno = static_cast<int64_t>(c.u64());
  if (c.remaining() >= 17 && c.u8() == 2) {  // logical clock (5.7+)
    g.last_committed = static_cast<int64_t>(c.u64());
    g.sequence_number = static_cast<int64_t>(c.u64());
  }
  return g;
}

GtidEvent ParseGtidTagged(std::string_view body) {
  // mysql::serialization message: format version, message size, last
  // non-ignorable field id, then (field id, value) pairs in id order:
  // 0 flags, 1 uuid (16 varlen bytes), 2 gno (signed), 3 tag, 4
  // last_committed, 5 sequence_number, ... (later fields not needed here).
  ByteCursor c(body);
  GtidEvent g;
  SerialVarUint(c);  // serialization format version
  SerialVarUint(c);  // message size
  SerialVarUint(c);  // last non-ignorable field id
  while (!c.empty()) {
    uint64_t id = SerialVarUint(c);
    switch (id) {
      case 0:
        g.flags = static_cast<uint8_t>(SerialVarUint(c));
        break;
      case 1: {
        std::string raw;
        for (int i = 0; i < 16; ++i) raw += static_cast<char>(SerialVarUint(c));
        g.uuid = UuidText(raw);
        break;
      }
      case 2:
        g.gno = SerialVarInt(c);
        break;
      case 3:
        g.tag = std::string(c.bytes(SerialVarUint(c), "GTID tag"));
        break;
      case 4:
        g.last_committed = SerialVarInt(c);
        break;
      case 5:
        g.sequence_number = SerialVarInt(c);
        return g;
      default:
        return g;  // fields we do not need
    }
  }
  return g;
}

PreviousGtidsEvent ParsePreviousGtids(std::string_view body) {
  ByteCursor c(body);
  PreviousGtidsEvent p;
  uint64_t head = c.u64();
  // MySQL 8.3+ (Gtid_set::encode): the top byte is the format (1 = tagged);
  // untagged, the count is the low 56 bits; tagged, the format byte is
  // repeated in bits 0-7 and the count is in bits 8-55.
  bool tagged = (head >> 56) == 1;
  uint64_t n = tagged ? (head >> 8) & 0xffffffffffffULL : head & 0x00ffffffffffffffULL;
  if (n > c.remaining() / 16) throw Error("PREVIOUS_GTIDS count too large");
  for (uint64_t i = 0; i < n; ++i) {
    GtidSetEntry e;
    e.uuid = UuidText(c.bytes(16, "GTID uuid"));
    if (tagged) e.tag = std::string(c.bytes(SerialVarUint(c), "GTID tag"));
    uint64_t intervals = c.u64();
    if (intervals > c.remaining() / 16) throw Error("PREVIOUS_GTIDS interval count too large");
    for (uint64_t k = 0; k < intervals; ++k) {
      GtidInterval iv;
      iv.start = static_cast<int64_t>(c.u64());
      iv.end = static_cast<int64_t>(c.u64());
      e.intervals.push_back(iv);
    }
    p.sets.push_back(std::move(e));
  }
  return p;
}

MariaGtidEvent ParseMariaGtid(std::string_view body, uint32_t server_id) {
  ByteCursor c(body);
  MariaGtidEvent g;
  g.sequence = c.u64();
  g.domain_id = c.u32();
  g.flags = c.u8();
  g.server_id = server_id;
  if ((g.flags & 2) && c.remaining() >= 8) g.commit_id = c.u64();  // FL_GROUP_COMMIT_ID
  return g;
}

MariaGtidListEvent ParseMariaGtidList(std::string_view body) {
  ByteCursor c(body);
  MariaGtidListEvent l;
  uint32_t n = c.u32() & 0x0fffffff;  // the top 4 bits are flags
  if (n > c.remaining() / 16) throw Error("GTID_LIST count too large");
  for (uint32_t i = 0; i < n; ++i) {
    MariaGtid g;
    g.domain_id = c.u32();
    g.server_id = c.u32();
    g.sequence = c.u64();
    l.gtids.push_back(g);
  }
  return l;
}

BinlogCheckpointEvent ParseBinlogCheckpoint(std::string_view body) {
  ByteCursor c(body);
  size_t len = c.u32();
  return BinlogCheckpointEvent{std::string(c.bytes(len, "checkpoint file name"))};
}

AnnotateRowsEvent ParseAnnotateRows(std::string_view body) {
  return AnnotateRowsEvent{std::string(body)};
}

}  // namespace cdc::mysql
