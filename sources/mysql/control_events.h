// Typed forms of the non-row binlog events cdcd needs: QUERY, ROTATE, XID,
// GTID / ANONYMOUS_GTID / GTID_TAGGED, PREVIOUS_GTIDS, MariaDB GTID /
// GTID_LIST / BINLOG_CHECKPOINT / ANNOTATE_ROWS, and the parse functions for
// their bodies (checksum already removed). Each Parse* throws cdc::Error on a
// malformed body; the decoder adds the file:position.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdc::mysql {

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string database;
  std::string query;  // BEGIN, COMMIT, DDL, or a statement in STATEMENT format
};

struct RotateEvent {
  uint64_t position = 0;
  std::string next_file;
};

struct XidEvent {
  uint64_t xid = 0;
};

// MySQL GTID (33), ANONYMOUS_GTID (34) and GTID_TAGGED (42).
struct GtidEvent {
  bool anonymous = false;
  uint8_t flags = 0;  // bit 0: may have DDL/non-transactional changes
  std::string uuid;   // canonical 8-4-4-4-12 text
  std::string tag;    // MySQL 8.3+ tagged GTID; empty if none
  int64_t gno = 0;
  std::optional<int64_t> last_committed;
  std::optional<int64_t> sequence_number;
};

struct GtidInterval {
  int64_t start = 0;  // inclusive
  int64_t end = 0;    // exclusive, as stored on the wire
};
struct GtidSetEntry {
  std::string uuid;
  std::string tag;
  std::vector<GtidInterval> intervals;
};
struct PreviousGtidsEvent {
  std::vector<GtidSetEntry> sets;
};

struct MariaGtidEvent {
  uint64_t sequence = 0;
  uint32_t domain_id = 0;
  uint8_t flags = 0;
  uint32_t server_id = 0;  // from the event header
  std::optional<uint64_t> commit_id;
  bool standalone() const { return flags & 1; }  // FL_STANDALONE: no BEGIN/COMMIT
  // FL_PREPARED_XA: the rows of an XA transaction, ending in XA_PREPARE.
  bool prepared_xa() const { return flags & 0x40; }
};

struct MariaGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t sequence = 0;
};
struct MariaGtidListEvent {
  std::vector<MariaGtid> gtids;
};

struct BinlogCheckpointEvent {
  std::string file;
};

struct AnnotateRowsEvent {
  std::string query;
};

// `post_header_length` from the FDE (13 since 5.0; 11 before).
QueryEvent ParseQuery(std::string_view body, uint8_t post_header_length);
// MariaDB QUERY_COMPRESSED_EVENT: the query text is zlib-compressed.
QueryEvent ParseCompressedQuery(std::string_view body, uint8_t post_header_length);
RotateEvent ParseRotate(std::string_view body);
XidEvent ParseXid(std::string_view body);
GtidEvent ParseGtid(std::string_view body, bool anonymous);
GtidEvent ParseGtidTagged(std::string_view body);
PreviousGtidsEvent ParsePreviousGtids(std::string_view body);
MariaGtidEvent ParseMariaGtid(std::string_view body, uint32_t server_id);
MariaGtidListEvent ParseMariaGtidList(std::string_view body);
BinlogCheckpointEvent ParseBinlogCheckpoint(std::string_view body);
AnnotateRowsEvent ParseAnnotateRows(std::string_view body);

// MariaDB log_bin_compress payload: a header byte 0x80|n, n big-endian bytes
// of uncompressed length, then a zlib stream. Throws on corrupt data.
std::string MariaUncompress(std::string_view data);

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" from 16 raw bytes.
std::string UuidText(std::string_view bytes16);

}  // namespace cdc::mysql
