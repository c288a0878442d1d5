#include "sources/postgres/pgoutput_decoder.h"

#include "cdc/error.h"

namespace cdc::pg {
namespace {

// A bounds-checked big-endian reader over one message. Every read names the
// message (`what`) and the offset in its error, so a corrupt stream can be
// diagnosed from the log alone.
class Reader {
 public:
  Reader(std::string_view data, const char* what) : data_(data), what_(what) {}

  uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
  uint16_t u16() { return static_cast<uint16_t>(be(2)); }
  uint32_t u32() { return static_cast<uint32_t>(be(4)); }
  uint64_t u64() { return be(8); }
  int64_t i64() { return static_cast<int64_t>(be(8)); }
  // A NUL-terminated string.
  std::string cstring() {
    size_t end = data_.find('\0', pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string s(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  std::string_view take(size_t n) {
    if (data_.size() - pos_ < n) {
      fail("truncated: needs " + std::to_string(n) + " more bytes, has " +
           std::to_string(data_.size() - pos_));
    }
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view rest() { return take(data_.size() - pos_); }
  bool done() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  void expect_done() {
    if (!done()) fail(std::to_string(data_.size() - pos_) + " unexpected trailing bytes");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(std::string("pgoutput: malformed ") + what_ + " message at byte " +
                std::to_string(pos_) + " of " + std::to_string(data_.size()) + ": " + why);
  }

 private:
  uint64_t be(size_t n) {
    std::string_view s = take(n);
    uint64_t v = 0;
    for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
    return v;
  }

  std::string_view data_;
  const char* what_;
  size_t pos_ = 0;
};

// A timestamp (microseconds since 2000-01-01) as Unix microseconds; one too
// large for that (no server sends it) makes the message malformed.
int64_t ReadUnixMicros(Reader& r) {
  const int64_t pg_micros = r.i64();
  int64_t unix_micros = 0;
  if (__builtin_add_overflow(pg_micros, kPgEpochUnixMicros, &unix_micros)) {
    r.fail("timestamp " + std::to_string(pg_micros) + " is out of range");
  }
  return unix_micros;
}

Tuple ReadTuple(Reader& r) {
  uint16_t n = r.u16();
  Tuple t(n);
  for (TupleValue& v : t) {
    char kind = static_cast<char>(r.u8());
    switch (kind) {
      case 'n':
        v.kind = TupleValue::Kind::kNull;
        break;
      case 'u':
        v.kind = TupleValue::Kind::kUnchangedToast;
        break;
      case 't':
      case 'b': {
        v.kind = kind == 't' ? TupleValue::Kind::kText : TupleValue::Kind::kBinary;
        uint32_t len = r.u32();
        v.data = std::string(r.take(len));
        break;
      }
      default:
        r.fail(std::string("unknown tuple column kind '") + kind + "'");
    }
  }
  return t;
}

BeginMsg ReadBegin(Reader& r) {
  BeginMsg m;
  m.final_lsn = r.u64();
  m.commit_time_us = ReadUnixMicros(r);
  m.xid = r.u32();
  return m;
}

CommitMsg ReadCommit(Reader& r) {
  CommitMsg m;
  m.flags = r.u8();
  m.commit_lsn = r.u64();
  m.end_lsn = r.u64();
  m.commit_time_us = ReadUnixMicros(r);
  return m;
}

RelationMsg ReadRelation(Reader& r) {
  RelationMsg m;
  m.oid = r.u32();
  m.nspname = r.cstring();
  // pgoutput sends an empty namespace for pg_catalog (logicalrep_write_namespace).
  if (m.nspname.empty()) m.nspname = "pg_catalog";
  m.relname = r.cstring();
  m.replica_identity = static_cast<char>(r.u8());
  uint16_t n = r.u16();
  m.columns.resize(n);
  for (RelationColumn& c : m.columns) {
    c.key = (r.u8() & 1) != 0;
    c.name = r.cstring();
    c.type_oid = r.u32();
    c.type_modifier = static_cast<int32_t>(r.u32());
  }
  return m;
}

TypeMsg ReadType(Reader& r) {
  TypeMsg m;
  m.oid = r.u32();
  m.nspname = r.cstring();
  if (m.nspname.empty()) m.nspname = "pg_catalog";
  m.name = r.cstring();
  return m;
}

UpdateMsg ReadUpdate(Reader& r) {
  UpdateMsg m;
  m.relid = r.u32();
  char c = static_cast<char>(r.u8());
  if (c == 'K' || c == 'O') {
    m.old_kind = c;
    m.old_tuple = ReadTuple(r);
    c = static_cast<char>(r.u8());
  }
  if (c != 'N') r.fail(std::string("expected 'N' before the new tuple, got '") + c + "'");
  m.new_tuple = ReadTuple(r);
  return m;
}

DeleteMsg ReadDelete(Reader& r) {
  DeleteMsg m;
  m.relid = r.u32();
  char c = static_cast<char>(r.u8());
  if (c != 'K' && c != 'O') r.fail(std::string("expected 'K' or 'O', got '") + c + "'");
  m.old_kind = c;
  m.old_tuple = ReadTuple(r);
  return m;
}

TruncateMsg ReadTruncate(Reader& r) {
  TruncateMsg m;
  uint32_t n = r.u32();
  uint8_t options = r.u8();
  m.cascade = (options & 1) != 0;
  m.restart_identity = (options & 2) != 0;
  // Four bytes per relation follow: a count beyond them is not reserved.
  if (n > r.remaining() / 4) {
    r.fail(std::to_string(n) + " relations announced, room for " +
           std::to_string(r.remaining() / 4));
  }
  m.relids.reserve(n);
  for (uint32_t i = 0; i < n; ++i) m.relids.push_back(r.u32());
  return m;
}

LogicalMsg ReadMessage(Reader& r) {
  LogicalMsg m;
  m.transactional = (r.u8() & 1) != 0;
  m.lsn = r.u64();
  m.prefix = r.cstring();
  uint32_t len = r.u32();
  m.content = std::string(r.take(len));
  return m;
}

const char* MessageName(char type) {
  switch (type) {
    case 'B':
      return "Begin";
    case 'C':
      return "Commit";
    case 'O':
      return "Origin";
    case 'R':
      return "Relation";
    case 'Y':
      return "Type";
    case 'I':
      return "Insert";
    case 'U':
      return "Update";
    case 'D':
      return "Delete";
    case 'T':
      return "Truncate";
    case 'M':
      return "Message";
    default:
      return "unknown";
  }
}

}  // namespace

CopyDataMessage ParseCopyData(std::string_view data) {
  if (data.empty()) throw Error("replication stream: empty CopyData message");
  char type = data[0];
  if (type == 'w') {
    Reader r(data.substr(1), "XLogData");
    XLogData x;
    x.wal_start = r.u64();
    x.wal_end = r.u64();
    x.send_time_us = ReadUnixMicros(r);
    x.payload = r.rest();
    return x;
  }
  if (type == 'k') {
    Reader r(data.substr(1), "keepalive");
    Keepalive k;
    k.wal_end = r.u64();
    k.send_time_us = ReadUnixMicros(r);
    k.reply_requested = r.u8() != 0;
    r.expect_done();
    return k;
  }
  throw Error(std::string("replication stream: unknown CopyData message type '") + type +
              "' (expected 'w' or 'k')");
}

PgOutputMessage DecodePgOutput(std::string_view data) {
  if (data.empty()) throw Error("pgoutput: empty message");
  char type = data[0];
  Reader r(data.substr(1), MessageName(type));
  PgOutputMessage out;
  switch (type) {
    case 'B':
      out = ReadBegin(r);
      break;
    case 'C':
      out = ReadCommit(r);
      break;
    case 'O': {
      OriginMsg m;
      m.commit_lsn = r.u64();
      m.name = r.cstring();
      out = std::move(m);
      break;
    }
    case 'R':
      out = ReadRelation(r);
      break;
    case 'Y':
      out = ReadType(r);
      break;
    case 'I': {
      InsertMsg m;
      m.relid = r.u32();
      char c = static_cast<char>(r.u8());
      if (c != 'N') r.fail(std::string("expected 'N', got '") + c + "'");
      m.new_tuple = ReadTuple(r);
      out = std::move(m);
      break;
    }
    case 'U':
      out = ReadUpdate(r);
      break;
    case 'D':
      out = ReadDelete(r);
      break;
    case 'T':
      out = ReadTruncate(r);
      break;
    case 'M':
      out = ReadMessage(r);
      break;
    default:
      throw Error(std::string("pgoutput: unsupported message type '") + type +
                  "' (cdcd requests protocol version 1 without streaming or two-phase)");
  }
  r.expect_done();
  return out;
}

std::string StandbyStatusUpdate(Lsn write, Lsn flush, Lsn apply, int64_t now_unix_us,
                                bool reply_requested) {
  std::string out;
  out.reserve(34);
  out.push_back('r');
  auto put = [&out](uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
  };
  put(write);
  put(flush);
  put(apply);
  put(static_cast<uint64_t>(now_unix_us - kPgEpochUnixMicros));
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

}  // namespace cdc::pg
