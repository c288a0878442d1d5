// BinlogPosition: a place in a server's binlog, "file:pos", and the MySQL
// source's offsets built on it.
//
// Offsets (see event_assembler.h for why they resume exactly):
//   tx     "binlog.000042:1234": where the transaction's first event (its
//          GTID event, else its BEGIN) starts, or, for index 0, where the
//          next transaction will start;
//   index  data events of that transaction already delivered;
//   state  {"gtid": "<GTID state before that transaction>"} when the server
//          has GTIDs (MariaDB always; MySQL with gtid_mode=ON), and
//          {"xa": {"<xid>": "file:pos"}} while XA transactions are prepared
//          but not yet committed or rolled back (where each prepared part
//          starts, to read it again at its commit), else null.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "cdc/offset.h"

namespace cdc::mysql {

struct BinlogPosition {
  std::string file;
  uint64_t pos = 0;

  std::string to_string() const { return file + ":" + std::to_string(pos); }
  bool operator==(const BinlogPosition&) const = default;
};

// Binlog order: by the file's numeric extension (binlog.000009 <
// binlog.000010, whatever the base name), then by position.
bool Before(const BinlogPosition& a, const BinlogPosition& b);

// Parses "file:pos"; nullopt when `text` is not one.
std::optional<BinlogPosition> ParseBinlogPosition(const std::string& text);

// XA transactions prepared and not yet ended: canonical XID -> where the
// prepared part starts in the binlog.
using PreparedXa = std::map<std::string, BinlogPosition>;

// Where a stream resumes: dump from `position` (or after `gtid`), skip the
// first `skip` data events of the first transaction; `prepared` as of there.
struct StreamStart {
  BinlogPosition position;
  std::string gtid;
  uint64_t skip = 0;
  PreparedXa prepared;
};

// Throws cdc::Error when the offset was not made by the MySQL source.
StreamStart ParseStreamOffset(const Offset& offset);
Offset StreamOffset(const BinlogPosition& tx, uint64_t index, const std::string& gtid,
                    const PreparedXa& prepared = {});

}  // namespace cdc::mysql
