// XA transactions as the binlog carries them. A prepared XA transaction is
// logged at XA PREPARE (its rows, ending in an XA_PREPARE event), and its
// outcome later on its own: a QUERY "XA COMMIT X'6131',X'',1" or "XA
// ROLLBACK ...". MariaDB marks the prepared part in its GTID event
// (FL_PREPARED_XA); MySQL starts it with a QUERY "XA START ...". A one-phase
// commit is an ordinary transaction on MariaDB, and on MySQL an XA one whose
// XA_PREPARE event says one_phase.
//
// XIDs are compared in one canonical text, the servers' own rewrite:
// X'<gtrid hex>',X'<bqual hex>',<formatID>, whichever form (a string, X'..',
// 0x..) the statement used.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdc::mysql {

struct XaStatement {
  enum class Kind { kStart, kEnd, kPrepare, kCommit, kRollback, kRecover, kOther };
  Kind kind = Kind::kOther;
  std::string xid;         // canonical; empty for kRecover and kOther
  bool one_phase = false;  // XA COMMIT ... ONE PHASE
};

// Reads an "XA ..." statement; Kind::kOther for anything it cannot read.
XaStatement ParseXaStatement(std::string_view query);

// The canonical text of an XID.
std::string CanonicalXid(int64_t format_id, std::string_view gtrid, std::string_view bqual);

// XA_PREPARE_LOG_EVENT (38): the prepared (or one-phase committed) XID.
struct XaPrepareEvent {
  bool one_phase = false;
  std::string xid;  // canonical
};
XaPrepareEvent ParseXaPrepare(std::string_view body);

}  // namespace cdc::mysql
