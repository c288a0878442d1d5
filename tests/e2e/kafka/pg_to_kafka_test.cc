// PostgreSQL -> Kafka through the cdcd binary: real server, real broker.
// Inserts, an update and a delete made in PostgreSQL arrive on the table's
// topic, read_committed, with Debezium keys and values, cdcd headers and a
// tombstone after the delete, in commit order.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/cdcd_http.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using pg::testing::TestDatabase;

std::string Config(const std::string& name, const std::string& dsn, const std::string& brokers) {
  return R"(pipelines:
  - name: )" +
         name + R"(
    source:
      type: postgres
      dsn: ")" +
         dsn + R"("
      tables: ["public.customers"]
      snapshot: never
    sink:
      type: kafka
      brokers: ")" +
         brokers + R"("
      topic_prefix: )" +
         name + R"(
      offsets_topic: )" +
         name + R"(_offsets
    format: {envelope: debezium, schemas: false, decimal_handling: string}
    batch: {linger: 20ms}
http: {listen: "127.0.0.1:0"}
)";
}

// The value of cdcd_sink_kafka_<name>{pipeline="<pipeline>"} on /metrics,
// or -1 when absent.
double KafkaSinkMetric(httplib::Client& http, const std::string& name,
                       const std::string& pipeline) {
  auto res = http.Get("/metrics");
  if (!res) return -1;
  std::smatch m;
  const std::regex re("\ncdcd_sink_kafka_" + name + "\\{pipeline=\"" + pipeline + "\"\\} (\\S+)\n");
  return std::regex_search(res->body, m, re) ? std::stod(m[1]) : -1;
}

TEST(PgToKafkaTest, ChangesArriveWithKeysHeadersAndTombstonesInCommitOrder) {
  CDCD_SERVICE_ENV_OR_SKIP(admin_dsn, "postgres", "CDCD_TEST_PG_DSN");
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  TestDatabase db(admin_dsn, "pgk");
  db.sql("CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, score numeric(10,2))");
  const std::string name = "pgk_" + testing::UniqueTag();

  testing::TempDir dir;
  auto config = dir.path() / "pipelines.yaml";
  auto log = dir.path() / "cdcd.log";
  testing::WriteFile(config, Config(name, db.dsn(), brokers));
  testing::ChildProcess cdcd({CDCD_BINARY, "run", "--config", config.string()}, log.string());

  ASSERT_TRUE(pg::testing::WaitSlotStreaming(db, "cdcd_" + name))
      << "cdcd never streamed from its slot\n"
      << testing::ReadFile(log);

  db.sql(
      "BEGIN; INSERT INTO customers VALUES (1, 'Ann', 12.50), (2, 'Bo', NULL), "
      "(3, 'Cy', -0.01); COMMIT");
  db.sql(
      "BEGIN; UPDATE customers SET name = 'Bob', score = 7 WHERE id = 2; "
      "DELETE FROM customers WHERE id = 3; COMMIT");

  const std::string topic = name + ".public.customers";
  std::vector<kafka::KafkaMessage> got = testing::WaitForRecords(brokers, topic, 6);

  // The Kafka sink's own metrics on /metrics: six records (or more, with
  // heartbeats) in one Kafka transaction or more (both PostgreSQL
  // transactions may fall into one batch), none aborted. The counters
  // move when commit_transaction returns, just after the records are visible.
  const int port = testing::WaitForHttpPort(log.string());
  ASSERT_GT(port, 0) << testing::ReadFile(log);
  httplib::Client http("127.0.0.1", port);
  for (int i = 0; i < 100 && KafkaSinkMetric(http, "records_total", name) < 6; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(KafkaSinkMetric(http, "records_total", name), 6);
  EXPECT_GE(KafkaSinkMetric(http, "transactions_total", name), 1);
  EXPECT_EQ(KafkaSinkMetric(http, "aborts_total", name), 0);
  EXPECT_GT(KafkaSinkMetric(http, "bytes_total", name), 0);
  EXPECT_GT(KafkaSinkMetric(http, "commit_seconds_max", name), 0);
  cdcd.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(cdcd.wait_for(30s, status));
  EXPECT_EQ(status, 0) << testing::ReadFile(log);
  ASSERT_EQ(got.size(), 6u) << testing::ReadFile(log);

  ASSERT_NO_FATAL_FAILURE(testing::ExpectCustomerChanges(got, {"c", "c", "c", "u", "d"},
                                                         {1, 2, 3, 2, 3}, "postgresql", db.name()));
  auto first = nlohmann::json::parse(*got[0].value);
  EXPECT_EQ(first["after"], (nlohmann::json{{"id", 1}, {"name", "Ann"}, {"score", "12.50"}}));
  auto update = nlohmann::json::parse(*got[3].value);
  EXPECT_EQ(update["after"], (nlohmann::json{{"id", 2}, {"name", "Bob"}, {"score", "7.00"}}));
  auto del = nlohmann::json::parse(*got[4].value);
  EXPECT_EQ(del["before"]["id"], 3);
  EXPECT_TRUE(del["after"].is_null());
  // The tombstone after the delete: same key, null value.
  EXPECT_EQ(got[5].key, got[4].key);
  EXPECT_FALSE(got[5].value.has_value());
  // The two transactions' events carry their own commit positions.
  EXPECT_NE(got[0].header("cdcd.event_id"), got[3].header("cdcd.event_id"));

  // `cdcd offsets show` reads the committed offset back from Kafka, without
  // fencing anyone: past the last transaction, at its commit end LSN.
  auto offsets = testing::ShowOffsets(config, dir.path() / "offsets.json");
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0]["pipeline"], name);
  EXPECT_EQ(offsets[0]["sink"], "kafka");
  EXPECT_EQ(offsets[0]["offset"]["index"], 0);
  EXPECT_TRUE(offsets[0]["offset"]["tx"].is_string()) << offsets;
}

}  // namespace
}  // namespace cdc
