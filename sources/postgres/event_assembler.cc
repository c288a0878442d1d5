#include "sources/postgres/event_assembler.h"

#include <nlohmann/json.hpp>

#include "cdc/error.h"
#include "sources/postgres/source_fields.h"

namespace cdc::pg {
namespace {

Offset At(Lsn lsn, uint64_t index) {
  Offset o;
  o.tx = FormatLsn(lsn);
  o.index = index;
  return o;
}

Offset At(const std::string& lsn_text, uint64_t index) {
  Offset o;
  o.tx = lsn_text;
  o.index = index;
  return o;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

StreamPosition ParseStreamPosition(const Offset& offset) {
  auto lsn = ParseLsn(offset.tx);
  if (!lsn) {
    throw Error("postgres source: offset " + offset.debug_string() +
                " was not made by a postgres source (tx is not an LSN like 16/B374D848)");
  }
  return StreamPosition{*lsn, offset.index};
}

EventAssembler::EventAssembler(Options options, RelationBuilder build)
    : options_(std::move(options)), build_(std::move(build)) {}

void EventAssembler::reset(const std::optional<StreamPosition>& from) {
  from_ = from;
  in_tx_ = false;
  tx_ = Tx{};
  pending_.reset();
  last_commit_end_.reset();
}

RelationPtr EventAssembler::relation(uint32_t oid) const {
  auto it = relations_.find(oid);
  return it == relations_.end() ? nullptr : it->second;
}

const Relation& EventAssembler::known(uint32_t relid, const char* what) const {
  auto it = relations_.find(relid);
  if (it == relations_.end()) {
    throw Error("pgoutput: " + std::string(what) + " for relation OID " + std::to_string(relid) +
                " without a preceding Relation message (transaction " +
                FormatLsn(tx_.begin.final_lsn) + ")");
  }
  return *it->second;
}

SourceInfo EventAssembler::source_for(const Relation* rel, int64_t commit_ts) const {
  SourceInfo s;
  s.connector = "postgresql";
  s.server_name = options_.server_name;
  s.table = rel ? rel->schema->id() : TableId{options_.database, "", ""};
  s.commit_ts_us = commit_ts;
  return s;
}

void EventAssembler::flush_pending(Offset next, std::vector<ChangeEvent>& out) {
  if (!pending_) return;
  pending_->next = std::move(next);
  out.push_back(std::move(*pending_));
  pending_.reset();
}

void EventAssembler::feed(PgOutputMessage&& message, Lsn wal_start, std::vector<ChangeEvent>& out) {
  std::visit(
      [&](auto&& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, BeginMsg>) {
          if (in_tx_)
            throw Error("pgoutput: Begin " + FormatLsn(m.final_lsn) + " inside a transaction");
          in_tx_ = true;
          tx_ = Tx{};
          tx_.begin = m;
          tx_.lsn_text = FormatLsn(m.final_lsn);
          tx_.xid_text = std::to_string(m.xid);
          if (from_ && from_->lsn == m.final_lsn) tx_.skip = from_->skip;
          from_.reset();  // only the first transaction can be the resumed one
        } else if constexpr (std::is_same_v<T, CommitMsg>) {
          on_commit(m, out);
        } else if constexpr (std::is_same_v<T, RelationMsg>) {
          on_relation(std::move(m), out);
        } else if constexpr (std::is_same_v<T, InsertMsg>) {
          const Relation& r = known(m.relid, "Insert");
          std::vector<std::string> toast;
          Row after = r.DecodeNew(m.new_tuple, nullptr, toast);
          on_data(m.relid, Op::kCreate, std::nullopt, std::move(after), std::move(toast), wal_start,
                  out);
        } else if constexpr (std::is_same_v<T, UpdateMsg>) {
          const Relation& r = known(m.relid, "Update");
          std::vector<std::string> toast;
          std::optional<Row> before;
          if (m.old_kind) before = r.DecodeOld(m.old_tuple, m.old_kind);
          const Tuple* full = m.old_kind == 'O' ? &m.old_tuple : nullptr;
          Row after = r.DecodeNew(m.new_tuple, full, toast);
          on_data(m.relid, Op::kUpdate, std::move(before), std::move(after), std::move(toast),
                  wal_start, out);
        } else if constexpr (std::is_same_v<T, DeleteMsg>) {
          const Relation& r = known(m.relid, "Delete");
          Row before = r.DecodeOld(m.old_tuple, m.old_kind);
          on_data(m.relid, Op::kDelete, std::move(before), std::nullopt, {}, wal_start, out);
        } else if constexpr (std::is_same_v<T, TruncateMsg>) {
          for (uint32_t relid : m.relids) {
            known(relid, "Truncate");
            on_data(relid, Op::kTruncate, std::nullopt, std::nullopt, {}, wal_start, out);
          }
        } else if constexpr (std::is_same_v<T, LogicalMsg>) {
          on_message(m, out);
        }
        // Origin and Type messages need no action: replication origins do not
        // change what cdcd emits, and types are looked up in the catalog.
      },
      std::move(message));
}

void EventAssembler::on_relation(RelationMsg&& m, std::vector<ChangeEvent>& out) {
  RelationPtr old = relation(m.oid);
  RelationPtr fresh = build_(m, old ? old->schema->version() + 1 : 1);
  relations_[m.oid] = fresh;
  if (!old || SameShape(*old->schema, *fresh->schema)) {
    // Unchanged (pgoutput re-sends Relation after reconnects and cache
    // invalidations): keep the old version number, nothing to announce.
    if (old) {
      auto same = std::make_shared<Relation>(*fresh);
      same->schema = old->schema;
      relations_[m.oid] = same;
    }
    return;
  }
  if (!in_tx_) return;
  // The pending event belongs to the old schema and another data event
  // follows this Relation message, so its successor is at tx_.index.
  uint64_t resume_index = std::max(tx_.index, tx_.skip);
  flush_pending(At(tx_.lsn_text, resume_index), out);
  ChangeEvent ev;
  ev.op = Op::kSchemaChange;
  ev.id = tx_.lsn_text + ":" + std::to_string(resume_index) + ":relation:" + std::to_string(m.oid) +
          ":v" + std::to_string(fresh->schema->version());
  ev.source = source_for(fresh.get(), tx_.begin.commit_time_us);
  ev.schema = fresh->schema;
  ev.control = SchemaChangeDetails(*fresh->schema);
  ev.control["previous_version"] = old->schema->version();
  ev.capture_ts_us = NowMicros();
  ev.next = At(tx_.lsn_text, resume_index);
  out.push_back(std::move(ev));
}

void EventAssembler::on_data(uint32_t relid, Op op, std::optional<Row> before,
                             std::optional<Row> after, std::vector<std::string> unchanged_toast,
                             Lsn lsn, std::vector<ChangeEvent>& out) {
  if (!in_tx_)
    throw Error("pgoutput: change to relation OID " + std::to_string(relid) +
                " outside a transaction");
  const uint64_t index = tx_.index++;
  const uint64_t per_table = ++tx_.per_table[relid];
  if (index < tx_.skip) return;  // delivered before the restart
  const Relation& rel = known(relid, "change");
  ChangeEvent ev;
  ev.op = op;
  ev.id = tx_.lsn_text + ":" + std::to_string(index);
  ev.source = source_for(&rel, tx_.begin.commit_time_us);
  ev.source.tx_id = tx_.xid_text;
  ev.source.fields =
      PgSourceFields(Value(int64_t{tx_.begin.xid}), lsn,
                     unchanged_toast.empty() ? Value::Null() : Value(JoinNames(unchanged_toast)));
  ev.source.sequence = SourceSequence{last_commit_end_, lsn};

  ev.schema = rel.schema;
  ev.before = std::move(before);
  ev.after = std::move(after);
  ev.tx = TxInfo{ev.source.tx_id, index + 1, per_table};
  ev.capture_ts_us = NowMicros();
  // The held-back event is not the last: this one follows it.
  flush_pending(At(tx_.lsn_text, index), out);
  pending_ = std::move(ev);
}

void EventAssembler::on_commit(const CommitMsg& m, std::vector<ChangeEvent>& out) {
  if (!in_tx_) throw Error("pgoutput: Commit " + FormatLsn(m.commit_lsn) + " without Begin");
  if (m.commit_lsn != tx_.begin.final_lsn) {
    throw Error("pgoutput: Commit at " + FormatLsn(m.commit_lsn) +
                " closes the transaction begun with final LSN " + FormatLsn(tx_.begin.final_lsn));
  }
  flush_pending(At(m.end_lsn, 0), out);
  in_tx_ = false;
  last_commit_end_ = m.end_lsn;
}

void EventAssembler::on_message(const LogicalMsg& m, std::vector<ChangeEvent>& out) {
  if (m.transactional || m.prefix != kHeartbeatPrefix || in_tx_) return;
  nlohmann::json content = nlohmann::json::parse(m.content, nullptr, false);
  if (!content.is_object() || content.value("slot", "") != options_.slot) return;
  ChangeEvent ev;
  ev.op = Op::kHeartbeat;
  ev.id = FormatLsn(m.lsn) + ":heartbeat";
  ev.source = source_for(nullptr, content.value("ts_us", int64_t{0}));
  ev.source.fields = {{"lsn", ColumnType::kInt64, Value(static_cast<int64_t>(m.lsn))}};
  ev.control = {{"lsn", FormatLsn(m.lsn)}, {"slot", options_.slot}};
  ev.capture_ts_us = NowMicros();
  ev.next = At(m.lsn, 0);
  out.push_back(std::move(ev));
}

}  // namespace cdc::pg
