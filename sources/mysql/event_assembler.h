// EventAssembler: decoded binlog events -> ChangeEvents with exact offsets.
//
// Transactions. A binlog holds whole transactions in commit order, never
// interleaved: [GTID] BEGIN, TABLE_MAP + rows events..., XID or COMMIT
// (MariaDB: a non-standalone GTID event is the BEGIN; DDL is a standalone
// GTID + QUERY). A transaction starts at its GTID event, or at its BEGIN /
// DDL QUERY when there is no GTID event (MySQL 5.5, gtid off).
//
// Offsets (why they resume exactly). With S = "file:pos" where the
// transaction starts and i = 0-based index of a captured data event in it:
//   id   = "S:i"
//   next = {tx: S, index: i+1, state: {gtid: G_before}} while more data
//          events of the transaction follow: a dump from S (or after
//          G_before) re-reads the transaction, the first i+1 are skipped;
//   next = {tx: E, index: 0, state: {gtid: G_after}} after the last one,
//          E = the end of the transaction's commit event = where the next
//          event starts (a dump from E continues with the next transaction).
// Each data event is held back until the next one or the commit arrives, to
// know which is last. Only events of captured tables are counted, so the
// index depends on `tables` (as PostgreSQL's depends on the publication).
// reset(skip) makes the first transaction seen after a (re)start drop its
// first `skip` data events: a dump from S or after G_before starts with it.
//
// Schema changes: a TABLE_MAP whose columns differ from the table's current
// schema makes a new TableSchema version and an Op::kSchemaChange event
// before the rows that use it (not counted in the index: replaying it is
// harmless). A DDL QUERY on a captured table yields an Op::kSchemaChange
// event carrying the statement (counted: it is its own transaction), and
// TRUNCATE yields Op::kTruncate. Heartbeats: heartbeat() makes an
// Op::kHeartbeat event at the current position when between transactions.
//
// XA (xa_statement.h). The rows of a prepared XA transaction are not
// emitted where the binlog has them: nothing is committed yet, and it may
// be rolled back. Its XID and where it starts go into every later offset
// (state.xa). Its XA COMMIT is a transaction of its own whose events are the
// prepared part's rows, read again from the binlog: feed() then asks for it
// (replay_from()), the caller feeds that part through feed_replayed() and
// calls end_replay(). An XA ROLLBACK only forgets the XID. A MySQL one-phase
// XA commit is read again the same way, at its XA_PREPARE event. An XA
// COMMIT of a transaction prepared before the stream's start point is read
// the same way once the caller has found where its part starts.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "sources/mysql/binlog_event_decoder.h"
#include "sources/mysql/binlog_position.h"
#include "sources/mysql/ddl_statement.h"
#include "sources/mysql/gtid.h"
#include "sources/mysql/mysql_schema.h"

namespace cdc::mysql {

class EventAssembler {
 public:
  struct Options {
    std::string server_name;
    // Whether db.table is captured.
    std::function<bool(const std::string& db, const std::string& table)> captured;
    // Whether `tables` names db.table itself (no '*'): its DROP or RENAME
    // is an Error. Null: none is.
    std::function<bool(const std::string& db, const std::string& table)> named;
    // The current schema of a table the stream has not mapped yet (for
    // TRUNCATE); null when unknown.
    std::function<TableSchemaPtr(const std::string& db, const std::string& table)> lookup;
  };

  explicit EventAssembler(Options options);

  // Starts a new stream at `start` (position and GTID state there). Known
  // schemas are kept: versions continue across reconnects.
  void reset(const StreamStart& start, bool mariadb);

  // Feeds one decoded event; `end` is where the next event starts (for
  // events inside a TRANSACTION_PAYLOAD: the payload event's end). Appends
  // the events now ready to `out`. Row values are moved out of `ev`.
  void feed(DecodedEvent& ev, uint64_t end, std::vector<ChangeEvent>& out);

  // A heartbeat event at the current position, or nullopt inside a
  // transaction.
  std::optional<ChangeEvent> heartbeat();

  // After feed(): where the prepared part of a committing XA transaction
  // starts, when it must be read again now; nullopt otherwise.
  std::optional<BinlogPosition> replay_from() const;
  // After feed(): the XA transaction whose XA COMMIT this is when its
  // prepared part lies before this stream's start point (prepared before
  // the pipeline's first start or its snapshot): the caller looks for where
  // the part starts (xa_prepare_finder.h), then calls prepare_found() (and
  // reads it again from there, as for replay_from()) or prepare_not_found().
  struct PrepareToFind {
    std::string xid;
    BinlogPosition commit;  // where the XA COMMIT event is
  };
  std::optional<PrepareToFind> prepare_to_find() const;
  void prepare_found(const BinlogPosition& from);
  // Ends the committing transaction without its rows (logged as an error:
  // the binlog holding them is gone).
  void prepare_not_found(std::vector<ChangeEvent>& out);
  // One event of that part, in order from replay_from(); true once it was
  // the part's last (its XA_PREPARE event): then call end_replay().
  bool feed_replayed(DecodedEvent& ev, std::vector<ChangeEvent>& out);
  // Ends the committing transaction after its part was fed.
  void end_replay(std::vector<ChangeEvent>& out);

  bool in_transaction() const { return in_tx_; }
  // Where the next transaction starts (after the last complete one).
  const BinlogPosition& position() const { return position_; }
  std::string gtid_state() const;

 private:
  struct Tx {
    BinlogPosition start;
    std::string gtid_before;  // state before this transaction
    std::string gtid;         // this transaction's GTID text, "" if none
    int64_t commit_ts_us = 0;
    uint32_t thread_id = 0;
    uint64_t index = 0;  // captured data events seen, including skipped ones
    uint64_t skip = 0;
    std::map<std::string, uint64_t> per_table;
    PreparedXa prepared_before;  // XA transactions pending before this one
    bool xa = false;             // an XA transaction's prepared part: not emitted
    // Made at its first event and shared by all of them (tx_text()): the
    // text of `start` and the offset state before the transaction.
    std::string start_text;
    std::shared_ptr<const DeferredOffsetState> state_before;
  };
  // An XA commit waiting for its prepared part to be read again.
  struct Replay {
    BinlogPosition from;  // empty file: not known yet (prepare_to_find())
    std::string xid;      // erased from prepared_ at the end; "" for one phase
    DecodedEvent commit;
    uint64_t end = 0;
  };

  void begin_tx(const DecodedEvent& ev);
  void end_tx(const DecodedEvent& ev, uint64_t end, std::vector<ChangeEvent>& out);
  void on_gtid(const DecodedEvent& ev, const std::string& text, bool mariadb_begin);
  void on_query(const DecodedEvent& ev, const QueryEvent& q, uint64_t end,
                std::vector<ChangeEvent>& out);
  void on_ddl(const DecodedEvent& ev, const QueryEvent& q, std::vector<ChangeEvent>& out);
  // Throws when `ddl` drops or renames away a table named in `tables`: its
  // capture would end without a word (and a restart could not find it).
  void refuse_named_table_removal(const DecodedEvent& ev, const QueryEvent& q,
                                  const DdlStatement& ddl) const;
  void on_rows(const DecodedEvent& ev, RowsEvent& rows, uint64_t end,
               std::vector<ChangeEvent>& out);
  void push_data(ChangeEvent ev, const std::string& table, std::vector<ChangeEvent>& out);
  TableSchemaPtr schema_for(const TableMapEvent& t, const DecodedEvent& ev,
                            std::vector<ChangeEvent>& out);
  ChangeEvent base_event(Op op, const DecodedEvent& ev, const TableId& table, int32_t row = 0);
  void flush_pending(Offset next, std::vector<ChangeEvent>& out);
  void record_gtid();
  void on_xa(const DecodedEvent& ev, const QueryEvent& q, uint64_t end,
             std::vector<ChangeEvent>& out);
  void on_xa_prepare(const DecodedEvent& ev, const XaPrepareEvent& p, uint64_t end,
                     std::vector<ChangeEvent>& out);
  // The open transaction's start as text ("binlog.000042:1234").
  const std::string& tx_text();
  // Offsets inside the open transaction (state as before it) and after it.
  Offset offset_in_tx(uint64_t index);
  Offset offset_after() const;

  Options options_;
  SchemaTracker schemas_;
  bool mariadb_ = false;
  MariaGtidState maria_state_;
  MySqlGtidSet mysql_state_;
  BinlogPosition position_;
  std::optional<uint64_t> skip_next_;  // for the first transaction after reset()
  // A GTID event seen, its transaction not begun yet (MySQL: BEGIN follows).
  std::optional<Tx> pending_gtid_;
  bool in_tx_ = false;
  bool standalone_ = false;  // MariaDB standalone GTID: the next QUERY ends it
  // Rows without BEGIN (non-transactional tables on old servers): the
  // statement is its own transaction, from its first TABLE_MAP to the rows
  // event flagged STMT_END_F.
  bool implicit_ = false;
  std::optional<BinlogPosition> map_start_;
  Tx tx_;
  std::optional<ChangeEvent> pending_;
  // MySQL GTID of the open transaction, recorded into the set at its end.
  struct MySqlGtid {
    std::string uuid, tag;
    int64_t gno = 0;
  };
  std::optional<MySqlGtid> mysql_gtid_;
  std::optional<MariaGtid> maria_gtid_;
  PreparedXa prepared_;
  std::optional<Replay> replay_;
  bool replaying_ = false;  // feed_replayed() is feeding the prepared part
};

}  // namespace cdc::mysql
