// IncrementalSnapshot against an in-memory connector: the test plays the
// database's log, feeding the emitter the changes and the watermarks the
// chunk thread wrote, in the order a log would carry them.
#include "cdc/incremental_snapshot.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>

#include "cdc/error.h"
#include "cdc/stream_state.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

Column Col(const std::string& name, ColumnType type) {
  Column c;
  c.name = name;
  c.type = type;
  return c;
}

TableSchemaPtr TSchema() {
  static const TableSchemaPtr t = std::make_shared<const TableSchema>(
      TableId{"db", "public", "t"}, 1,
      std::vector<Column>{Col("id", ColumnType::kInt64), Col("v", ColumnType::kString)},
      std::vector<size_t>{0});
  return t;
}

TableSchemaPtr SignalSchema() {
  return std::make_shared<const TableSchema>(
      TableId{"db", "public", "sig"}, 1,
      std::vector<Column>{Col("id", ColumnType::kString), Col("type", ColumnType::kString),
                          Col("data", ColumnType::kString)},
      std::vector<size_t>{0});
}

// The table (id -> v) and the signal rows the chunk thread writes.
struct FakeDb {
  std::mutex mu;
  std::condition_variable cv;
  std::map<int64_t, std::string> rows;
  std::deque<SignalRow> written;
  int reads = 0;

  SignalRow next_write() {
    std::unique_lock lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, 5s, [&] { return !written.empty(); })) << "nothing written";
    if (written.empty()) return {};
    SignalRow r = written.front();
    written.pop_front();
    return r;
  }
};

class FakeReader : public IncrementalReader {
 public:
  explicit FakeReader(FakeDb& db) : db_(db) {}
  std::optional<SnapshotTable> describe(const std::string& name) override {
    if (name.starts_with("public.e")) return SnapshotTable{name, TSchema(), true, 0, {0}};
    if (name != "public.t" && name != "t") return std::nullopt;
    return SnapshotTable{"public.t", TSchema(), true, 10, {0}};
  }
  SnapshotChunk read(const SnapshotTable& t, const std::optional<std::vector<std::string>>& after,
                     int64_t limit, const std::string& filter) override {
    if (filter == "bad sql") throw Error("syntax error at or near \"sql\"");
    std::lock_guard lock(db_.mu);
    ++db_.reads;
    if (t.name != "public.t") return SnapshotChunk{{}, true};  // the empty tables
    auto it = after ? db_.rows.upper_bound(std::stoll(after->at(0))) : db_.rows.begin();
    SnapshotChunk c;
    for (; it != db_.rows.end() && static_cast<int64_t>(c.rows.size()) < limit; ++it) {
      SnapshotRow r;
      r.after.values = {Value(it->first), Value(it->second)};
      r.key = {std::to_string(it->first)};
      c.rows.push_back(std::move(r));
    }
    c.last = it == db_.rows.end();
    return c;
  }
  void write_signals(const std::vector<SignalRow>& rows) override {
    std::lock_guard lock(db_.mu);
    for (const SignalRow& r : rows) db_.written.push_back(r);
    db_.cv.notify_all();
  }
  std::optional<std::string> read_signal(const std::string&) override { return std::nullopt; }

 private:
  FakeDb& db_;
};

class FakeConnector : public SourceConnector {
 public:
  explicit FakeConnector(FakeDb& db) : db_(db) {}
  std::string context() const override { return "fake source"; }
  void open(bool, bool) override {}
  void close() override {}
  std::unique_ptr<ConsistentPoint> open_point() override { return nullptr; }
  Offset point_offset(const nlohmann::json&) override { return {}; }
  bool stream(const StreamFrom&, const ConsistentPoint*, Emitter&, std::stop_token) override {
    return false;
  }
  void acknowledge(const Offset&) override {}
  std::string signal_table() const override { return "public.sig"; }
  bool signals_available() const override { return true; }
  std::vector<std::string> captured_tables() const override {
    std::vector<std::string> out = {"public.t"};
    for (int i = 0; i < empty_tables; ++i) out.push_back("public.e" + std::to_string(i));
    return out;
  }
  int empty_tables = 0;  // public.e0, e1, ...: captured, without rows
  std::unique_ptr<IncrementalReader> incremental_reader() override {
    return std::make_unique<FakeReader>(db_);
  }

 private:
  FakeDb& db_;
};

// The log, as the test writes it: positions "L<n>", one event per
// transaction.
class Log {
 public:
  ChangeEvent signal(const SignalRow& row) {
    ChangeEvent ev = base(SignalSchema());
    ev.op = Op::kCreate;
    ev.after = Row{{Value(row.id), Value(row.type), Value(row.data)}, {}};
    return ev;
  }
  ChangeEvent change(Op op, int64_t id, const std::string& v) {
    ChangeEvent ev = base(TSchema());
    ev.op = op;
    Row row{{Value(id), Value(v)}, {}};
    if (op == Op::kDelete) {
      ev.before = row;
    } else {
      ev.after = row;
    }
    return ev;
  }
  ChangeEvent truncate() {
    ChangeEvent ev = base(TSchema());
    ev.op = Op::kTruncate;
    return ev;
  }

 private:
  ChangeEvent base(TableSchemaPtr schema) {
    ChangeEvent ev;
    ev.id = "L" + std::to_string(++n_) + ":0";
    ev.schema = schema;
    ev.source.table = schema->id();
    ev.source.commit_ts_us = 1000 * n_;
    ev.next = Offset{"L" + std::to_string(n_ + 1), 0, nullptr};
    return ev;
  }
  int n_ = 0;
};

class IncrementalSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int64_t i = 1; i <= 10; ++i) db_.rows[i] = "v" + std::to_string(i);
  }
  std::unique_ptr<IncrementalSnapshot> Make(std::optional<IncrementalProgress> resumed = {},
                                            int64_t chunk = 4) {
    return std::make_unique<IncrementalSnapshot>(IncrementalOptions{"test", "p", chunk}, connector_,
                                                 tracker_, out_, Offset{"L0", 0, nullptr},
                                                 std::move(resumed));
  }
  // Feeds the next watermark the chunk thread wrote.
  SignalRow Pump(IncrementalSnapshot& s) {
    SignalRow w = db_.next_write();
    ChangeEvent ev = log_.signal(w);
    EXPECT_TRUE(s.emit(std::move(ev)));
    return w;
  }
  std::vector<int64_t> ReadIds() const {
    std::vector<int64_t> ids;
    for (const ChangeEvent& ev : out_.events) {
      if (ev.op == Op::kRead) ids.push_back(ev.after->values[0].as<int64_t>());
    }
    return ids;
  }
  void Execute(IncrementalSnapshot& s, const std::string& data) {
    ASSERT_TRUE(s.emit(log_.signal({"sig-1", "execute-snapshot", data})));
  }

  FakeDb db_;
  FakeConnector connector_{db_};
  SnapshotTracker tracker_;
  testing::CollectingEmitter out_;
  Log log_;
};

TEST_F(IncrementalSnapshotTest, ChunksSkipKeysTouchedInsideTheirWindow) {
  auto s = Make();
  Execute(*s, R"({"data-collections": ["public.t"]})");
  EXPECT_TRUE(out_.events.empty()) << "a signal reached the pipeline";
  EXPECT_EQ(Pump(*s).type, "snapshot-window-open");
  // Inside the first window: key 2 changes (after the read or not), key 3 goes.
  ASSERT_TRUE(s->emit(log_.change(Op::kUpdate, 2, "new2")));
  ASSERT_TRUE(s->emit(log_.change(Op::kDelete, 3, "v3")));
  EXPECT_EQ(Pump(*s).type, "snapshot-window-close");
  // Chunk 1 (ids 1-4) minus 2 and 3; the streamed changes came first.
  ASSERT_EQ(out_.events.size(), 4u);
  EXPECT_EQ(ReadIds(), (std::vector<int64_t>{1, 4}));
  const ChangeEvent& r1 = out_.events[2];
  EXPECT_EQ(r1.source.snapshot, SnapshotMark::kIncremental);
  EXPECT_EQ(r1.id, "L5:0:snapshot:0");
  // Its offset: just before the high watermark, progress after key 1.
  EXPECT_EQ(r1.next.tx, "L5");
  StreamState st = StreamState::Split(r1.next.state);
  IncrementalProgress p = IncrementalProgress::FromJson(st.incremental);
  EXPECT_EQ(p.id, "sig-1");
  EXPECT_EQ(p.tables.at(0).last_key, std::vector<std::string>{"1"});
  // Streamed events carry the progress too.
  EXPECT_FALSE(StreamState::Split(out_.events[0].next.state).incremental.is_null());
  // Chunks 2 (5-8) and 3 (9-10, last) with nothing touched.
  for (int c = 0; c < 2; ++c) {
    EXPECT_EQ(Pump(*s).type, "snapshot-window-open");
    EXPECT_EQ(Pump(*s).type, "snapshot-window-close");
  }
  EXPECT_EQ(ReadIds(), (std::vector<int64_t>{1, 4, 5, 6, 7, 8, 9, 10}));
  // The very last row's offset says the snapshot is done, and so do later ones.
  EXPECT_TRUE(StreamState::Split(out_.events.back().next.state).incremental.is_null());
  ASSERT_TRUE(s->emit(log_.change(Op::kCreate, 11, "v11")));
  EXPECT_TRUE(out_.events.back().next.state.is_null());
  EXPECT_EQ(tracker_.status().snapshots_completed, 1u);
}

TEST_F(IncrementalSnapshotTest, ResumesAfterTheLastCommittedRowAndIgnoresOldWatermarks) {
  auto s = Make();
  Execute(*s, R"({"tables": ["t"]})");
  const SignalRow low = Pump(*s);
  const SignalRow high = Pump(*s);
  ASSERT_EQ(ReadIds(), (std::vector<int64_t>{1, 2, 3, 4}));
  const Offset committed = out_.events[1].next;  // after row 2: a crash here
  s.reset();
  out_.events.clear();
  db_.written.clear();  // the old run's next chunk, never seen by the stream

  std::optional<IncrementalProgress> resumed =
      IncrementalProgress::FromJson(StreamState::Split(committed.state).incremental);
  auto again = Make(resumed);
  // The stream from the committed offset re-reads the old high watermark.
  ASSERT_TRUE(again->emit(log_.signal(high)));
  Pump(*again);
  Pump(*again);
  Pump(*again);
  Pump(*again);
  EXPECT_EQ(ReadIds(), (std::vector<int64_t>{3, 4, 5, 6, 7, 8, 9, 10}));
}

// A snapshot of 5,000 tables: no event builds the queue's JSON (its offset
// state is deferred and shared), a queued table costs its name in the
// committed state, and a resume from a chunk row's offset goes on exactly.
TEST_F(IncrementalSnapshotTest, AQueueOfThousandsOfTablesCostsNothingPerEvent) {
  constexpr int kEmpty = 5000;
  connector_.empty_tables = kEmpty;
  out_.resolve_offsets = false;
  auto s = Make();
  std::string names = R"("public.t")";
  for (int i = 0; i < kEmpty; ++i) names += R"(, "public.e)" + std::to_string(i) + "\"";
  Execute(*s, R"({"data-collections": [)" + names + "]}");
  Pump(*s);
  ASSERT_TRUE(s->emit(log_.change(Op::kUpdate, 9, "new9")));
  ASSERT_TRUE(s->emit(log_.change(Op::kUpdate, 10, "new10")));
  Pump(*s);
  ASSERT_EQ(out_.events.size(), 6u);  // two streamed changes, rows 1-4
  // Streamed events share one deferred state; chunk rows have their own.
  EXPECT_TRUE(out_.events[0].next.deferred);
  EXPECT_EQ(out_.events[0].next.deferred, out_.events[1].next.deferred);
  for (size_t i = 2; i < 6; ++i) {
    ASSERT_TRUE(out_.events[i].next.deferred) << i;
    EXPECT_TRUE(out_.events[i].next.state.is_null()) << i;
    EXPECT_LT(out_.events[i].approx_bytes(), 2048u) << i;
  }
  Offset committed = out_.events[3].next;  // after row 2
  committed.resolve();
  const std::string dumped = committed.state.dump();
  // {"table":"public.eNNNN"} and a comma per queued table.
  EXPECT_LT(dumped.size(), kEmpty * 26u + 200) << dumped.substr(0, 300);
  IncrementalProgress p =
      IncrementalProgress::FromJson(StreamState::Split(committed.state).incremental);
  ASSERT_EQ(p.tables.size(), kEmpty + 1u);
  EXPECT_EQ(p.tables[0].last_key, std::vector<std::string>{"2"});
  EXPECT_EQ(p.tables[0].rows, 2u);
  EXPECT_EQ(p.tables[kEmpty].name, "public.e" + std::to_string(kEmpty - 1));
  EXPECT_FALSE(p.tables[1].last_key);

  s.reset();
  out_.events.clear();
  db_.written.clear();
  auto again = Make(p);
  const auto started = std::chrono::steady_clock::now();
  while (tracker_.status().snapshots_completed == 0) {
    Pump(*again);
    ASSERT_FALSE(HasFailure());
    ASSERT_LT(std::chrono::steady_clock::now() - started, 60s) << "the queue did not drain";
  }
  EXPECT_EQ(ReadIds(), (std::vector<int64_t>{3, 4, 5, 6, 7, 8, 9, 10}));
  ASSERT_TRUE(again->emit(log_.change(Op::kCreate, 11, "v11")));
  EXPECT_TRUE(out_.events.back().next.resolved_state().is_null());
}

TEST_F(IncrementalSnapshotTest, ATruncateInsideTheWindowReadsTheChunkAgain) {
  auto s = Make();
  Execute(*s, R"({"data-collections": ["public.t"]})");
  Pump(*s);
  {
    std::lock_guard lock(db_.mu);
    db_.rows.clear();
  }
  ASSERT_TRUE(s->emit(log_.truncate()));
  Pump(*s);  // high watermark of the spoiled chunk: nothing
  EXPECT_TRUE(ReadIds().empty());
  Pump(*s);
  Pump(*s);  // the chunk again: the table is empty now
  EXPECT_TRUE(ReadIds().empty());
  EXPECT_EQ(tracker_.status().snapshots_completed, 1u);
}

TEST_F(IncrementalSnapshotTest, StopSignalEndsTheSnapshot) {
  auto s = Make();
  Execute(*s, R"({"data-collections": ["public.t"]})");
  Pump(*s);
  ASSERT_TRUE(s->emit(log_.signal({"stop-1", "stop-snapshot", ""})));
  Pump(*s);  // its high watermark: no longer wanted
  EXPECT_TRUE(ReadIds().empty());
  ASSERT_TRUE(s->emit(log_.change(Op::kCreate, 11, "v11")));
  EXPECT_TRUE(out_.events.back().next.state.is_null());
  EXPECT_TRUE(tracker_.status().kind.empty());
}

TEST_F(IncrementalSnapshotTest, RequestsForOthersOrBadOnesAreIgnored) {
  auto s = Make();
  Execute(*s, R"({"data-collections": ["public.t"], "pipeline": "another"})");
  Execute(*s, R"({"data-collections": ["public.nope"]})");
  Execute(*s, R"(not json)");
  ASSERT_TRUE(s->emit(log_.change(Op::kCreate, 11, "v11")));
  EXPECT_TRUE(out_.events.back().next.state.is_null());
  // A filter the database refuses skips the table without stopping anything.
  Execute(*s, R"({"tables": ["t"], "where": "bad sql"})");
  Pump(*s);
  Pump(*s);
  EXPECT_TRUE(ReadIds().empty());
  EXPECT_TRUE(tracker_.status().kind.empty());
}

}  // namespace
}  // namespace cdc
