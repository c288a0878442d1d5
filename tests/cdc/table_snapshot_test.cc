// The snapshot engine against an in-memory TableChunkReader (a test double
// of the reader interface: rows are fixed vectors, keys are their text).
#include "cdc/table_snapshot.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "cdc/error.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

// Tables as vectors of (id, name) rows sorted by id; the key is the id's text.
class MemoryReader : public TableChunkReader {
 public:
  using Data = std::map<std::string, std::vector<std::pair<int64_t, std::string>>>;
  explicit MemoryReader(const Data& data) : data_(data) {}

  SnapshotChunk read(const SnapshotTable& t, const std::optional<std::vector<std::string>>& after,
                     int64_t limit) override {
    const auto& rows = data_.at(t.name);
    SnapshotChunk c;
    size_t i = 0;
    if (after) {
      while (i < rows.size() && rows[i].first <= std::stoll(after->at(0))) ++i;
    }
    for (; i < rows.size() && static_cast<int64_t>(c.rows.size()) < limit; ++i) {
      c.rows.push_back(Make(rows[i]));
    }
    c.last = i == rows.size();
    return c;
  }

  void read_whole(const SnapshotTable& t, int64_t limit,
                  const std::function<bool(SnapshotChunk&&)>& push) override {
    const auto& rows = data_.at(t.name);
    SnapshotChunk c;
    for (size_t i = 0; i < rows.size(); ++i) {
      c.rows.push_back(Make(rows[i]));
      if (static_cast<int64_t>(c.rows.size()) == limit && i + 1 < rows.size()) {
        if (!push(std::move(c))) return;
        c = {};
      }
    }
    c.last = true;
    push(std::move(c));
  }

 private:
  static SnapshotRow Make(const std::pair<int64_t, std::string>& r) {
    SnapshotRow out;
    out.after.values = {Value(r.first), Value(r.second)};
    out.key = {std::to_string(r.first)};
    return out;
  }
  const Data& data_;
};

TableSchemaPtr Schema(const std::string& table, bool keyed) {
  std::vector<Column> cols(2);
  cols[0].name = "id";
  cols[0].type = ColumnType::kInt64;
  cols[1].name = "name";
  return std::make_shared<const TableSchema>(
      TableId{"db", "", table}, 1, cols, keyed ? std::vector<size_t>{0} : std::vector<size_t>{});
}

class TableSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_["db.a"] = {{1, "a1"}, {2, "a2"}, {3, "a3"}, {4, "a4"}, {5, "a5"}};
    data_["db.b"] = {{10, "b10"}, {20, "b20"}};
    req_.context = "test";
    req_.point_label = "P1";
    req_.connector = "mysql";
    req_.server_name = "pipe";
    req_.source_fields = {{"file", ColumnType::kString, Value("bin.000001")}};
    req_.tables = {{"db.a", Schema("a", true), true, 5, {0}},
                   {"db.b", Schema("b", true), true, -1, {0}}};
    req_.progress.point = "P1";
    req_.final_offset = Offset{"stream", 0, nullptr};
    req_.workers = 1;
    req_.chunk_size = 2;
  }
  ChunkReaderFactory Factory() {
    return [this](size_t) { return std::make_unique<MemoryReader>(data_); };
  }
  std::vector<std::string> Names(const std::vector<ChangeEvent>& evs) {
    std::vector<std::string> out;
    for (const auto& e : evs) out.push_back(e.after->values[1].as<std::string>());
    return out;
  }

  MemoryReader::Data data_;
  SnapshotRequest req_;
};

TEST_F(TableSnapshotTest, EmitsEveryRowWithIdsOffsetsAndMarks) {
  testing::CollectingEmitter out;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), out, {}));
  ASSERT_EQ(Names(out.events),
            (std::vector<std::string>{"a1", "a2", "a3", "a4", "a5", "b10", "b20"}));
  for (size_t k = 0; k < out.events.size(); ++k) {
    const ChangeEvent& e = out.events[k];
    EXPECT_EQ(e.id, "snapshot:P1:" + std::to_string(k));
    EXPECT_EQ(e.op, Op::kRead);
    EXPECT_EQ(e.source.connector, "mysql");
    EXPECT_EQ(e.source.server_name, "pipe");
    ASSERT_EQ(e.source.fields.size(), 1u);
    EXPECT_EQ(e.source.fields[0].value, Value("bin.000001"));
    if (k + 1 < out.events.size()) {
      EXPECT_EQ(e.next.tx, "snapshot:P1");
      EXPECT_EQ(e.next.index, k + 1);
    }
  }
  std::vector<SnapshotMark> marks;
  for (const auto& e : out.events) marks.push_back(e.source.snapshot);
  using M = SnapshotMark;
  EXPECT_EQ(marks, (std::vector<M>{M::kFirst, M::kTrue, M::kTrue, M::kTrue, M::kLastInTable,
                                   M::kFirstInTable, M::kLast}));
  EXPECT_EQ(out.events.back().next, req_.final_offset);
  // db.b is not read yet: not listed, and above the frontier (db.a).
  nlohmann::json state = out.events[1].next.state;
  EXPECT_EQ(state["through"]["table"], "db.a");
  EXPECT_EQ(state["through"]["count"], 1);
  state.erase("through");
  EXPECT_EQ(state, nlohmann::json::parse(R"({"phase":"snapshot","point":"P1","tables":{
              "db.a":{"last_key":["2"],"rows":2,"done":false}}})"));
  EXPECT_EQ(out.events[4].next.state["tables"]["db.a"],
            nlohmann::json::parse(R"({"last_key":["5"],"rows":5,"done":true})"));
  EXPECT_EQ(out.events[0].source.table, (TableId{"db", "", "a"}));
}

TEST_F(TableSnapshotTest, FinishDoneEndsWithPhaseDone) {
  req_.finish_done = true;
  testing::CollectingEmitter out;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), out, {}));
  const Offset& last = out.events.back().next;
  EXPECT_EQ(last.tx, "snapshot:P1");
  EXPECT_EQ(last.index, 7u);
  EXPECT_EQ(last.state["phase"], "done");
  // Every table is done and at most the frontier: none is listed.
  EXPECT_EQ(last.state["through"]["table"], "db.b");
  EXPECT_EQ(last.state["through"]["count"], 2);
  EXPECT_EQ(last.state["tables"], nlohmann::json::object());
  const SnapshotProgress p = SnapshotProgress::FromJson(last.state);
  EXPECT_TRUE(p.table("db.a").done);
  EXPECT_TRUE(p.table("db.b").done);
}

TEST_F(TableSnapshotTest, ResumesFromProgress) {
  // Run once, take the progress after event 2 (a1..a3), resume at point P2.
  testing::CollectingEmitter first;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), first, {}));
  SnapshotProgress p = SnapshotProgress::FromJson(first.events[2].next.state);
  EXPECT_EQ(p.to_json(), first.events[2].next.state);
  p.point = "P2";
  req_.progress = p;
  req_.point_label = "P2";
  testing::CollectingEmitter out;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), out, {}));
  EXPECT_EQ(Names(out.events), (std::vector<std::string>{"a4", "a5", "b10", "b20"}));
  EXPECT_EQ(out.events[0].id, "snapshot:P2:0");
  EXPECT_EQ(out.events[1].next.state["tables"]["db.a"],
            nlohmann::json::parse(R"({"last_key":["5"],"rows":5,"done":true})"));
  EXPECT_EQ(out.events[1].next.state["point"], "P2");

  // Table a done: only b is read.
  req_.progress = SnapshotProgress::FromJson(out.events[1].next.state);
  testing::CollectingEmitter rest;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), rest, {}));
  EXPECT_EQ(Names(rest.events), (std::vector<std::string>{"b10", "b20"}));
  EXPECT_EQ(rest.events[0].source.snapshot, SnapshotMark::kFirst);
}

TEST_F(TableSnapshotTest, UnorderedTableIsRefusedBeforeAnythingIsEmitted) {
  req_.tables.push_back({"db.c", Schema("c", false), false, -1, {}});
  req_.tables[1] = {"db.b", Schema("b", false), false, -1, {}};
  data_["db.c"] = {{7, "c7"}};
  testing::CollectingEmitter out;
  try {
    RunTableSnapshot(req_, Factory(), out, {});
    FAIL() << "a keyless table was read without keyless_tables: reread";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("test: snapshot refused: db.b, db.c have no primary key"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("snapshot.key_columns"), std::string::npos) << what;
    EXPECT_NE(what.find("snapshot.keyless_tables: reread"), std::string::npos) << what;
  }
  // Nothing of the keyed table before them either.
  EXPECT_TRUE(out.events.empty());
  // A keyless table already done needs no decision.
  req_.tables.pop_back();
  req_.progress.tables["db.b"] = {std::nullopt, 2, true};
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), out, {}));
  EXPECT_EQ(Names(out.events), (std::vector<std::string>{"a1", "a2", "a3", "a4", "a5"}));
}

TEST_F(TableSnapshotTest, UnorderedTableIsReadWholeAgain) {
  req_.reread_keyless = true;
  req_.tables[1] = {"db.b", Schema("b", false), false, -1, {}};
  data_["db.b"] = {{10, "b10"}, {20, "b20"}, {30, "b30"}};
  req_.progress.tables["db.b"] = {std::nullopt, 2, false};
  req_.progress.tables["db.a"] = {std::vector<std::string>{"5"}, 5, true};
  req_.workers = 3;
  testing::CollectingEmitter out;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), out, {}));
  EXPECT_EQ(Names(out.events), (std::vector<std::string>{"b10", "b20", "b30"}));
  EXPECT_EQ(out.events[1].next.state["tables"]["db.b"],
            nlohmann::json::parse(R"({"last_key":null,"rows":2,"done":false})"));
}

TEST_F(TableSnapshotTest, ParallelWorkersKeepEachTableInOrder) {
  for (int i = 0; i < 300; ++i) data_["db.a"].push_back({100 + i, "a" + std::to_string(100 + i)});
  req_.workers = 2;
  req_.chunk_size = 7;
  testing::CollectingEmitter out;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), out, {}));
  ASSERT_EQ(out.events.size(), 307u);
  int64_t last_a = 0;
  for (const auto& e : out.events) {
    if (e.source.table.table != "a") continue;
    EXPECT_GT(e.after->values[0].as<int64_t>(), last_a);
    last_a = e.after->values[0].as<int64_t>();
  }
  EXPECT_EQ(out.events.back().next, req_.final_offset);
}

// Row offsets are deferred (built only when committed), and each one, built,
// is exactly the progress after its row: rows and last key of every table,
// done flags included, also with two workers interleaving the tables' chunks.
TEST_F(TableSnapshotTest, DeferredRowOffsetsBuildTheProgressAfterTheirRow) {
  for (int i = 0; i < 40; ++i) data_["db.b"].push_back({100 + i, "b" + std::to_string(100 + i)});
  req_.workers = 2;
  req_.chunk_size = 3;
  testing::CollectingEmitter out;
  out.resolve_offsets = false;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), out, {}));
  ASSERT_EQ(out.events.size(), 47u);
  std::map<std::string, SnapshotProgress::Table> expected = {{"db.a", {}}, {"db.b", {}}};
  std::map<std::string, uint64_t> total = {{"db.a", 5}, {"db.b", 42}};
  for (size_t k = 0; k + 1 < out.events.size(); ++k) {
    const ChangeEvent& e = out.events[k];
    const std::string name = "db." + e.source.table.table;
    SnapshotProgress::Table& t = expected[name];
    ++t.rows;
    t.last_key = std::vector<std::string>{e.after->values[0].debug_string()};
    t.done = t.rows == total[name];
    ASSERT_TRUE(e.next.deferred) << k;
    EXPECT_TRUE(e.next.state.is_null()) << k;
    Offset built = e.next;
    built.resolve();
    EXPECT_FALSE(built.deferred);
    const SnapshotProgress p = SnapshotProgress::FromJson(built.state);
    for (const auto& [table, want] : expected) {
      const SnapshotProgress::Table got = p.table(table);
      EXPECT_EQ(got.done, want.done) << "event " << k << " " << table;
      if (!want.done) {
        EXPECT_EQ(got.last_key, want.last_key) << "event " << k << " " << table;
        EXPECT_EQ(got.rows, want.rows) << "event " << k << " " << table;
      }
    }
    EXPECT_EQ(built, e.next);  // a deferred state compares as built
    EXPECT_EQ(built.to_json(), e.next.to_json());
  }
  EXPECT_EQ(out.events.back().next, req_.final_offset);
}

// 5,000 captured tables: every row's offset stays a few hundred bytes (the
// frontier and the tables the workers hold), and resuming from any of them
// reads each remaining row exactly once.
TEST_F(TableSnapshotTest, ManyTablesKeepTheOffsetSmallAndResumeExactly) {
  constexpr int kTables = 5000;
  data_.clear();
  req_.tables.clear();
  for (int i = 0; i < kTables; ++i) {
    // Request order differs from name order: the engine reads in name order.
    const std::string t = "t" + std::to_string((i * 7919) % kTables);
    const int rows = i % 10 == 0 ? 0 : 1 + i % 4;  // some tables are empty
    for (int r = 1; r <= rows; ++r) data_["db." + t].push_back({r, t + "/" + std::to_string(r)});
    if (rows == 0) data_["db." + t];
    req_.tables.push_back({"db." + t, Schema(t, true), true, -1, {0}});
  }
  req_.workers = 2;
  req_.chunk_size = 2;
  testing::CollectingEmitter out;
  out.resolve_offsets = false;
  ASSERT_TRUE(RunTableSnapshot(req_, Factory(), out, {}));
  std::multiset<std::string> all;
  for (const auto& e : out.events) all.insert(e.after->values[1].as<std::string>());
  ASSERT_EQ(out.events.size(), 11500u);
  ASSERT_EQ(all.size(), std::set<std::string>(all.begin(), all.end()).size());
  size_t largest = 0;
  for (size_t k = 0; k + 1 < out.events.size(); ++k) {
    Offset built = out.events[k].next;
    built.resolve();
    largest = std::max(largest, built.state.dump().size());
  }
  EXPECT_LT(largest, 600u);
  for (size_t k : {0ul, 1ul, 2222ul, 5000ul, 9999ul, 11498ul}) {
    Offset at = out.events[k].next;
    at.resolve();
    req_.progress = SnapshotProgress::FromJson(at.state);
    req_.point_label = "P" + std::to_string(k);
    testing::CollectingEmitter rest;
    ASSERT_TRUE(RunTableSnapshot(req_, Factory(), rest, {}));
    std::multiset<std::string> seen;
    for (size_t i = 0; i <= k; ++i) seen.insert(out.events[i].after->values[1].as<std::string>());
    for (const auto& e : rest.events) seen.insert(e.after->values[1].as<std::string>());
    EXPECT_EQ(seen, all) << "resumed after event " << k;
  }
}

// With many small tables the log must not carry a line per table: one read
// in a single chunk says "done" at debug level, a longer one at info.
TEST_F(TableSnapshotTest, OnlyTablesOfSeveralChunksLogTheirEndAtInfo) {
  auto stream = std::make_shared<std::ostringstream>();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*stream);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  spdlog::set_level(spdlog::level::info);
  req_.chunk_size = 2;  // db.a (5 rows) takes 3 chunks, db.b (2 rows) one
  testing::CollectingEmitter out;
  const bool ok = RunTableSnapshot(req_, Factory(), out, {});
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(ok);
  EXPECT_EQ(out.events.size(), 7u);
  const std::string log = stream->str();
  EXPECT_NE(log.find("snapshot db.a: 5 rows (100%)"), std::string::npos) << log;
  EXPECT_EQ(log.find("snapshot db.b:"), std::string::npos) << log;
}

// Stops the snapshot after `limit` events.
class StoppingEmitter : public Emitter {
 public:
  StoppingEmitter(std::stop_source& s, size_t limit) : stop_(s), limit_(limit) {}
  bool emit(ChangeEvent&& ev) override { return try_emit_for(ev, {}) == Result::kEmitted; }
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds) override {
    if (events.size() == limit_) {
      stop_.request_stop();
      return Result::kStopping;
    }
    events.push_back(std::move(ev));
    return Result::kEmitted;
  }
  std::vector<ChangeEvent> events;

 private:
  std::stop_source& stop_;
  size_t limit_;
};

TEST_F(TableSnapshotTest, StopsWhenAsked) {
  std::stop_source stop;
  StoppingEmitter out(stop, 3);
  EXPECT_FALSE(RunTableSnapshot(req_, Factory(), out, stop.get_token()));
  EXPECT_EQ(out.events.size(), 3u);
  std::stop_source already;
  already.request_stop();
  testing::CollectingEmitter none;
  EXPECT_FALSE(RunTableSnapshot(req_, Factory(), none, already.get_token()));
}

class FailingReader : public TableChunkReader {
 public:
  SnapshotChunk read(const SnapshotTable&, const std::optional<std::vector<std::string>>&,
                     int64_t) override {
    throw Error("boom");
  }
  void read_whole(const SnapshotTable&, int64_t,
                  const std::function<bool(SnapshotChunk&&)>&) override {}
};

TEST_F(TableSnapshotTest, RethrowsReaderErrors) {
  testing::CollectingEmitter out;
  EXPECT_THROW(
      RunTableSnapshot(req_, [](size_t) { return std::make_unique<FailingReader>(); }, out, {}),
      Error);
}

TEST(SnapshotOffsetTest, TellsSnapshotOffsetsFromStreamOffsets) {
  EXPECT_TRUE(IsSnapshotOffset(Offset{"snapshot:x", 1, nullptr}));
  EXPECT_FALSE(IsSnapshotOffset(Offset{"0/1", 1, nullptr}));
}

}  // namespace
}  // namespace cdc
