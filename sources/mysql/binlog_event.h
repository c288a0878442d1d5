// BinlogEvent: one raw binlog event (v4 header + body) and where it came
// from, plus the BinlogEventSource interface that yields them.
//
// The file reader (BinlogFileReader) and, later, the network reader both
// produce BinlogEvents; BinlogEventDecoder turns them into typed events, so
// the decoding never depends on where the bytes came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cdc::mysql {

// Event type codes (libbinlogevents binlog_event.h, MariaDB log_event.h).
enum EventType : uint8_t {
  kUnknownEvent = 0,
  kStartEventV3 = 1,
  kQueryEvent = 2,
  kStopEvent = 3,
  kRotateEvent = 4,
  kIntvarEvent = 5,
  kLoadEvent = 6,
  kSlaveEvent = 7,
  kCreateFileEvent = 8,
  kAppendBlockEvent = 9,
  kExecLoadEvent = 10,
  kDeleteFileEvent = 11,
  kNewLoadEvent = 12,
  kRandEvent = 13,
  kUserVarEvent = 14,
  kFormatDescriptionEvent = 15,
  kXidEvent = 16,
  kBeginLoadQueryEvent = 17,
  kExecuteLoadQueryEvent = 18,
  kTableMapEvent = 19,
  kPreGaWriteRowsEvent = 20,
  kPreGaUpdateRowsEvent = 21,
  kPreGaDeleteRowsEvent = 22,
  kWriteRowsEventV1 = 23,
  kUpdateRowsEventV1 = 24,
  kDeleteRowsEventV1 = 25,
  kIncidentEvent = 26,
  kHeartbeatEvent = 27,
  kIgnorableEvent = 28,
  kRowsQueryEvent = 29,
  kWriteRowsEvent = 30,
  kUpdateRowsEvent = 31,
  kDeleteRowsEvent = 32,
  kGtidEvent = 33,
  kAnonymousGtidEvent = 34,
  kPreviousGtidsEvent = 35,
  kTransactionContextEvent = 36,
  kViewChangeEvent = 37,
  kXaPrepareEvent = 38,
  kPartialUpdateRowsEvent = 39,
  kTransactionPayloadEvent = 40,
  kHeartbeatEventV2 = 41,
  kGtidTaggedEvent = 42,
  // MariaDB
  kMariaAnnotateRowsEvent = 160,
  kMariaBinlogCheckpointEvent = 161,
  kMariaGtidEvent = 162,
  kMariaGtidListEvent = 163,
  kMariaStartEncryptionEvent = 164,
  kMariaQueryCompressedEvent = 165,
  kMariaWriteRowsCompressedEventV1 = 166,
  kMariaUpdateRowsCompressedEventV1 = 167,
  kMariaDeleteRowsCompressedEventV1 = 168,
  kMariaWriteRowsCompressedEvent = 169,
  kMariaUpdateRowsCompressedEvent = 170,
  kMariaDeleteRowsCompressedEvent = 171,
};

// Upper-case name as used in the fixtures' MANIFEST.json ("WRITE_ROWS_V2",
// "MARIA_GTID", ...); the decimal code for types we do not know.
std::string EventTypeName(uint8_t type);

inline constexpr size_t kEventHeaderSize = 19;
inline constexpr const char kBinlogMagic[] =
    "\xfe"
    "bin";

struct BinlogEventHeader {
  uint32_t timestamp = 0;
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // header + body + checksum
  uint32_t log_pos = 0;     // position of the next event (0 in some relay logs)
  uint16_t flags = 0;
};

struct BinlogEvent {
  BinlogEventHeader header;
  std::string body;       // after the 19-byte header, checksum removed
  std::string file;       // binlog file name, for error messages and offsets
  uint64_t position = 0;  // offset of the event's first byte in `file`

  // "file:position" prefix for error messages.
  std::string where() const { return file + ":" + std::to_string(position); }
};

// Something that yields raw binlog events in order: a file or a replication
// connection. next() returns nullopt at a clean end of input and throws
// cdc::Error (naming file and position) on truncated or corrupt input.
class BinlogEventSource {
 public:
  virtual ~BinlogEventSource() = default;
  virtual std::optional<BinlogEvent> next() = 0;
};

}  // namespace cdc::mysql
