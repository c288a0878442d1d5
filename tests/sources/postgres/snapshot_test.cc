// Snapshots of the postgres source against a real PostgreSQL 15: exact rows
// and offsets of a chunked, parallel snapshot followed by the stream; a
// concurrent writer during the snapshot (the state replayed from the events
// equals the tables at the end); initial_only finishing; always re-reading;
// committed progress states of the LSN-point format.
#include "sources/postgres/snapshot.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "cdc/error.h"
#include "sources/postgres/postgres_source.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/test_support.h"

namespace cdc::pg {
namespace {

using namespace std::chrono_literals;
using testing::RunningSource;
using testing::TestDatabase;
using testing::WatchedEmitter;

PostgresSourceOptions Options(const TestDatabase& db, SnapshotMode mode) {
  PostgresSourceOptions o;
  o.pipeline = "t";
  o.dsn = db.dsn();
  o.slot = "s_" + db.name().substr(7);
  o.publication = "p_" + db.name().substr(7);
  o.snapshot.mode = mode;
  o.snapshot.workers = 3;
  o.snapshot.chunk_size = 7;
  o.heartbeat_interval = 0ms;
  o.status_interval = 200ms;
  return o;
}

// "table|key" -> row as text; replays events in order.
using State = std::map<std::string, std::string>;

std::string RowText(const ChangeEvent& ev, const Row& row) {
  std::string s;
  for (size_t i = 0; i < row.values.size(); ++i) {
    s += ev.schema->columns()[i].name + "=" + row.values[i].debug_string() + ";";
  }
  return s;
}

std::string KeyText(const ChangeEvent& ev) {
  std::string s = ev.source.table.table + "|";
  for (const Value& v : ev.key()) s += v.debug_string() + ",";
  return s;
}

void Apply(State& state, const ChangeEvent& ev) {
  switch (ev.op) {
    case Op::kRead:
    case Op::kCreate:
      state[KeyText(ev)] = RowText(ev, *ev.after);
      break;
    case Op::kUpdate: {
      ChangeEvent old = ev;
      if (ev.before) {
        old.after.reset();
        state.erase(KeyText(old));
      }
      state[KeyText(ev)] = RowText(ev, *ev.after);
      break;
    }
    case Op::kDelete:
      state.erase(KeyText(ev));
      break;
    default:
      break;
  }
}

// The tables' current content in the same text form, read through a source
// snapshot of its own (initial_only) so the value forms are identical.
State TableState(const TestDatabase& db) {
  PostgresSourceOptions o = Options(db, SnapshotMode::kInitialOnly);
  o.slot = o.slot.substr(0, 40) + "_ref";
  o.snapshot.reread_keyless = true;  // a reference read: no crash to resume from
  PostgresSource ref(o);
  WatchedEmitter out;
  ref.run(std::nullopt, out, std::stop_token{});
  State s;
  for (const ChangeEvent& ev : out.data()) s[KeyText(ev)] = RowText(ev, *ev.after);
  return s;
}

// The entries in which two states differ, for failure messages.
std::string Diff(const State& got, const State& want) {
  std::string d;
  for (const auto& [k, v] : got) {
    auto it = want.find(k);
    if (it == want.end())
      d += "extra " + k + " " + v + "\n";
    else if (it->second != v)
      d += "differs " + k + " got " + v + " want " + it->second + "\n";
  }
  for (const auto& [k, v] : want)
    if (!got.count(k)) d += "missing " + k + " " + v + "\n";
  return d;
}

class PgSnapshotTest : public ::testing::Test {};

// An offset state committed by an earlier cdcd still resumes; a point that
// is no LSN is an error naming it.
TEST(PgSnapshotProgressTest, ParsesCommittedStatesAndRejectsOtherPoints) {
  const nlohmann::json committed = nlohmann::json::parse(
      R"({"phase": "snapshot", "point": "16/B374D848", "tables": {"public.a":
          {"last_key": ["20"], "rows": 20, "done": false}}})");
  SnapshotProgress p = ParseSnapshotProgress(committed);
  EXPECT_EQ(SnapshotPoint(p), Lsn{0x16B374D848});
  EXPECT_EQ(*p.tables["public.a"].last_key, std::vector<std::string>{"20"});
  EXPECT_EQ(p.to_json(), committed);
  nlohmann::json other = committed;
  other["point"] = {{"file", "binlog.000001"}, {"pos", 4}};
  try {
    ParseSnapshotProgress(other);
    ADD_FAILURE() << "a binlog point parsed as an LSN";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              R"(postgres source: snapshot progress point {"file":"binlog.000001","pos":4} )"
              R"(is not an LSN ("X/X"))");
  }
}

TEST_F(PgSnapshotTest, ChunkedParallelSnapshotThenStreamExact) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "snap1");
  db.sql(
      "CREATE TABLE a (id int PRIMARY KEY, v text);"
      "CREATE TABLE b (k1 text, k2 int, n numeric, PRIMARY KEY (k1, k2));"
      "CREATE TABLE c (x int);"               // no primary key
      "CREATE TABLE e (id int PRIMARY KEY);"  // empty
      "INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 50) g;"
      "INSERT INTO b SELECT chr(97 + g % 3), g, g / 3.0 FROM generate_series(1, 20) g;"
      "INSERT INTO c SELECT g FROM generate_series(1, 9) g;"
      "ANALYZE");
  PostgresSourceOptions o = Options(db, SnapshotMode::kInitial);
  o.snapshot.reread_keyless = true;  // c
  PostgresSource source(o);
  WatchedEmitter out;
  RunningSource run(source, std::nullopt, out);
  ASSERT_TRUE(out.wait_data(79)) << run.error();
  // The stream starts at the snapshot's point: a change made now follows.
  db.sql("INSERT INTO a VALUES (51, 'after'); UPDATE a SET v = 'upd' WHERE id = 1");
  ASSERT_TRUE(out.wait_data(81)) << run.error();
  run.stop();
  EXPECT_EQ(run.error(), "");
  std::vector<ChangeEvent> evs = out.data();
  ASSERT_EQ(evs.size(), 81u);

  std::map<std::string, std::vector<std::string>> keys;  // per table, emission order
  std::set<std::string> ids;
  for (size_t i = 0; i < 79; ++i) {
    const ChangeEvent& ev = evs[i];
    EXPECT_EQ(ev.op, Op::kRead);
    EXPECT_TRUE(ids.insert(ev.id).second) << ev.id;
    EXPECT_EQ(ev.next.index, i + 1 == 79 ? 0 : i + 1);
    keys[ev.source.table.table].push_back(KeyText(ev));
  }
  EXPECT_EQ(evs[0].source.snapshot, SnapshotMark::kFirst);
  EXPECT_EQ(evs[78].source.snapshot, SnapshotMark::kLast);
  EXPECT_EQ(keys["a"].size(), 50u);
  EXPECT_EQ(keys["b"].size(), 20u);
  EXPECT_EQ(keys["c"].size(), 9u);
  // Snapshot offsets are "snapshot:<P>"; the last one is the stream at P.
  const std::string tx = evs[0].next.tx;
  ASSERT_TRUE(IsSnapshotOffset(evs[0].next)) << tx;
  auto point = ParseLsn(evs[78].next.tx);
  ASSERT_TRUE(point);
  EXPECT_EQ(tx, kSnapshotTxPrefix + FormatLsn(*point));
  EXPECT_EQ(evs[0].id, tx + ":0");
  EXPECT_EQ(evs[78].id, tx + ":78");
  // The progress point is the LSN text, as in offsets committed before the
  // shared snapshot engine.
  EXPECT_EQ(evs[0].next.state.at("point"), FormatLsn(*point));
  EXPECT_EQ(SnapshotPoint(ParseSnapshotProgress(evs[0].next.state)), *point);
  // Debezium's source block of snapshot rows: the point as lsn and as the
  // sequence's position (no commit before it), the snapshot's xmax as txId:
  // later than any transaction the snapshot saw, before any it did not.
  const int64_t stream_xid = std::stoll(evs[79].source.tx_id);
  for (size_t i : {size_t{0}, size_t{78}}) {
    EXPECT_EQ(evs[i].source.fields.at(1).value, Value(static_cast<int64_t>(*point)));
    ASSERT_TRUE(evs[i].source.sequence);
    EXPECT_EQ(evs[i].source.sequence->last_commit, std::nullopt);
    EXPECT_EQ(evs[i].source.sequence->position, *point);
    const Value& txid = evs[i].source.fields.at(0).value;
    ASSERT_TRUE(txid.is<int64_t>());
    EXPECT_GT(txid.as<int64_t>(), 0);
    EXPECT_LE(txid.as<int64_t>(), stream_xid) << "the snapshot's xmax precedes later writes";
  }
  // Per-table progress in the offsets: after a's 20th row, a resumes after key 20.
  for (size_t i = 0; i < 78; ++i) {
    SnapshotProgress p = SnapshotProgress::FromJson(evs[i].next.state);
    if (evs[i].source.table.table == "a" && p.tables["public.a"].rows == 20) {
      EXPECT_EQ(*p.tables["public.a"].last_key, std::vector<std::string>{"20"});
      EXPECT_FALSE(p.tables["public.a"].done);
    }
  }
  // Rows are exact and in key order within each table.
  for (const ChangeEvent& ev : evs) {
    if (ev.source.table.table == "a") {
      EXPECT_EQ(RowText(ev, *ev.after), "id=1;v='v1';");
      break;
    }
  }
  for (const auto& [table, ks] : keys) {
    if (table != "a") continue;
    for (size_t i = 0; i < ks.size(); ++i) EXPECT_EQ(ks[i], "a|" + std::to_string(i + 1) + ",");
  }
  State state;
  for (const ChangeEvent& ev : evs) Apply(state, ev);
  EXPECT_EQ(Diff(state, TableState(db)), "");
  EXPECT_EQ(evs[79].op, Op::kCreate);
  EXPECT_EQ(evs[80].op, Op::kUpdate);
}

TEST_F(PgSnapshotTest, ConcurrentWriterStateEqualsTable) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "snap2");
  db.sql(
      "CREATE TABLE a (id int PRIMARY KEY, v int);"
      "CREATE TABLE b (id int PRIMARY KEY, v int);"
      "INSERT INTO a SELECT g, 0 FROM generate_series(1, 3000) g;"
      "INSERT INTO b SELECT g, 0 FROM generate_series(1, 3000) g;");
  PostgresSourceOptions o = Options(db, SnapshotMode::kInitial);
  o.snapshot.chunk_size = 50;
  PostgresSource source(o);
  WatchedEmitter out;
  std::atomic<bool> writing{true};
  std::jthread writer([&] {
    PgConnection w(db.dsn(), PgConnection::Mode::kQuery, "writer");
    for (int i = 0; writing; ++i) {
      std::string t = i % 2 ? "a" : "b";
      int k = 1 + (i * 37) % 3000;
      w.exec("UPDATE " + t + " SET v = v + 1 WHERE id = " + std::to_string(k) + "; DELETE FROM " +
                 t + " WHERE id = " + std::to_string((k * 7) % 3000 + 1) + "; INSERT INTO " + t +
                 " VALUES (" + std::to_string(3000 + i) + ", " + std::to_string(i) +
                 ") ON CONFLICT (id) DO UPDATE SET v = -1",
             "writing");
    }
  });
  RunningSource run(source, std::nullopt, out);
  ASSERT_TRUE(out.wait(
      [](const std::vector<ChangeEvent>& e) {
        return !e.empty() && e.back().op != Op::kRead && e.size() > 6000;
      },
      60s))
      << run.error();
  writing = false;
  writer.join();
  // A marker row committed after the writer stopped: once it arrives, every
  // change before it did too.
  db.sql("INSERT INTO a VALUES (-1, -1)");
  ASSERT_TRUE(out.wait([](const std::vector<ChangeEvent>& e) {
    for (auto it = e.rbegin(); it != e.rend(); ++it)
      if (it->op == Op::kCreate && it->after->values[0].debug_string() == "-1") return true;
    return false;
  })) << run.error();
  run.stop();
  State state;
  size_t reads = 0;
  for (const ChangeEvent& ev : out.all()) reads += ev.op == Op::kRead, Apply(state, ev);
  EXPECT_GT(reads, 5000u);
  EXPECT_EQ(Diff(state, TableState(db)), "");
}

TEST_F(PgSnapshotTest, InitialOnlyFinishesAndAlwaysRereads) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "snap3");
  db.sql("CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a SELECT generate_series(1, 30)");
  {
    PostgresSource only(Options(db, SnapshotMode::kInitialOnly));
    WatchedEmitter out;
    only.run(std::nullopt, out, std::stop_token{});  // returns by itself
    std::vector<ChangeEvent> evs = out.data();
    ASSERT_EQ(evs.size(), 30u);
    SnapshotProgress p = SnapshotProgress::FromJson(evs.back().next.state);
    EXPECT_EQ(p.phase, "done");
    EXPECT_TRUE(p.table("public.a").done);
    // Restarted from its end: nothing to do, and no slot was kept.
    WatchedEmitter again;
    only.run(evs.back().next, again, std::stop_token{});
    EXPECT_TRUE(again.all().empty());
    EXPECT_EQ(
        db.sql("SELECT count(*) FROM pg_replication_slots WHERE database = '" + db.name() + "'")
            .get(0, 0),
        "0");
  }
  PostgresSourceOptions o = Options(db, SnapshotMode::kAlways);
  Offset committed;
  {
    PostgresSource s(o);
    WatchedEmitter out;
    RunningSource run(s, std::nullopt, out);
    ASSERT_TRUE(out.wait_data(30)) << run.error();
    db.sql("INSERT INTO a VALUES (31)");
    ASSERT_TRUE(out.wait_data(31)) << run.error();
    run.stop();
    committed = out.data().back().next;
  }
  db.sql("DELETE FROM a WHERE id <= 10");
  {
    // A new process re-reads the table, then streams from the new point:
    // the delete above is in the snapshot, not in the stream.
    PostgresSource s(o);
    WatchedEmitter out;
    RunningSource run(s, committed, out);
    ASSERT_TRUE(out.wait_data(21)) << run.error();
    db.sql("INSERT INTO a VALUES (32)");
    ASSERT_TRUE(out.wait_data(22)) << run.error();
    run.stop();
    std::vector<ChangeEvent> evs = out.data();
    ASSERT_EQ(evs.size(), 22u);
    for (size_t i = 0; i < 21; ++i) EXPECT_EQ(evs[i].op, Op::kRead);
    EXPECT_EQ(evs[21].op, Op::kCreate);
  }
}

// Events of a run until the row a(id = -1, v = marker) arrives.
std::vector<ChangeEvent> RunUntilMarker(PostgresSource& source, const std::optional<Offset>& from,
                                        const TestDatabase& db, int marker) {
  WatchedEmitter out;
  RunningSource run(source, from, out);
  std::this_thread::sleep_for(300ms);
  db.sql("INSERT INTO a VALUES (-1, " + std::to_string(marker) +
         ") ON CONFLICT (id) DO UPDATE SET v = excluded.v");
  const std::string want = "v=" + std::to_string(marker) + ";";
  EXPECT_TRUE(out.wait([&](const std::vector<ChangeEvent>& e) {
    for (auto it = e.rbegin(); it != e.rend(); ++it)
      if (it->op != Op::kRead && it->after &&
          RowText(*it, *it->after).find(want) != std::string::npos && KeyText(*it) == "a|-1,")
        return true;
    return false;
  })) << run.error();
  run.stop();
  EXPECT_EQ(run.error(), "");
  return out.all();
}

// A crash mid-snapshot is a cut of the event sequence after a committed
// event: the next run starts from that event's offset. Two cuts: one in the
// snapshot, one in the catch-up of the resumed snapshot.
TEST_F(PgSnapshotTest, ResumesAnInterruptedSnapshotExactlyOncePerPosition) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "snap4");
  db.sql(
      "CREATE TABLE a (id int PRIMARY KEY, v int);"
      "CREATE TABLE b (id text PRIMARY KEY, v int);"
      "INSERT INTO a SELECT g, 0 FROM generate_series(1, 200) g;"
      "INSERT INTO b SELECT 'k' || g, 0 FROM generate_series(1, 200) g;");
  PostgresSourceOptions o = Options(db, SnapshotMode::kInitial);
  o.snapshot.chunk_size = 10;
  o.snapshot.workers = 2;
  auto writes = [&](int round) {
    const std::string r = std::to_string(round);
    db.sql("UPDATE a SET v = v + 1 WHERE id % 3 = " + std::to_string(round % 3) +
           "; UPDATE b SET v = v + 1 WHERE v % 2 = 0;"
           "DELETE FROM a WHERE id % 7 = " +
           r + "; DELETE FROM b WHERE id LIKE 'k1" + r +
           "%';"
           "INSERT INTO a SELECT 1000 * " +
           r +
           " + g, g FROM generate_series(1, 5) g;"
           "UPDATE a SET id = id + 500 WHERE id % 11 = " +
           r + " AND id < 200");
  };
  std::vector<ChangeEvent> delivered;
  Offset committed;
  {
    PostgresSource s(o);
    std::vector<ChangeEvent> evs = RunUntilMarker(s, std::nullopt, db, 1);
    ASSERT_GT(evs.size(), 300u);
    delivered.assign(evs.begin(), evs.begin() + 237);  // committed up to here
    committed = delivered.back().next;
    ASSERT_TRUE(IsSnapshotOffset(committed));
  }
  writes(1);
  {
    PostgresSource s(o);
    std::vector<ChangeEvent> evs = RunUntilMarker(s, committed, db, 2);
    // The catch-up (stream events carrying the snapshot's progress) comes
    // first; cut in its middle.
    size_t catchup = 0;
    while (catchup < evs.size() && evs[catchup].op != Op::kRead) ++catchup;
    ASSERT_GT(catchup, 20u);
    for (size_t i = 0; i < catchup; ++i) {
      ASSERT_FALSE(evs[i].next.state.is_null()) << i;
    }
    delivered.insert(delivered.end(), evs.begin(), evs.begin() + catchup / 2);
    committed = delivered.back().next;
  }
  writes(2);
  {
    PostgresSource s(o);
    std::vector<ChangeEvent> evs = RunUntilMarker(s, committed, db, 3);
    delivered.insert(delivered.end(), evs.begin(), evs.end());
  }
  std::set<std::string> ids;
  State state;
  for (const ChangeEvent& ev : delivered) {
    if (!IsDataOp(ev.op)) continue;
    EXPECT_TRUE(ids.insert(ev.id).second) << "duplicate id " << ev.id;
    Apply(state, ev);
  }
  EXPECT_EQ(Diff(state, TableState(db)), "");
}

}  // namespace
}  // namespace cdc::pg
