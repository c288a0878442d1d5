// EventAssembler: pgoutput messages -> ChangeEvents with exact offsets.
//
// Offsets (why they resume exactly). A logical slot decodes and sends a
// transaction only if the start LSN of its commit record (Begin's final_lsn)
// is >= the decoding start point, max(requested LSN, slot confirmed_flush)
// (logical.c CreateDecodingContext, snapbuild.c SnapBuildXactNeedsSkip);
// transactions arrive whole, in commit order, never interleaved with each
// other or with non-transactional messages (reorderbuffer.c replays a
// transaction at its commit). So, with L = final_lsn and i = 0-based index of
// a data event (insert, update, delete, one per truncated table) in its
// transaction:
//   id   = "L:i" (X/X form)
//   next = {tx: "L", index: i+1} when more data events of the transaction
//          follow: resuming at L re-sends the transaction, the first i+1 are
//          skipped;
//   next = {tx: "<commit end_lsn>", index: 0} after the transaction's last
//          data event: resuming there skips it and decodes every later commit.
// To know which event is last, each data event is held back until the next
// one or the Commit arrives. Offsets only grow: L < end_lsn <= next L.
// Heartbeats (a non-transactional logical message with prefix
// "cdcd_heartbeat" naming this slot) become Op::kHeartbeat events with
// next = {tx: "<message end LSN>", index: 0}: the message's own record starts
// before that LSN, so a resume there skips it, and any transaction committing
// later is sent. Committing one lets the slot advance on an idle or filtered
// database. Heartbeats of other slots and all other logical messages
// (transactional or not) are ignored: they carry no table change, and an
// offset never needs them.
// Each data event's source.lsn is its change's own WAL position (the
// message's XLogData start) and source.sequence is
// ["<end LSN of the previous commit>","<that position>"], as Debezium's.
// Schema changes: a Relation message whose schema differs from the one seen
// before for that table (in this process) yields an Op::kSchemaChange event
// before the change that follows it; it is not counted in the index because
// pgoutput re-sends Relation messages after every reconnect, and its next is
// the position of the data event that follows, so replaying it is harmless.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/offset.h"
#include "sources/postgres/lsn.h"
#include "sources/postgres/pgoutput_decoder.h"
#include "sources/postgres/relation.h"

namespace cdc::pg {

inline constexpr const char* kHeartbeatPrefix = "cdcd_heartbeat";

// A committed offset as a stream position: start at `lsn`, skip `skip` data
// events of the transaction whose final_lsn is `lsn`.
struct StreamPosition {
  Lsn lsn = 0;
  uint64_t skip = 0;
};
// Throws Error when the offset was not made by this source.
StreamPosition ParseStreamPosition(const Offset& offset);

class EventAssembler {
 public:
  struct Options {
    std::string server_name;
    std::string database;
    std::string slot;
  };
  using RelationBuilder = std::function<RelationPtr(const RelationMsg&, uint32_t version)>;

  EventAssembler(Options options, RelationBuilder build);

  // Starts a new stream from `from` (nullopt: from the slot's position).
  // Known relations are kept: schema versions continue across reconnects.
  void reset(const std::optional<StreamPosition>& from);

  // Feeds one message, which the stream sent at `wal_start` (its XLogData
  // start: a change's own WAL position); appends the events now ready, in
  // order, to `out`.
  void feed(PgOutputMessage&& message, Lsn wal_start, std::vector<ChangeEvent>& out);

  bool in_transaction() const { return in_tx_; }
  // The current schema of a relation, for tests.
  RelationPtr relation(uint32_t oid) const;

 private:
  struct Tx {
    BeginMsg begin;
    std::string lsn_text;  // FormatLsn(begin.final_lsn): every event's id and offset start so
    std::string xid_text;  // std::to_string(begin.xid): every event's tx_id
    uint64_t index = 0;    // data events seen so far, including skipped ones
    uint64_t skip = 0;     // data events to drop (resume)
    std::map<uint32_t, uint64_t> per_table;
  };

  void on_relation(RelationMsg&& m, std::vector<ChangeEvent>& out);
  void on_data(uint32_t relid, Op op, std::optional<Row> before, std::optional<Row> after,
               std::vector<std::string> unchanged_toast, Lsn lsn, std::vector<ChangeEvent>& out);
  void on_commit(const CommitMsg& m, std::vector<ChangeEvent>& out);
  void on_message(const LogicalMsg& m, std::vector<ChangeEvent>& out);
  const Relation& known(uint32_t relid, const char* what) const;
  SourceInfo source_for(const Relation* rel, int64_t commit_ts) const;
  void flush_pending(Offset next, std::vector<ChangeEvent>& out);

  Options options_;
  RelationBuilder build_;
  std::map<uint32_t, RelationPtr> relations_;
  std::optional<StreamPosition> from_;
  bool in_tx_ = false;
  Tx tx_;
  // End LSN of the last commit seen since reset(): the first element of
  // source.sequence, as Debezium's (null until a commit was seen).
  std::optional<Lsn> last_commit_end_;
  std::optional<ChangeEvent> pending_;
};

}  // namespace cdc::pg
