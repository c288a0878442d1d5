#include "cdc/incremental_snapshot.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "cdc/error.h"
#include "cdc/logging.h"
#include "cdc/stream_state.h"
#include "cdc/table_pattern.h"

namespace cdc {
namespace {

constexpr std::chrono::milliseconds kEmitWait{200};
constexpr std::chrono::seconds kLogEvery{5};

// "schema.table", or "database.table" where there is no schema level.
std::string ShortName(const TableId& t) {
  return (t.schema.empty() ? t.database : t.schema) + "." + t.table;
}

const TableId& TableOf(const ChangeEvent& ev) {
  return ev.schema ? ev.schema->id() : ev.source.table;
}

// A key's identity: each value's type and text, unambiguously joined.
std::string KeyString(const Row& row, const std::vector<size_t>& columns) {
  std::string out;
  for (size_t c : columns) {
    const Value& v = c < row.values.size() ? row.values[c] : Value();
    const std::string text = v.debug_string();
    out += std::to_string(v.variant().index()) + ":" + std::to_string(text.size()) + ":" + text;
  }
  return out;
}

bool SameColumns(const TableSchema& a, const TableSchema& b) {
  if (a.columns().size() != b.columns().size()) return false;
  for (size_t i = 0; i < a.columns().size(); ++i) {
    if (a.columns()[i].name != b.columns()[i].name || a.columns()[i].type != b.columns()[i].type) {
      return false;
    }
  }
  return true;
}

std::string RandomHex() {
  return NewSignalId("c").substr(2);
}

// The tables of `p` from the `first`-th on as JSON, the first of them at
// `at` when given; defaults are left out, so a queued table is its name.
nlohmann::json TablesJson(const IncrementalProgress& p, size_t first,
                          const IncrementalProgress::Table* at) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = first; i < p.tables.size(); ++i) {
    const IncrementalProgress::Table& t = i == first && at ? *at : p.tables[i];
    nlohmann::json j = {{"table", t.name}};
    if (!t.filter.empty()) j["filter"] = t.filter;
    if (t.last_key) j["last_key"] = *t.last_key;
    if (t.rows) j["rows"] = t.rows;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

// The "incremental" part of an offset's state, built only if the offset is
// committed: the progress as it stood, shared by the events until it
// changes (O(1) per event however many tables are queued); a chunk row adds
// where it stands in the current table, or the table's end for its last row.
class IncrementalState : public DeferredOffsetState {
 public:
  // A chunk row's position in the current (front) table.
  struct At {
    std::vector<std::string> key;
    uint64_t rows = 0;
  };
  explicit IncrementalState(std::shared_ptr<const IncrementalProgress> progress)
      : progress_(std::move(progress)) {}
  // A chunk row's: the current table at `at`, or past it when `table_done`.
  IncrementalState(std::shared_ptr<const IncrementalProgress> progress, At at, bool table_done)
      : progress_(std::move(progress)), skip_front_(table_done) {
    if (!table_done) at_ = std::move(at);
  }

  nlohmann::json build(const nlohmann::json& beside) const override {
    const size_t first = skip_front_ ? 1 : 0;
    Offset o("", 0, beside);
    if (first < progress_->tables.size()) {
      IncrementalProgress::Table front;
      if (at_) {
        front = progress_->tables.front();
        front.last_key = at_->key;
        front.rows = at_->rows;
      }
      AddCoordinatorState(o, nullptr,
                          {{"id", progress_->id},
                           {"tables", TablesJson(*progress_, first, at_ ? &front : nullptr)}});
    }
    return std::move(o.state);
  }
  // Its own block and the row's key; the progress is shared.
  size_t approx_bytes() const override {
    size_t n = MallocBytes(16 + sizeof(IncrementalState));
    if (!at_) return n;
    n += MallocBytes(at_->key.capacity() * sizeof(std::string));
    for (const std::string& k : at_->key) n += HeapBytes(k);
    return n;
  }
  const std::shared_ptr<const IncrementalProgress>& progress() const { return progress_; }

 private:
  std::shared_ptr<const IncrementalProgress> progress_;
  std::optional<At> at_;     // overrides the front table's position
  bool skip_front_ = false;  // the front table is done
};

bool IsSignalEvent(const ChangeEvent& ev, const std::string& signal_table) {
  return !signal_table.empty() && !TableOf(ev).table.empty() &&
         ShortName(TableOf(ev)) == signal_table;
}

struct IncrementalSnapshot::Chunk {
  std::string id;
  std::string table;
  bool open = false;     // its low watermark was seen
  bool spoiled = false;  // truncated or altered inside the window: read again
  std::vector<std::string> key_names;
  std::unordered_map<const TableSchema*, std::vector<size_t>> key_index;
  std::unordered_set<std::string> touched;
  TableSchemaPtr stream_schema;  // the table's latest schema in the stream
};

nlohmann::json IncrementalProgress::to_json() const {
  return {{"id", id}, {"tables", TablesJson(*this, 0, nullptr)}};
}

IncrementalProgress IncrementalProgress::FromJson(const nlohmann::json& j) {
  try {
    IncrementalProgress p;
    p.id = j.at("id").get<std::string>();
    for (const auto& t : j.at("tables")) {
      Table table;
      table.name = t.at("table").get<std::string>();
      table.filter = t.value("filter", "");
      if (t.contains("last_key") && !t.at("last_key").is_null()) {
        table.last_key = t.at("last_key").get<std::vector<std::string>>();
      }
      table.rows = t.value("rows", uint64_t{0});
      p.tables.push_back(std::move(table));
    }
    return p;
  } catch (const std::exception& e) {
    throw Error("offset state " + j.dump() +
                " is not an incremental snapshot's progress: " + e.what());
  }
}

IncrementalSnapshot::IncrementalSnapshot(IncrementalOptions options, SourceConnector& connector,
                                         SnapshotTracker& tracker, Emitter& out,
                                         std::optional<Offset> start,
                                         std::optional<IncrementalProgress> resumed)
    : options_(std::move(options)),
      connector_(connector),
      tracker_(tracker),
      out_(out),
      signal_table_(connector.signals_available() ? connector.signal_table() : ""),
      captured_(connector.captured_tables()),
      before_(std::move(start)),
      nonce_(RandomHex()) {
  if (resumed && !resumed->tables.empty()) {
    progress_ = std::move(*resumed);
    std::vector<SnapshotTracker::Table> tables;
    for (const auto& t : progress_.tables) tables.push_back({t.name, -1});
    tracker_.begin("incremental", progress_.id, tables);
    spdlog::info("{}: resuming incremental snapshot {} at {}{}", options_.context, progress_.id,
                 progress_.tables.front().name,
                 progress_.tables.front().last_key ? " after the last row delivered" : "");
    request_chunk();
  }
  set_progress();
}

IncrementalSnapshot::~IncrementalSnapshot() = default;

bool IncrementalSnapshot::emit(ChangeEvent&& ev) {
  while (true) {
    Result r = try_emit_for(ev, kEmitWait);
    if (r == Result::kEmitted) return true;
    if (r == Result::kStopping) return false;
  }
}

Emitter::Result IncrementalSnapshot::try_emit_for(ChangeEvent& ev,
                                                  std::chrono::milliseconds timeout) {
  if (worker_) worker_->rethrow();
  if (pending_next_ < pending_.size() || is_signal(ev)) {
    // A signal: acted on (once: a retry finds its chunk rows being drained).
    if (pending_.empty()) on_signal(ev);
    Result r = Result::kEmitted;
    if (!drain(timeout, r)) return r;
    pending_.clear();
    pending_next_ = 0;
    before_ = ev.next;
    return Result::kEmitted;
  }
  if (!stream_state_) {
    // No snapshot running: events pass as they are. (A snapshot starts with
    // a signal, whose position becomes before_.)
    return out_.try_emit_for(ev, timeout);
  }
  observe(ev);
  ev.next.resolve();
  if (ev.next.state.is_object()) ev.next.state.erase("incremental");
  Offset plain = ev.next;
  ev.next.deferred = stream_state_;
  const Result r = out_.try_emit_for(ev, timeout);
  if (r == Result::kEmitted) before_ = std::move(plain);
  return r;
}

bool IncrementalSnapshot::is_signal(const ChangeEvent& ev) const {
  return IsSignalEvent(ev, signal_table_);
}

void IncrementalSnapshot::on_signal(const ChangeEvent& ev) {
  std::optional<SnapshotSignal> s = ReadSignal(ev);
  if (!s) return;
  switch (s->kind) {
    case SnapshotSignal::Kind::kExecute:
      on_execute(*s);
      break;
    case SnapshotSignal::Kind::kStop:
      on_stop(*s);
      break;
    case SnapshotSignal::Kind::kWindowOpen:
      if (chunk_ && s->chunk == chunk_->id) {
        chunk_->open = true;
        chunk_->key_names = worker_->key_names(chunk_->id).value_or(std::vector<std::string>{});
      }
      break;
    case SnapshotSignal::Kind::kWindowClose:
      if (chunk_ && s->chunk == chunk_->id && chunk_->open) on_window_close(ev);
      break;
    case SnapshotSignal::Kind::kOther:
      break;
  }
}

void IncrementalSnapshot::on_execute(const SnapshotSignal& s) {
  if (!s.pipeline.empty() && s.pipeline != options_.pipeline) return;
  if (!s.error.empty()) {
    spdlog::warn("{}: signal {} ignored: {}", options_.context, s.id, s.error);
    return;
  }
  if (s.snapshot_type != "incremental") {
    spdlog::warn("{}: signal {} asks for a '{}' snapshot: cdcd runs incremental ones",
                 options_.context, s.id, s.snapshot_type);
  }
  std::vector<SnapshotTracker::Table> added;
  for (const std::string& name : s.tables) {
    std::vector<std::string> matches;
    for (const std::string& c : captured_) {
      if (TableNameMatches(c, name)) matches.push_back(c);
    }
    if (matches.size() != 1) {
      auto log = s.pipeline.empty() ? spdlog::level::debug : spdlog::level::warn;
      spdlog::log(log, "{}: signal {}: table {} is {} by this pipeline: not snapshotted",
                  options_.context, s.id, name, matches.empty() ? "not captured" : "ambiguous");
      continue;
    }
    const std::string& table = matches[0];
    auto queued = std::find_if(progress_.tables.begin(), progress_.tables.end(),
                               [&](const auto& t) { return t.name == table; });
    if (queued != progress_.tables.end()) continue;
    auto filter = s.filters.find(name);
    if (filter == s.filters.end()) filter = s.filters.find(table);
    progress_.tables.push_back(
        {table, filter == s.filters.end() ? "" : filter->second, std::nullopt, 0});
    added.push_back({table, -1});
  }
  if (added.empty()) return;
  std::string names;
  // The log names ten tables at most: a request may hold thousands.
  constexpr size_t kNamed = 10;
  for (size_t i = 0; i < added.size() && i < kNamed; ++i) {
    names += (i ? ", " : "") + added[i].name;
  }
  if (added.size() > kNamed) names += fmt::format(" and {} more", added.size() - kNamed);
  if (!chunk_) {
    progress_.id = s.id;
    tracker_.begin("incremental", s.id, added);
    spdlog::info("{}: incremental snapshot {} of {}", options_.context, s.id, names);
    request_chunk();
  } else {
    tracker_.add_tables(added);
    spdlog::info("{}: incremental snapshot {}: {} queued", options_.context, progress_.id, names);
  }
  set_progress();
}

void IncrementalSnapshot::on_stop(const SnapshotSignal& s) {
  if ((!s.pipeline.empty() && s.pipeline != options_.pipeline) || progress_.tables.empty()) return;
  const std::string current = progress_.tables.front().name;
  std::erase_if(progress_.tables, [&](const IncrementalProgress::Table& t) {
    return s.tables.empty() || std::any_of(s.tables.begin(), s.tables.end(), [&](const auto& n) {
             return TableNameMatches(t.name, n);
           });
  });
  spdlog::info("{}: signal {}: incremental snapshot {} stopped for {}", options_.context, s.id,
               progress_.id, s.tables.empty() ? "every table" : "the tables named");
  if (progress_.tables.empty() || progress_.tables.front().name != current) {
    chunk_.reset();  // its rows, if they come, are no longer wanted
    if (progress_.tables.empty()) {
      tracker_.end(false);
      progress_ = {};
    } else {
      request_chunk();
    }
  }
  set_progress();
}

void IncrementalSnapshot::observe(const ChangeEvent& ev) {
  if (!chunk_ || !chunk_->open || TableOf(ev).table.empty() ||
      ShortName(TableOf(ev)) != chunk_->table) {
    return;
  }
  if (ev.op == Op::kTruncate || ev.op == Op::kSchemaChange) {
    chunk_->spoiled = true;
    return;
  }
  if (!IsDataOp(ev.op) || !ev.schema) return;
  chunk_->stream_schema = ev.schema;
  auto [it, added] = chunk_->key_index.try_emplace(ev.schema.get());
  if (added) {
    for (const std::string& name : chunk_->key_names) {
      std::optional<size_t> i = ev.schema->find(name);
      if (!i) {
        chunk_->spoiled = true;  // a key column is gone: read again
        return;
      }
      it->second.push_back(*i);
    }
  }
  if (ev.before) chunk_->touched.insert(KeyString(*ev.before, it->second));
  if (ev.after) chunk_->touched.insert(KeyString(*ev.after, it->second));
}

void IncrementalSnapshot::on_window_close(const ChangeEvent& hw) {
  std::optional<ChunkWorker::Result> res = worker_->take(chunk_->id);
  if (!res) throw Error(options_.context + ": the rows of chunk " + chunk_->id + " are missing");
  std::unique_ptr<Chunk> chunk = std::move(chunk_);
  IncrementalProgress::Table& t = progress_.tables.front();
  if (!res->error.empty() || !res->table || res->table->order_key.empty()) {
    spdlog::warn("{}: incremental snapshot {}: table {} {}: skipped", options_.context,
                 progress_.id, t.name,
                 !res->error.empty() ? "cannot be read (" + res->error + ")"
                 : !res->table       ? std::string("is no longer captured")
                                     : std::string("has no primary key, so its rows cannot be told "
                                                         "apart; name unique columns for it in the source's "
                                                         "snapshot key_columns to snapshot it"));
    tracker_.table_done(t.name);
    progress_.tables.erase(progress_.tables.begin());
    next_table_or_finish();
    return;
  }
  if (chunk->spoiled) {
    spdlog::info(
        "{}: incremental snapshot {}: {} was truncated or altered while a chunk was read; "
        "reading it again",
        options_.context, progress_.id, t.name);
    request_chunk();
    return;
  }
  const SnapshotTable& table = *res->table;
  TableSchemaPtr schema = chunk->stream_schema && SameColumns(*chunk->stream_schema, *table.schema)
                              ? chunk->stream_schema
                              : table.schema;
  tracker_.set_estimate(t.name, table.estimate);
  std::vector<SnapshotRow>& rows = res->chunk.rows;
  // The last row that goes out takes the table's completion with it.
  size_t last_out = rows.size();
  for (size_t i = rows.size(); i-- > 0;) {
    if (!chunk->touched.count(KeyString(rows[i].after, table.order_key))) {
      last_out = i;
      break;
    }
  }
  const std::string table_name = t.name;
  // The queue as the chunk found it, already shared by the streamed events'
  // state: each row's state adds its own position in the front table.
  const std::shared_ptr<const IncrementalProgress> shared_progress = stream_state_->progress();
  uint64_t emitted = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    SnapshotRow& row = rows[i];
    const bool out = !chunk->touched.count(KeyString(row.after, table.order_key));
    progress_.tables.front().last_key = row.key;
    if (!out) continue;
    ++progress_.tables.front().rows;
    ChangeEvent ev;
    ev.op = Op::kRead;
    ev.id = hw.id + ":snapshot:" + std::to_string(emitted++);
    ev.source = hw.source;
    ev.source.table = schema->id();
    ev.source.snapshot = SnapshotMark::kIncremental;
    ev.schema = schema;
    ev.after = std::move(row.after);
    ev.capture_ts_us = NowMicros();
    ev.next = *before_;
    ev.next.deferred = std::make_shared<IncrementalState>(
        shared_progress, IncrementalState::At{row.key, progress_.tables.front().rows},
        i == last_out && res->chunk.last);
    pending_.push_back(std::move(ev));
  }
  tracker_.rows(table_name, emitted);
  log_progress(table_name, res->chunk.last);
  table_chunks_ = res->chunk.last ? 0 : table_chunks_ + 1;
  if (res->chunk.last) {
    tracker_.table_done(table_name);
    progress_.tables.erase(progress_.tables.begin());
    next_table_or_finish();
  } else {
    request_chunk();
    set_progress();
  }
}

bool IncrementalSnapshot::drain(std::chrono::milliseconds timeout, Result& result) {
  if (!before_ && !pending_.empty()) {
    throw Error(options_.context + ": incremental snapshot rows before any stream position");
  }
  while (pending_next_ < pending_.size()) {
    result = out_.try_emit_for(pending_[pending_next_], timeout);
    if (result != Result::kEmitted) return false;
    ++pending_next_;
  }
  result = Result::kEmitted;
  return true;
}

void IncrementalSnapshot::log_progress(const std::string& table, bool table_done) {
  const auto now = std::chrono::steady_clock::now();
  // On a terminal the daemon's status line shows the progress live.
  if (!table_done && (now - last_log_ < kLogEvery || StatusLineShown())) return;
  const bool one_chunk = table_done && table_chunks_ == 0;
  const SnapshotStatus s = tracker_.status();
  if (table_done) {
    // A table read in one chunk says so at debug level: 5,000 small tables
    // give a count every kLogEvery, not 5,000 lines.
    spdlog::log(one_chunk ? spdlog::level::debug : spdlog::level::info,
                "{}: incremental snapshot {}: {} done: {} rows, {:.0f} rows/s", options_.context,
                progress_.id, table, s.rows, s.rows_per_second);
    if (!one_chunk || now - last_log_ < kLogEvery || StatusLineShown()) return;
    last_log_ = now;
    spdlog::info("{}: incremental snapshot {}: {} of {} tables done, {} rows", options_.context,
                 progress_.id, s.tables_done, s.tables_total, s.rows);
    return;
  }
  last_log_ = now;
  // The estimate is the database's statistics: unknown for some tables, and
  // for a snapshot with a condition an upper bound.
  std::string of, eta;
  if (s.rows_estimated > 0) {
    of = fmt::format(" of ~{} ({}%)", static_cast<uint64_t>(s.rows_estimated),
                     static_cast<int>(std::min(100.0, 100.0 * s.rows / s.rows_estimated)));
  }
  if (s.eta_seconds >= 0) eta = fmt::format(", ETA {}s", static_cast<int64_t>(s.eta_seconds));
  spdlog::info("{}: incremental snapshot {}: {}: {} rows{}, {:.0f} rows/s{}", options_.context,
               progress_.id, table, s.rows, of, s.rows_per_second, eta);
}

void IncrementalSnapshot::request_chunk() {
  const IncrementalProgress::Table& t = progress_.tables.front();
  chunk_ = std::make_unique<Chunk>();
  chunk_->id = nonce_ + "-" + std::to_string(++seq_);
  chunk_->table = t.name;
  if (!worker_) {
    worker_ = std::make_unique<ChunkWorker>(connector_, options_.pipeline + "-watermark",
                                            options_.chunk_size, options_.context);
  }
  worker_->request({chunk_->id, t.name, t.filter, t.last_key});
}

void IncrementalSnapshot::next_table_or_finish() {
  if (progress_.tables.empty()) {
    const SnapshotStatus s = tracker_.status();
    spdlog::info("{}: incremental snapshot {} complete: {} rows", options_.context, progress_.id,
                 s.rows);
    tracker_.end(true);
    progress_ = {};
  } else {
    request_chunk();
  }
  set_progress();
}

void IncrementalSnapshot::set_progress() {
  stream_state_.reset();
  if (!progress_.tables.empty()) {
    stream_state_ =
        std::make_shared<IncrementalState>(std::make_shared<const IncrementalProgress>(progress_));
  }
}

}  // namespace cdc
