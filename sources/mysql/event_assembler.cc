#include "sources/mysql/event_assembler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "cdc/error.h"
#include "sources/mysql/ddl_statement.h"
#include "sources/mysql/mysql_source_fields.h"

namespace cdc::mysql {
namespace {

// Takes the image's values: each row image becomes exactly one event.
cdc::Row ToRow(RowImage& image) {
  cdc::Row row;
  row.values = std::move(image.values);
  for (size_t i = 0; i < image.present.size(); ++i) {
    if (!image.present[i]) row.missing.push_back(static_cast<uint32_t>(i));
  }
  return row;
}

Op OpOf(RowsEvent::Kind kind) {
  switch (kind) {
    case RowsEvent::Kind::kInsert:
      return Op::kCreate;
    case RowsEvent::Kind::kUpdate:
      return Op::kUpdate;
    case RowsEvent::Kind::kDelete:
      break;
  }
  return Op::kDelete;
}

}  // namespace

EventAssembler::EventAssembler(Options options) : options_(std::move(options)) {}

void EventAssembler::reset(const StreamStart& start, bool mariadb) {
  mariadb_ = mariadb;
  maria_state_ = mariadb ? MariaGtidState::Parse(start.gtid) : MariaGtidState{};
  mysql_state_ = mariadb ? MySqlGtidSet{} : MySqlGtidSet::Parse(start.gtid);
  position_ = start.position;
  skip_next_ = start.skip;
  pending_gtid_.reset();
  in_tx_ = false;
  standalone_ = false;
  implicit_ = false;
  map_start_.reset();
  tx_ = Tx{};
  pending_.reset();
  mysql_gtid_.reset();
  maria_gtid_.reset();
  prepared_ = start.prepared;
  replay_.reset();
  replaying_ = false;
}

std::string EventAssembler::gtid_state() const {
  return mariadb_ ? maria_state_.to_string() : mysql_state_.to_string();
}

void EventAssembler::record_gtid() {
  if (maria_gtid_)
    maria_state_.add(maria_gtid_->domain_id, maria_gtid_->server_id, maria_gtid_->sequence);
  if (mysql_gtid_) mysql_state_.add(mysql_gtid_->uuid, mysql_gtid_->tag, mysql_gtid_->gno);
  maria_gtid_.reset();
  mysql_gtid_.reset();
}

void EventAssembler::feed(DecodedEvent& ev, uint64_t end, std::vector<ChangeEvent>& out) {
  std::visit(
      [&](auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, GtidEvent>) {
          if (b.anonymous) {
            on_gtid(ev, "", false);
          } else {
            mysql_gtid_ = MySqlGtid{b.uuid, b.tag, b.gno};
            on_gtid(ev, b.uuid + (b.tag.empty() ? "" : ":" + b.tag) + ":" + std::to_string(b.gno),
                    false);
          }
        } else if constexpr (std::is_same_v<T, MariaGtidEvent>) {
          maria_gtid_ = MariaGtid{b.domain_id, b.server_id, b.sequence};
          on_gtid(ev,
                  std::to_string(b.domain_id) + "-" + std::to_string(b.server_id) + "-" +
                      std::to_string(b.sequence),
                  !b.standalone());
          standalone_ = b.standalone();
          if (b.prepared_xa() && in_tx_) tx_.xa = true;
        } else if constexpr (std::is_same_v<T, QueryEvent>) {
          on_query(ev, b, end, out);
        } else if constexpr (std::is_same_v<T, XidEvent>) {
          if (in_tx_) end_tx(ev, end, out);
        } else if constexpr (std::is_same_v<T, XaPrepareEvent>) {
          on_xa_prepare(ev, b, end, out);
        } else if constexpr (std::is_same_v<T, RowsEvent>) {
          on_rows(ev, b, end, out);
        } else if constexpr (std::is_same_v<T, std::shared_ptr<const TableMapEvent>>) {
          if (!in_tx_ && !pending_gtid_ && !map_start_) map_start_ = {ev.file, ev.position};
        }
        // FORMAT_DESCRIPTION, ROTATE, TABLE_MAP (kept by the decoder),
        // PREVIOUS_GTIDS, GTID_LIST, BINLOG_CHECKPOINT, ANNOTATE_ROWS and
        // skipped types change nothing here; TRANSACTION_PAYLOAD's inner
        // events are fed one by one by the caller.
      },
      ev.body);
}

void EventAssembler::on_gtid(const DecodedEvent& ev, const std::string& text, bool begin) {
  if (in_tx_) {
    throw Error(ev.file + ":" + std::to_string(ev.position) +
                ": GTID event inside the transaction that began at " + tx_.start.to_string() +
                " (no XID/COMMIT closed it)");
  }
  Tx t;
  t.start = {ev.file, ev.position};
  t.gtid_before = gtid_state();
  t.prepared_before = prepared_;
  t.gtid = text;
  t.commit_ts_us = int64_t{ev.header.timestamp} * 1000000;
  pending_gtid_ = std::move(t);
  if (begin) begin_tx(ev);
}

void EventAssembler::begin_tx(const DecodedEvent& ev) {
  if (pending_gtid_) {
    tx_ = std::move(*pending_gtid_);
    pending_gtid_.reset();
  } else {
    tx_ = Tx{};
    tx_.start = map_start_.value_or(BinlogPosition{ev.file, ev.position});
    tx_.gtid_before = gtid_state();
    tx_.prepared_before = prepared_;
    tx_.commit_ts_us = int64_t{ev.header.timestamp} * 1000000;
  }
  in_tx_ = true;
  implicit_ = false;
  map_start_.reset();
  if (skip_next_) {
    tx_.skip = *skip_next_;
    skip_next_.reset();
  }
}

void EventAssembler::end_tx(const DecodedEvent& ev, uint64_t end, std::vector<ChangeEvent>& out) {
  record_gtid();
  position_ = {ev.file, end};
  flush_pending(offset_after(), out);
  in_tx_ = false;
  standalone_ = false;
  implicit_ = false;
  map_start_.reset();
}

void EventAssembler::on_query(const DecodedEvent& ev, const QueryEvent& q, uint64_t end,
                              std::vector<ChangeEvent>& out) {
  switch (ClassifyQuery(q.query)) {
    case QueryKind::kBegin:
      if (in_tx_) {
        throw Error(ev.file + ":" + std::to_string(ev.position) +
                    ": BEGIN inside the transaction that began at " + tx_.start.to_string());
      }
      begin_tx(ev);
      tx_.thread_id = q.thread_id;
      return;
    case QueryKind::kCommit:
    case QueryKind::kRollback:
      if (in_tx_) end_tx(ev, end, out);
      return;
    case QueryKind::kDdl: {
      const bool own_tx = !in_tx_;
      // No thread id here: Debezium takes it only from a transaction's
      // BEGIN, so a DDL or TRUNCATE (logged without one) has none.
      if (own_tx) begin_tx(ev);
      on_ddl(ev, q, out);
      if (own_tx || standalone_) end_tx(ev, end, out);
      return;
    }
    case QueryKind::kXa:
      on_xa(ev, q, end, out);
      return;
    case QueryKind::kSavepoint:
    case QueryKind::kOther:
      // Outside a transaction (a statement logged on its own after a GTID
      // event, e.g. FLUSH or statement-format DML): a transaction of its
      // own with nothing cdcd captures, so the position moves past it.
      if (!in_tx_ && (pending_gtid_ || standalone_)) {
        begin_tx(ev);
        end_tx(ev, end, out);
      } else if (in_tx_ && standalone_) {
        end_tx(ev, end, out);
      }
      return;
  }
}

void EventAssembler::refuse_named_table_removal(const DecodedEvent& ev, const QueryEvent& q,
                                                const DdlStatement& ddl) const {
  using Kind = DdlStatement::Kind;
  if (!options_.named) return;
  // (old, new) pairs; a DROP has no new name.
  std::vector<std::pair<size_t, std::optional<size_t>>> moves;
  if (ddl.kind == Kind::kDropTable) {
    // A temporary table may share a captured table's name; it is no capture.
    if (ddl.temporary) return;
    for (size_t i = 0; i < ddl.tables.size(); ++i) moves.emplace_back(i, std::nullopt);
  } else if (ddl.kind == Kind::kRenameTable ||
             (ddl.kind == Kind::kAlterTable && ddl.tables.size() == 2)) {
    for (size_t i = 0; i + 1 < ddl.tables.size(); i += 2) moves.emplace_back(i, i + 1);
  }
  for (const auto& move : moves) {
    const auto& [db, table] = ddl.tables[move.first];
    const std::optional<size_t> to = move.second;
    if (db.empty() || !options_.named(db, table)) continue;
    // Renamed away and another renamed into its place (gh-ost's and
    // pt-online-schema-change's swap): the name stays captured.
    const bool replaced = std::any_of(moves.begin(), moves.end(), [&](const auto& m) {
      return m.second && ddl.tables[*m.second] == ddl.tables[move.first];
    });
    if (replaced) continue;
    const std::string what =
        to ? "renamed to " + ddl.tables[*to].first + "." + ddl.tables[*to].second : "dropped";
    throw Error(ev.file + ":" + std::to_string(ev.position) + ": table " + db + "." + table +
                " (named in `tables`) is " + what + " here (" + q.query.substr(0, 200) +
                "). Its capture would end here, and its rows are not deleted in the stream. To "
                "go on with the other tables, remove it from `tables` and reload (SIGHUP); to "
                "capture a table of that name again, add it back afterwards and snapshot it "
                "(POST /pipelines/" +
                options_.server_name + "/snapshots)");
  }
}

void EventAssembler::on_ddl(const DecodedEvent& ev, const QueryEvent& q,
                            std::vector<ChangeEvent>& out) {
  DdlStatement ddl = ParseDdl(q.query, q.database);
  refuse_named_table_removal(ev, q, ddl);
  for (const auto& [db, table] : ddl.tables) {
    if (db.empty() || !options_.captured(db, table)) continue;
    const TableId id{db, "", table};
    TableSchemaPtr schema = schemas_.current(db, table);
    if (ddl.kind == DdlStatement::Kind::kTruncate) {
      if (!schema && options_.lookup) schema = options_.lookup(db, table);
      if (!schema) {
        spdlog::warn(
            "{}: TRUNCATE of {}.{} before any row of it was seen, and its schema is "
            "unknown now: no truncate event",
            ev.file + ":" + std::to_string(ev.position), db, table);
        continue;
      }
      ChangeEvent e = base_event(Op::kTruncate, ev, id);
      e.schema = schema;
      push_data(std::move(e), id.qualified(), out);
      continue;
    }
    schemas_.invalidate(db, table);
    ChangeEvent e = base_event(Op::kSchemaChange, ev, id);
    e.schema = schema;
    e.control = {{"ddl", q.query},
                 {"kind", DdlKindName(ddl.kind)},
                 {"database", q.database},
                 {"table", id.qualified()}};
    push_data(std::move(e), id.qualified(), out);
  }
}

void EventAssembler::on_rows(const DecodedEvent& ev, RowsEvent& rows, uint64_t end,
                             std::vector<ChangeEvent>& out) {
  if (!in_tx_) {
    begin_tx(ev);
    implicit_ = true;
  }
  const bool statement_end = implicit_ && (rows.flags & 1) != 0;  // STMT_END_F
  const TableMapEvent& t = *rows.table;
  // A prepared XA part: its rows come when it commits (replaying_).
  if (tx_.xa && !replaying_) return;
  if (!options_.captured(t.database, t.table)) {
    if (statement_end) end_tx(ev, end, out);
    return;
  }
  TableSchemaPtr schema = schema_for(t, ev, out);
  const std::string qualified = schema->id().qualified();
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    Row& r = rows.rows[i];
    ChangeEvent e = base_event(OpOf(rows.kind), ev, schema->id(), static_cast<int32_t>(i));
    e.schema = schema;
    if (r.before) e.before = ToRow(*r.before);
    if (r.after) e.after = ToRow(*r.after);
    push_data(std::move(e), qualified, out);
  }
  if (statement_end) end_tx(ev, end, out);
}

TableSchemaPtr EventAssembler::schema_for(const TableMapEvent& t, const DecodedEvent& ev,
                                          std::vector<ChangeEvent>& out) {
  TableSchemaPtr old = schemas_.current(t.database, t.table);
  TableSchemaPtr fresh = schemas_.update(t);
  if (!old || old == fresh) return fresh;
  // The held-back event used the old schema; a data event follows this one.
  const uint64_t resume_index = std::max(tx_.index, tx_.skip);
  Offset at = offset_in_tx(resume_index);
  flush_pending(at, out);
  ChangeEvent e = base_event(Op::kSchemaChange, ev, fresh->id());
  e.id = tx_text() + ":" + std::to_string(resume_index) + ":schema:" + fresh->id().qualified() +
         ":v" + std::to_string(fresh->version());
  e.schema = fresh;
  e.control = SchemaChangeDetails(*fresh);
  e.control["previous_version"] = old->version();
  e.next = std::move(at);
  out.push_back(std::move(e));
  return fresh;
}

ChangeEvent EventAssembler::base_event(Op op, const DecodedEvent& ev, const TableId& table,
                                       int32_t row) {
  ChangeEvent e;
  e.op = op;
  e.source.connector = ConnectorName(mariadb_);
  e.source.server_name = options_.server_name;
  e.source.table = table;
  e.source.commit_ts_us = tx_.commit_ts_us;
  e.source.tx_id = tx_.gtid.empty() ? tx_text() : tx_.gtid;
  e.source.fields =
      MySqlSourceFields({ev.header.server_id, tx_.gtid, ev.file, ev.position, row, tx_.thread_id});
  e.capture_ts_us = NowMicros();
  return e;
}

void EventAssembler::push_data(ChangeEvent e, const std::string& table,
                               std::vector<ChangeEvent>& out) {
  const uint64_t index = tx_.index++;
  const uint64_t per_table = ++tx_.per_table[table];
  if (index < tx_.skip) return;  // delivered before the restart
  if (e.id.empty()) {
    const std::string& tx = tx_text();
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), index);
    e.id.reserve(tx.size() + 1 + (end - digits));
    e.id.append(tx).append(1, ':').append(digits, end);
  }
  e.tx = TxInfo{e.source.tx_id, index + 1, per_table};
  // The held-back event is not the last: this one follows it.
  flush_pending(offset_in_tx(index), out);
  pending_ = std::move(e);
}

void EventAssembler::flush_pending(Offset next, std::vector<ChangeEvent>& out) {
  if (!pending_) return;
  pending_->next = std::move(next);
  out.push_back(std::move(*pending_));
  pending_.reset();
}

std::optional<ChangeEvent> EventAssembler::heartbeat() {
  if (in_tx_ || position_.file.empty()) return std::nullopt;
  ChangeEvent e;
  e.op = Op::kHeartbeat;
  e.id = position_.to_string() + ":heartbeat";
  e.source.connector = ConnectorName(mariadb_);
  e.source.server_name = options_.server_name;
  // The server had nothing more to send: every change committed before now
  // has been read.
  e.source.commit_ts_us = NowMicros();
  e.source.fields = {{"file", ColumnType::kString, Value(position_.file)},
                     {"pos", ColumnType::kInt64, Value(static_cast<int64_t>(position_.pos))}};
  e.control = {{"position", position_.to_string()}, {"gtid", gtid_state()}};
  e.capture_ts_us = e.source.commit_ts_us;
  e.next = offset_after();
  return e;
}

const std::string& EventAssembler::tx_text() {
  if (tx_.start_text.empty()) {
    Offset o = StreamOffset(tx_.start, 0, tx_.gtid_before, tx_.prepared_before);
    tx_.start_text = std::move(o.tx);
    if (!o.state.is_null()) {
      tx_.state_before = std::make_shared<const SharedOffsetState>(std::move(o.state));
    }
  }
  return tx_.start_text;
}

Offset EventAssembler::offset_in_tx(uint64_t index) {
  Offset o(tx_text(), index);
  o.deferred = tx_.state_before;
  return o;
}

Offset EventAssembler::offset_after() const {
  return StreamOffset(position_, 0, gtid_state(), prepared_);
}

void EventAssembler::on_xa(const DecodedEvent& ev, const QueryEvent& q, uint64_t end,
                           std::vector<ChangeEvent>& out) {
  const XaStatement xa = ParseXaStatement(q.query);
  using Kind = XaStatement::Kind;
  switch (xa.kind) {
    case Kind::kStart:  // MySQL: the prepared part (or a one-phase commit) begins
      if (!in_tx_) begin_tx(ev);
      tx_.xa = true;
      return;
    case Kind::kCommit:
    case Kind::kRollback: {
      if (!in_tx_) begin_tx(ev);
      auto it = prepared_.find(xa.xid);
      if (xa.kind == Kind::kCommit && it != prepared_.end()) {
        replay_ = Replay{it->second, xa.xid, ev, end};
        return;  // the caller reads the prepared part again, then end_replay()
      }
      if (xa.kind == Kind::kCommit) {
        // Prepared before this stream's start point: the caller looks for
        // the part in the binlog (prepare_to_find()).
        replay_ = Replay{BinlogPosition{}, xa.xid, ev, end};
        return;
      }
      if (it != prepared_.end()) prepared_.erase(it);
      end_tx(ev, end, out);
      return;
    }
    case Kind::kEnd:
    case Kind::kPrepare:
    case Kind::kRecover:
    case Kind::kOther:
      if (!in_tx_ && (pending_gtid_ || standalone_)) {
        begin_tx(ev);
        end_tx(ev, end, out);
      }
      return;
  }
}

void EventAssembler::on_xa_prepare(const DecodedEvent& ev, const XaPrepareEvent& p, uint64_t end,
                                   std::vector<ChangeEvent>& out) {
  if (!in_tx_ || !tx_.xa) return;
  if (p.one_phase) {  // MySQL's XA COMMIT ... ONE PHASE: committed here
    replay_ = Replay{tx_.start, "", ev, end};
    return;
  }
  const BinlogPosition start = tx_.start;
  end_tx(ev, end, out);  // nothing emitted: only the position moves on
  prepared_[p.xid] = start;
}

std::optional<BinlogPosition> EventAssembler::replay_from() const {
  if (!replay_ || replaying_ || replay_->from.file.empty()) return std::nullopt;
  return replay_->from;
}

std::optional<EventAssembler::PrepareToFind> EventAssembler::prepare_to_find() const {
  if (!replay_ || !replay_->from.file.empty()) return std::nullopt;
  return PrepareToFind{replay_->xid, {replay_->commit.file, replay_->commit.position}};
}

void EventAssembler::prepare_found(const BinlogPosition& from) {
  if (!prepare_to_find()) throw Error("prepare_found() without an XA commit to look for");
  replay_->from = from;
}

void EventAssembler::prepare_not_found(std::vector<ChangeEvent>& out) {
  if (!prepare_to_find()) throw Error("prepare_not_found() without an XA commit to look for");
  Replay r = std::move(*replay_);
  replay_.reset();
  spdlog::error(
      "{}: XA COMMIT {} at {}:{} of a transaction prepared before this stream's start position: "
      "its changes are not captured, because no binlog file the server still has holds its XA "
      "PREPARE",
      options_.server_name, r.xid, r.commit.file, r.commit.position);
  end_tx(r.commit, r.end, out);
}

bool EventAssembler::feed_replayed(DecodedEvent& ev, std::vector<ChangeEvent>& out) {
  if (!replay_) throw Error("feed_replayed() without an XA commit to replay");
  replaying_ = true;
  if (std::holds_alternative<XaPrepareEvent>(ev.body)) return true;
  if (auto* rows = std::get_if<RowsEvent>(&ev.body)) {
    const bool implicit = implicit_;
    implicit_ = false;  // the rows' statement end does not end the commit
    on_rows(ev, *rows, 0, out);
    implicit_ = implicit;
  }
  return false;
}

void EventAssembler::end_replay(std::vector<ChangeEvent>& out) {
  if (!replay_) throw Error("end_replay() without an XA commit to replay");
  Replay r = std::move(*replay_);
  replay_.reset();
  replaying_ = false;
  if (!r.xid.empty()) prepared_.erase(r.xid);
  end_tx(r.commit, r.end, out);
}

}  // namespace cdc::mysql
