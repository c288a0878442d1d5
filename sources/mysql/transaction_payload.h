// TRANSACTION_PAYLOAD (type 40, MySQL 8.0.20+ binlog_transaction_compression):
// a header of (type, length, value) fields whose values are packed integers,
// then the compressed bytes of a whole transaction's events. The inner events
// have v4 headers and no checksums; they are returned as raw BinlogEvents
// carrying the outer event's file and position, to be fed to the decoder.
#pragma once

#include <cstdint>
#include <vector>

#include "sources/mysql/binlog_event.h"

namespace cdc::mysql {

struct TransactionPayloadEvent {
  uint64_t compression_type = 0;  // 0 = zstd, 255 = none
  uint64_t payload_size = 0;
  uint64_t uncompressed_size = 0;
  std::vector<BinlogEvent> events;
};

// Throws cdc::Error on a malformed header, an unknown compression type,
// corrupt zstd data, or inner events that do not exactly fill the payload.
TransactionPayloadEvent ParseTransactionPayload(const BinlogEvent& outer);

}  // namespace cdc::mysql
