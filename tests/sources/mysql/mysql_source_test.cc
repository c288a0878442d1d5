// MySqlSource against a real MariaDB: row changes with exact values and
// offsets, exact resume in the middle of a transaction (by position and by
// GTID), DDL and TRUNCATE events, a snapshot consistent with the stream
// under a concurrent writer, heartbeats, and the start-up errors a user must
// be able to act on.
#include "sources/mysql/mysql_source.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <thread>

#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/source_runner.h"

namespace cdc::mysql {
namespace {

using namespace std::chrono_literals;
using ::cdc::testing::RunningSource;
using ::cdc::testing::WatchedEmitter;
using testing::SourceOptions;
using testing::TestSchema;

const Value& Col(const ChangeEvent& ev, const cdc::Row& row, const std::string& name) {
  auto i = ev.schema->find(name);
  EXPECT_TRUE(i) << name;
  return row.values.at(*i);
}

std::vector<ChangeEvent> Data(WatchedEmitter& out, size_t n) {
  EXPECT_TRUE(out.wait_data(n)) << "expected " << n << " data events, got "
                                << WatchedEmitter::CountData(out.all());
  return out.data();
}

TEST(MySqlSourceTest, RowChangesHaveExactValuesAndOffsets) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "rows");
  db.sql(
      "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2), "
      "u INT UNSIGNED, big BIGINT UNSIGNED, at DATETIME(3)) ENGINE=InnoDB");
  Offset from = db.here();
  db.sql(
      "INSERT INTO t VALUES (1,'a',1.50,4294967295,18446744073709551615,"
      "'2024-02-29 23:59:59.123'), (2,'b',-2.25,0,0,NULL), (3,'c',NULL,7,7,NULL)");
  db.sql("UPDATE t SET name = 'bb' WHERE id = 2");
  db.sql("DELETE FROM t WHERE id = 3");

  MySqlSource source(SourceOptions(server, db.name()));
  WatchedEmitter out;
  RunningSource run(source, from, out);
  std::vector<ChangeEvent> ev = Data(out, 5);
  ASSERT_EQ(ev.size(), 5u) << run.error();
  EXPECT_EQ(run.error(), "");
  const std::vector<Op> ops = {Op::kCreate, Op::kCreate, Op::kCreate, Op::kUpdate, Op::kDelete};
  for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i].op, ops[i]) << i;

  const ChangeEvent& first = ev[0];
  EXPECT_EQ(first.source.connector, "mariadb");  // the test server is MariaDB
  EXPECT_EQ(first.source.table.qualified(), db.name() + ".t");
  EXPECT_EQ(first.key(), std::vector<Value>{Value(int64_t{1})});
  EXPECT_EQ(Col(first, *first.after, "name"), Value(std::string("a")));
  EXPECT_EQ(Col(first, *first.after, "amount"), Value(Decimal{"1.50"}));
  EXPECT_EQ(Col(first, *first.after, "u"), Value(int64_t{4294967295}));
  EXPECT_EQ(Col(first, *first.after, "big"), Value(uint64_t{18446744073709551615ull}));
  EXPECT_EQ(Col(ev[1], *ev[1].after, "amount"), Value(Decimal{"-2.25"}));
  EXPECT_TRUE(Col(ev[2], *ev[2].after, "amount").is_null());
  EXPECT_EQ(Col(ev[3], *ev[3].before, "name"), Value(std::string("b")));
  EXPECT_EQ(Col(ev[3], *ev[3].after, "name"), Value(std::string("bb")));
  EXPECT_EQ(Col(ev[4], *ev[4].before, "id"), Value(int64_t{3}));
  EXPECT_GT(first.source.commit_ts_us, 0);

  // One INSERT of three rows is one transaction: the first two resume inside
  // it, the third after it.
  StreamStart s0 = ParseStreamOffset(ev[0].next), s1 = ParseStreamOffset(ev[1].next),
              s2 = ParseStreamOffset(ev[2].next);
  EXPECT_EQ(s0.position, s1.position);
  EXPECT_EQ(s0.skip, 1u);
  EXPECT_EQ(s1.skip, 2u);
  EXPECT_EQ(s2.skip, 0u);
  EXPECT_TRUE(Before(s1.position, s2.position));
  EXPECT_EQ(ev[0].id, s0.position.to_string() + ":0");
  EXPECT_FALSE(s0.gtid.empty());
  EXPECT_NE(s0.gtid, s2.gtid);  // s2 includes the transaction
}

// A fresh source resumed from the offset of each event all[k] (k in `from`),
// by file:pos and by GTID, yields exactly the events that followed it.
void ExpectResumesExactly(MySqlSourceOptions opts, const std::vector<ChangeEvent>& all,
                          const std::vector<size_t>& from) {
  for (ResumeBy by : {ResumeBy::kPosition, ResumeBy::kGtid}) {
    for (size_t k : from) {
      opts.resume_by = by;
      MySqlSource source(opts);
      WatchedEmitter out;
      RunningSource run(source, all[k].next, out);
      std::vector<ChangeEvent> rest = Data(out, all.size() - k - 1);
      ASSERT_EQ(rest.size(), all.size() - k - 1) << run.error();
      for (size_t j = 0; j < rest.size(); ++j) {
        EXPECT_EQ(rest[j].id, all[k + 1 + j].id) << "after " << k;
        EXPECT_EQ(rest[j].after->values, all[k + 1 + j].after->values);
      }
    }
  }
}

// A fresh source resumed from each event's offset, by file:pos and by GTID,
// yields exactly the events that followed it.
TEST(MySqlSourceTest, ResumesExactlyMidTransactionByPositionAndByGtid) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "resume");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Offset from = db.here();
  db.sql("INSERT INTO t VALUES (1,1),(2,2),(3,3),(4,4)");
  db.sql("UPDATE t SET v = v + 10");
  MySqlSourceOptions opts = SourceOptions(server, db.name());
  std::vector<ChangeEvent> all;
  {
    MySqlSource source(opts);
    WatchedEmitter out;
    RunningSource run(source, from, out);
    all = Data(out, 8);
    ASSERT_EQ(all.size(), 8u) << run.error();
  }
  ExpectResumesExactly(opts, all, {0, 2, 3, 5});
}

// XA transactions: the changes of a prepared transaction come when it
// commits (and resume exactly from every offset, also while it is pending);
// a rolled-back one's never; a one-phase commit like any transaction.
TEST(MySqlSourceTest, XaTransactionsAreEmittedAtCommitAndNeverWhenRolledBack) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "xa");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Offset from = db.here();
  MySqlConnection xa(server, "xa");
  xa.query("USE " + db.name(), "xa");
  auto run = [&](const std::string& statements) {
    size_t start = 0;
    while (start < statements.size()) {
      const size_t end = statements.find(';', start);
      xa.query(statements.substr(start, end - start), "xa");
      start = end == std::string::npos ? statements.size() : end + 1;
    }
  };
  run("XA START 'a';INSERT INTO t VALUES (1, 1),(2, 2);XA END 'a';XA PREPARE 'a'");
  db.sql("INSERT INTO t VALUES (10, 10)");  // commits while 'a' is prepared
  run("XA COMMIT 'a'");
  run("XA START 'b';INSERT INTO t VALUES (3, 3);XA END 'b';XA PREPARE 'b';XA ROLLBACK 'b'");
  run("XA START 'c';INSERT INTO t VALUES (4, 4);XA END 'c';XA COMMIT 'c' ONE PHASE");
  db.sql("INSERT INTO t VALUES (99, 99)");

  MySqlSourceOptions opts = SourceOptions(server, db.name());
  std::vector<ChangeEvent> all;
  {
    MySqlSource source(opts);
    WatchedEmitter out;
    RunningSource running(source, from, out);
    all = Data(out, 5);
    ASSERT_EQ(all.size(), 5u) << running.error();
    std::this_thread::sleep_for(300ms);  // nothing of 'b' follows
    ASSERT_EQ(out.data().size(), 5u);
  }
  std::vector<int64_t> ids;
  for (const ChangeEvent& e : all) ids.push_back(e.after->values[0].as<int64_t>());
  EXPECT_EQ(ids, (std::vector<int64_t>{10, 1, 2, 4, 99}));
  // 1 and 2 are one transaction, with the commit's time and position.
  EXPECT_EQ(all[1].source.tx_id, all[2].source.tx_id);
  EXPECT_NE(all[1].source.tx_id, all[0].source.tx_id);
  std::vector<size_t> every(all.size() - 1);
  std::iota(every.begin(), every.end(), 0);
  ExpectResumesExactly(opts, all, every);
}

// An XA transaction prepared before the stream's start point (here, in an
// earlier binlog file) and committed after it: its rows are read back from
// where it was prepared and emitted at its commit, once; resuming from its
// events' offsets does not read them again.
TEST(MySqlSourceTest, XaPreparedBeforeTheStartPointIsEmittedAtItsCommit) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "xa_before");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  MySqlConnection xa(server, "xa");
  xa.query("USE " + db.name(), "xa");
  for (const char* sql : {"XA START 'early'", "INSERT INTO t VALUES (1, 1),(2, 2)",
                          "XA END 'early'", "XA PREPARE 'early'"}) {
    xa.query(sql, "xa");
  }
  db.sql("FLUSH BINARY LOGS");
  db.sql("INSERT INTO t VALUES (3, 3)");
  const Offset from = db.here();  // after the PREPARE, before the COMMIT
  db.sql("INSERT INTO t VALUES (4, 4)");
  xa.query("XA COMMIT 'early'", "xa");
  db.sql("INSERT INTO t VALUES (5, 5)");

  MySqlSourceOptions opts = SourceOptions(server, db.name());
  std::vector<ChangeEvent> all;
  {
    MySqlSource source(opts);
    WatchedEmitter out;
    RunningSource running(source, from, out);
    all = Data(out, 4);
    ASSERT_EQ(all.size(), 4u) << running.error();
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(out.data().size(), 4u);
  }
  std::vector<int64_t> ids;
  for (const ChangeEvent& e : all) ids.push_back(e.after->values[0].as<int64_t>());
  EXPECT_EQ(ids, (std::vector<int64_t>{4, 1, 2, 5}));
  EXPECT_EQ(all[1].source.tx_id, all[2].source.tx_id);
  ExpectResumesExactly(opts, all, {0, 1, 2});
}

TEST(MySqlSourceTest, DdlBecomesSchemaChangeAndTruncateATruncateEvent) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "ddl");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, a INT)");
  Offset from = db.here();
  db.sql("INSERT INTO t VALUES (1, 1)");
  db.sql("ALTER TABLE t ADD COLUMN note VARCHAR(10) DEFAULT 'x'");
  db.sql("INSERT INTO t VALUES (2, 2, 'y')");
  db.sql("TRUNCATE TABLE t");
  MySqlSource source(SourceOptions(server, db.name()));
  WatchedEmitter out;
  RunningSource run(source, from, out);
  ASSERT_TRUE(out.wait([](const std::vector<ChangeEvent>& e) {
    return !e.empty() && e.back().op == Op::kTruncate;
  })) << run.error();
  std::vector<ChangeEvent> all = out.all();
  std::vector<Op> ops;
  for (const ChangeEvent& e : all) ops.push_back(e.op);
  // insert, DDL event, new schema version announced, insert, truncate
  ASSERT_EQ(ops, (std::vector<Op>{Op::kCreate, Op::kSchemaChange, Op::kSchemaChange, Op::kCreate,
                                  Op::kTruncate}));
  EXPECT_EQ(all[1].control["ddl"], "ALTER TABLE t ADD COLUMN note VARCHAR(10) DEFAULT 'x'");
  EXPECT_EQ(all[1].control["kind"], "alter_table");
  EXPECT_EQ(all[2].schema->version(), 2u);
  EXPECT_EQ(all[2].control["previous_version"], 1);
  EXPECT_EQ(all[0].schema->columns().size(), 2u);
  EXPECT_EQ(all[3].schema->columns().size(), 3u);
  EXPECT_EQ(Col(all[3], *all[3].after, "note"), Value(std::string("y")));
  EXPECT_EQ(all[4].schema->id().table, "t");
  // MariaDB logs no BEGIN (a GTID event starts each transaction) and a DDL or
  // TRUNCATE has none either: like Debezium, no event names a thread.
  for (const ChangeEvent& e : all) {
    for (const SourceField& f : e.source.fields) {
      if (f.name == "thread") {
        EXPECT_TRUE(f.value.is_null()) << OpName(e.op);
      }
    }
  }
}

// Snapshot + stream under a concurrent writer: the state derived from the
// events equals the table at the end.
TEST(MySqlSourceTest, SnapshotThenStreamUnderConcurrentWriterEqualsTheTable) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "snap");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  db.sql("INSERT INTO t SELECT seq, 0 FROM seq_1_to_3000");
  MySqlSourceOptions opts = SourceOptions(server, db.name());
  opts.snapshot.mode = SnapshotMode::kInitial;
  opts.snapshot.chunk_size = 100;
  MySqlSource source(opts);
  WatchedEmitter out;
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 1; writing && i <= 400; ++i) {
      db.sql("UPDATE t SET v = v + 1 WHERE id = " + std::to_string(1 + (i * 7) % 3000));
      db.sql("INSERT INTO t VALUES (" + std::to_string(3000 + i) + ", " + std::to_string(i) + ")");
      if (i % 50 == 0) db.sql("DELETE FROM t WHERE id = " + std::to_string(i));
    }
  });
  RunningSource run(source, std::nullopt, out);
  writer.join();
  db.sql("INSERT INTO t VALUES (999999, -1)");  // the end marker
  ASSERT_TRUE(out.wait(
      [](const std::vector<ChangeEvent>& e) {
        for (const ChangeEvent& x : e) {
          if (x.op == Op::kCreate && x.after->values[0] == Value(int64_t{999999})) return true;
        }
        return false;
      },
      60s))
      << run.error();
  std::map<int64_t, int64_t> state;
  size_t reads = 0;
  for (const ChangeEvent& e : out.data()) {
    const int64_t id = e.key().at(0).as<int64_t>();
    if (e.op == Op::kDelete) {
      EXPECT_EQ(state.erase(id), 1u) << "delete of a key never seen: " << id;
    } else {
      if (e.op == Op::kRead) ++reads;
      if (e.op == Op::kCreate) {
        EXPECT_EQ(state.count(id), 0u) << "insert over a row: " << id;
      }
      state[id] = e.after->values.at(1).as<int64_t>();
    }
  }
  EXPECT_GE(reads, 3000u - 8u);
  std::map<int64_t, int64_t> table;
  for (const auto& row : db.sql("SELECT id, v FROM t").rows) {
    table[std::stoll(*row[0])] = std::stoll(*row[1]);
  }
  EXPECT_EQ(state, table);
}

TEST(MySqlSourceTest, HeartbeatsCarryTheCurrentPositionWhenIdle) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "hb");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY)");
  Offset from = db.here();
  db.sql("INSERT INTO t VALUES (1)");
  MySqlSource source(SourceOptions(server, db.name()));
  WatchedEmitter out;
  RunningSource run(source, from, out);
  ASSERT_TRUE(out.wait(
      [](const std::vector<ChangeEvent>& e) { return !e.empty() && e.back().op == Op::kHeartbeat; },
      20s))
      << run.error();
  std::vector<ChangeEvent> all = out.all();
  const ChangeEvent& hb = all.back();
  const ChangeEvent* insert = nullptr;
  for (const ChangeEvent& e : all) {
    if (e.op == Op::kCreate) insert = &e;
  }
  ASSERT_NE(insert, nullptr);
  // Idle after the insert: the heartbeat resumes where the insert's next does
  // (or later, if other tests wrote to the shared server meanwhile).
  EXPECT_FALSE(
      Before(ParseStreamOffset(hb.next).position, ParseStreamOffset(insert->next).position));
  EXPECT_GT(hb.source.commit_ts_us, insert->source.commit_ts_us);
}

TEST(MySqlSourceTest, SaysItIsIdleOnceItEmittedAllTheServerSent) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "idle");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY)");
  Offset from = db.here();
  db.sql("INSERT INTO t VALUES (1), (2), (3)");
  MySqlSource source(SourceOptions(server, db.name()));
  WatchedEmitter out;
  RunningSource run(source, from, out);
  ASSERT_TRUE(out.wait_data(3)) << run.error();
  // The pipeline commits at once on this hint instead of lingering.
  EXPECT_TRUE(out.wait_idle_after(out.all().size(), 10s)) << run.error();
}

TEST(MySqlSourceTest, PurgedPositionStopsWithAdvice) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "purged");
  MySqlSource source(SourceOptions(server, db.name()));
  WatchedEmitter out;
  Offset gone = StreamOffset({"binlog.999998", 4}, 0, "");
  try {
    source.run(gone, out, std::stop_token{});
    FAIL() << "expected an error";
  } catch (const TransientError& e) {
    FAIL() << "a purged binlog is not transient: " << e.what();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("binlog.999998"), std::string::npos) << m;
    EXPECT_NE(m.find("no longer"), std::string::npos) << m;
    EXPECT_NE(m.find("snapshot"), std::string::npos) << m;
  }
}

TEST(MySqlSourceTest, MissingReplicationPrivilegesAreNamed) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  const std::string socket = testing::SharedSocket();
  const std::string user = "cdcd_nopriv_" + std::to_string(getpid());
  testing::RootSql(socket, "CREATE USER '" + user +
                               "'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT "
                               "SELECT ON *.* TO '" +
                               user + "'@'127.0.0.1'");
  MySqlConnectOptions weak = server;
  weak.user = user;
  weak.password = "pw";
  MySqlSource source(SourceOptions(weak, "cdcd_test"));
  WatchedEmitter out;
  std::string message;
  try {
    source.run(std::nullopt, out, std::stop_token{});
  } catch (const Error& e) {
    message = e.what();
  }
  testing::RootSql(socket, "DROP USER '" + user + "'@'127.0.0.1'");
  EXPECT_NE(message.find("lacks REPLICATION SLAVE, BINLOG MONITOR"), std::string::npos) << message;
  EXPECT_NE(message.find("GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.*"), std::string::npos)
      << message;
}

// A table added to `tables` is snapshotted incrementally on the next start,
// while the stream goes on; its later changes follow.
TEST(MySqlSourceTest, TableAddedToTablesIsSnapshottedIncrementally) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "added");
  db.sql("CREATE TABLE a (id INT PRIMARY KEY)");
  db.sql("CREATE TABLE b (id INT PRIMARY KEY, v VARCHAR(10))");
  db.sql("INSERT INTO b VALUES (1, 'x'), (2, 'y'), (3, 'z')");
  MySqlSourceOptions o = SourceOptions(server, db.name());
  o.tables = {db.name() + ".a"};
  Offset resume;
  {
    MySqlSource source(o);
    WatchedEmitter out;
    RunningSource run(source, db.here(), out);
    db.sql("INSERT INTO a VALUES (1)");
    std::vector<ChangeEvent> ev = Data(out, 1);
    ASSERT_EQ(ev.size(), 1u) << run.error();
    resume = ev[0].next;
  }
  o.tables = {db.name() + ".a", db.name() + ".b"};
  MySqlSource source(o);
  WatchedEmitter out;
  RunningSource run(source, resume, out);
  std::vector<ChangeEvent> ev = Data(out, 3);
  ASSERT_EQ(ev.size(), 3u) << run.error();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ev[i].op, Op::kRead);
    EXPECT_EQ(ev[i].source.snapshot, SnapshotMark::kIncremental);
    EXPECT_EQ(ev[i].source.table.table, "b");
    EXPECT_EQ(Col(ev[i], *ev[i].after, "id"), Value(int64_t(i + 1)));
  }
  db.sql("UPDATE b SET v = 'w' WHERE id = 2");
  ev = Data(out, 4);
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[3].op, Op::kUpdate);
  EXPECT_EQ(run.error(), "");
}

}  // namespace
}  // namespace cdc::mysql

namespace cdc::mysql {
namespace {

// A `tables` entry naming no table (a typo, a dropped table) stops the
// pipeline with the name instead of capturing nothing from it; a pattern
// with '*' may match nothing yet.
TEST(MySqlSourceTest, ANamedTableThatDoesNotExistIsAnError) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "notable");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY)");
  MySqlSourceOptions o = SourceOptions(server, db.name());
  o.tables = {db.name() + ".t", db.name() + ".orders"};
  MySqlSource source(o);
  WatchedEmitter out;
  try {
    source.run(std::nullopt, out, std::stop_token{});
    FAIL() << "a missing table was accepted";
  } catch (const TransientError& e) {
    FAIL() << "not transient: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("table " + db.name() +
                                         ".orders (from `tables`) not found: no such base table "
                                         "on the server, or the user " +
                                         server.user + " cannot see it"),
              std::string::npos)
        << e.what();
  }
}

// A signal table the user may read but not update: the pipeline stops
// (tables added while it was down would otherwise never be snapshotted) and
// says which grant is missing.
TEST(MySqlSourceTest, ASignalTableItCannotWriteStopsWithTheGrantToAdd) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  const std::string socket = testing::SharedSocket();
  if (socket.empty()) GTEST_SKIP() << "no root socket for the shared MariaDB";
  TestSchema db(server, "siggrant");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY)");
  db.sql(
      "CREATE TABLE cdcd_signal (id VARCHAR(64) PRIMARY KEY, type VARCHAR(32) NOT NULL, data "
      "TEXT)");
  const std::string user = "cdcd_nogrant_" + std::to_string(getpid());
  const std::string who = "'" + user + "'@'127.0.0.1'";
  testing::RootSql(socket, "DROP USER IF EXISTS " + who + "; CREATE USER " + who +
                               " IDENTIFIED BY 'pw'; GRANT REPLICATION SLAVE, BINLOG MONITOR, "
                               "RELOAD ON *.* TO " +
                               who + "; GRANT SELECT ON " + db.name() + ".* TO " + who +
                               "; GRANT INSERT ON " + db.name() + ".cdcd_signal TO " + who);
  MySqlSourceOptions o = SourceOptions(server, db.name());
  o.connect.user = user;
  o.connect.password = "pw";
  MySqlSource source(o);
  WatchedEmitter out;
  out.acknowledge_to(&source);
  std::string error;
  {
    RunningSource run(source, std::nullopt, out);
    for (int i = 0; i < 200 && (error = run.error()).empty(); ++i)
      std::this_thread::sleep_for(25ms);
  }
  testing::RootSql(socket, "DROP USER " + who);
  EXPECT_NE(error.find("cannot record the captured tables in the signal table " + db.name() +
                       ".cdcd_signal"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("grant the pipeline's user INSERT and UPDATE on it"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace cdc::mysql
