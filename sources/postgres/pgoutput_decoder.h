// pgoutput decoding: the bytes of the logical replication stream -> typed
// messages.
//
// Two layers, both pure functions of their input (no connection, no state):
//  - ParseCopyData() splits one CopyData payload of the walsender's CopyBoth
//    stream into XLogData ('w', carrying one pgoutput message) or a primary
//    keepalive ('k').
//  - DecodePgOutput() decodes the pgoutput message inside XLogData, protocol
//    version 1 (PostgreSQL's "Logical Replication Message Formats"):
//    Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate
//    and logical decoding Message. Streaming ('S', 'E', 'c', 'A') and
//    two-phase messages belong to protocol versions cdcd never requests and
//    are rejected as errors.
// Malformed input throws cdc::Error naming the message type and the byte
// offset where decoding failed. Times are converted from PostgreSQL's epoch
// (2000-01-01) to microseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sources/postgres/lsn.h"

namespace cdc::pg {

// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
inline constexpr int64_t kPgEpochUnixMicros = 946684800LL * 1000000;

struct XLogData {
  Lsn wal_start = 0;
  Lsn wal_end = 0;
  int64_t send_time_us = 0;  // Unix µs
  std::string_view payload;  // points into the CopyData buffer
};

struct Keepalive {
  Lsn wal_end = 0;
  int64_t send_time_us = 0;
  bool reply_requested = false;
};

using CopyDataMessage = std::variant<XLogData, Keepalive>;
CopyDataMessage ParseCopyData(std::string_view data);

// One column of a TupleData: null, unchanged TOASTed value (not sent), or text.
struct TupleValue {
  enum class Kind : char { kNull = 'n', kUnchangedToast = 'u', kText = 't', kBinary = 'b' };
  Kind kind = Kind::kNull;
  std::string data;  // kText / kBinary only
};
using Tuple = std::vector<TupleValue>;

struct BeginMsg {
  Lsn final_lsn = 0;  // start LSN of the commit record
  int64_t commit_time_us = 0;
  uint32_t xid = 0;
};

struct CommitMsg {
  uint8_t flags = 0;
  Lsn commit_lsn = 0;  // start of the commit record (== Begin's final_lsn)
  Lsn end_lsn = 0;     // end of the commit record
  int64_t commit_time_us = 0;
};

struct OriginMsg {
  Lsn commit_lsn = 0;
  std::string name;
};

struct RelationColumn {
  bool key = false;  // part of the replica identity
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
};

struct RelationMsg {
  uint32_t oid = 0;
  std::string nspname;  // "pg_catalog" when the server sent an empty name
  std::string relname;
  char replica_identity = 'd';  // d default, n nothing, f full, i index
  std::vector<RelationColumn> columns;
};

struct TypeMsg {
  uint32_t oid = 0;
  std::string nspname;
  std::string name;
};

struct InsertMsg {
  uint32_t relid = 0;
  Tuple new_tuple;
};

// old_kind: 0 when no old tuple was sent, 'K' for the replica identity key
// columns only, 'O' for the whole old row (REPLICA IDENTITY FULL).
struct UpdateMsg {
  uint32_t relid = 0;
  char old_kind = 0;
  Tuple old_tuple;
  Tuple new_tuple;
};

struct DeleteMsg {
  uint32_t relid = 0;
  char old_kind = 'K';
  Tuple old_tuple;
};

struct TruncateMsg {
  bool cascade = false;
  bool restart_identity = false;
  std::vector<uint32_t> relids;
};

struct LogicalMsg {
  bool transactional = false;
  Lsn lsn = 0;  // for non-transactional messages: end of the message's WAL record
  std::string prefix;
  std::string content;
};

using PgOutputMessage = std::variant<BeginMsg, CommitMsg, OriginMsg, RelationMsg, TypeMsg,
                                     InsertMsg, UpdateMsg, DeleteMsg, TruncateMsg, LogicalMsg>;

PgOutputMessage DecodePgOutput(std::string_view data);

// Builders for the client -> server messages of the CopyBoth stream.
// Standby status update ('r'): positions and the client's clock (Unix µs).
std::string StandbyStatusUpdate(Lsn write, Lsn flush, Lsn apply, int64_t now_unix_us,
                                bool reply_requested);

}  // namespace cdc::pg
