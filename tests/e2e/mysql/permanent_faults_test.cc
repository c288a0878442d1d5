// Permanent faults of a MariaDB pipeline are loud: a table named in `tables`
// dropped or renamed away stops the pipeline at that binlog position with a
// message that says what to do, shown in /pipelines, /readyz and the log,
// while the daemon's other pipeline runs on. What is no fault goes on: the
// swap of online schema change tools (the name renamed away and another
// table renamed into it), a table under a '*' pattern dropped, and a column
// type change, whose events carry the new schema.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/permanent_fault_util.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using mysql::MySqlConnectOptions;
using mysql::testing::TestSchema;
using nlohmann::json;

std::string MySqlConfig(const MySqlConnectOptions& s, const std::string& db,
                        const std::string& tables, const std::string& out) {
  return "pipelines:\n  - name: " + db + "\n    source:\n      type: mysql\n      host: " + s.host +
         "\n      port: " + std::to_string(s.port) + "\n      user: " + s.user +
         "\n      password: \"" + s.password + "\"\n      ssl_mode: disabled\n      server_id: " +
         std::to_string(500000 + getpid() % 100000) + "\n      tables: " + tables +
         "\n      snapshot: initial\n      heartbeat_interval: 1s\n"
         "    sink: {type: file, path: \"" +
         out +
         "\", fsync: false}\n"
         "    format: {envelope: debezium, schemas: false, tombstones: false}\n"
         "    batch: {linger: 5ms}\n"
         "http: {enabled: false}\n";
}

// A running mysql -> file pipeline on t (id, v) and other (id) beside the
// companion, with t's seed row committed.
class MySqlFault {
 public:
  MySqlFault(const MySqlConnectOptions& server, const std::string& tables_of)
      : db_(server, "fault") {
    db_.sql("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
    db_.sql("CREATE TABLE other (id INT PRIMARY KEY)");
    db_.sql("INSERT INTO t VALUES (1, 1)");
    std::string tables = tables_of;
    for (size_t at; (at = tables.find("DB")) != std::string::npos;)
      tables.replace(at, 2, db_.name());
    run_.start(MySqlConfig(server, db_.name(), tables, run_.dir().out()));
  }

  const TestSchema& db() const { return db_; }
  const CdcdRunDir& dir() const { return run_.dir(); }
  const std::string& name() const { return db_.name(); }
  httplib::Client& http() { return run_.http(); }

  // Waits until the file sink committed `n` events of table `table`.
  void wait_events(const std::string& table, size_t n) {
    for (int i = 0; i < 300; ++i) {
      if (values(table).size() >= n) return;
      std::this_thread::sleep_for(100ms);
    }
    FAIL() << "never committed " << n << " events of " << table << "\n" << dir().log_text();
  }

  // The committed record values of `table`, in order.
  std::vector<json> values(const std::string& table) const {
    std::vector<json> out;
    if (!std::filesystem::exists(dir().out() + "/offsets.json")) return out;
    for (const Record& r : CaptureRecords(dir().out())) {
      if (r.topic.ends_with("." + table) && r.value) out.push_back(json::parse(*r.value));
    }
    return out;
  }

  void expect_loud_stop(const std::string& expected) { run_.expect_loud_stop(name(), expected); }

  void expect_running() {
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(PipelineEntry(http(), name())["state"], "running") << dir().log_text();
  }

 private:
  TestSchema db_;
  CompanionRun run_;
};

TEST(MySqlPermanentFaultsTest, NamedTableDropped) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  MySqlFault f(server, "[\"DB.t\", \"DB.other\"]");
  f.wait_events("t", 1);
  f.db().sql("INSERT INTO t VALUES (2, 2)");
  f.db().sql("DROP TABLE t");
  f.expect_loud_stop("table " + f.name() + ".t (named in `tables`) is dropped here (DROP TABLE");
  // Everything before the DROP was delivered.
  EXPECT_EQ(f.values("t").size(), 2u);
}

TEST(MySqlPermanentFaultsTest, NamedTableRenamedAway) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  MySqlFault f(server, "[\"DB.t\", \"DB.other\"]");
  f.wait_events("t", 1);
  f.db().sql("RENAME TABLE t TO t_old");
  f.expect_loud_stop("table " + f.name() + ".t (named in `tables`) is renamed to " + f.name() +
                     ".t_old here");
}

TEST(MySqlPermanentFaultsTest, OnlineSchemaChangeSwapGoesOn) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  MySqlFault f(server, "[\"DB.t\"]");
  f.wait_events("t", 1);
  // What gh-ost and pt-online-schema-change do at their cut-over.
  f.db().sql("CREATE TABLE t_new (id INT PRIMARY KEY, v INT, note VARCHAR(20))");
  f.db().sql("INSERT INTO t_new SELECT id, v, 'copied' FROM t");
  f.db().sql("RENAME TABLE t TO t_del, t_new TO t");
  f.db().sql("DROP TABLE t_del");
  f.db().sql("INSERT INTO t VALUES (2, 2, 'after')");
  f.wait_events("t", 2);
  f.expect_running();
  EXPECT_EQ(f.values("t").back()["after"]["note"], "after");
}

TEST(MySqlPermanentFaultsTest, TableUnderAPatternMayBeDropped) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  MySqlFault f(server, "[\"DB.*\"]");
  f.wait_events("t", 1);
  f.db().sql("DROP TABLE t");
  f.db().sql("INSERT INTO other VALUES (7)");
  f.wait_events("other", 1);
  f.expect_running();
}

TEST(MySqlPermanentFaultsTest, ColumnTypeChangeIsFollowed) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  MySqlFault f(server, "[\"DB.t\"]");
  f.wait_events("t", 1);
  f.db().sql("ALTER TABLE t MODIFY v VARCHAR(20)");
  f.db().sql("INSERT INTO t VALUES (2, 'two')");
  f.wait_events("t", 2);
  f.expect_running();
  const std::vector<json> v = f.values("t");
  EXPECT_EQ(v.front()["after"]["v"], 1);
  EXPECT_EQ(v.back()["after"]["v"], "two");
}

}  // namespace
}  // namespace cdc::testing
