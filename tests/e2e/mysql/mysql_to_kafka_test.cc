// MySQL -> Kafka through the cdcd binary: real MariaDB, real broker. A
// snapshot of existing rows, then inserts, an update and a delete arrive on
// the table's topic, read_committed, with Debezium keys and values, exactly
// once across a SIGKILL, and `cdcd offsets show` reads the binlog offset back.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using mysql::MySqlConnectOptions;
using mysql::testing::TestSchema;

std::string Config(const std::string& name, const MySqlConnectOptions& s, const std::string& db,
                   const std::string& brokers) {
  return "pipelines:\n  - name: " + name +
         "\n"
         "    source:\n"
         "      type: mysql\n"
         "      host: " +
         s.host + "\n      port: " + std::to_string(s.port) + "\n      user: " + s.user +
         "\n      password: \"" + s.password + "\"\n      ssl_mode: disabled\n      server_id: " +
         std::to_string(300000 + getpid() % 100000) + "\n      tables: [\"" + db +
         ".customers\"]\n"
         "      snapshot: initial\n"
         "    sink:\n"
         "      type: kafka\n"
         "      brokers: \"" +
         brokers + "\"\n      topic_prefix: " + name + "\n      offsets_topic: " + name +
         "_offsets\n"
         "    format: {envelope: debezium, schemas: false, decimal_handling: string}\n"
         "    batch: {linger: 20ms}\n"
         "http: {enabled: false}\n";
}

TEST(MySqlToKafkaTest, SnapshotThenChangesArriveExactlyOnceAcrossASigkill) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  TestSchema db(server, "kafka");
  db.sql(
      "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, "
      "score DECIMAL(10,2))");
  db.sql("INSERT INTO customers VALUES (1, 'Ann', 12.50), (2, 'Bo', NULL)");
  const std::string name = "myk_" + testing::UniqueTag();
  const std::string topic = name + "." + db.name() + ".customers";

  testing::TempDir dir;
  auto config = dir.path() / "pipelines.yaml";
  auto log = dir.path() / "cdcd.log";
  testing::WriteFile(config, Config(name, server, db.name(), brokers));
  const std::vector<std::string> argv = {CDCD_BINARY, "run", "--config", config.string()};
  {
    testing::ChildProcess cdcd(argv, log.string());
    ASSERT_EQ(testing::WaitForRecords(brokers, topic, 2).size(), 2u) << testing::ReadFile(log);
    db.sql("INSERT INTO customers VALUES (3, 'Cy', -0.01)");
    ASSERT_EQ(testing::WaitForRecords(brokers, topic, 3).size(), 3u) << testing::ReadFile(log);
    cdcd.signal(SIGKILL);
    int status = -1;
    ASSERT_TRUE(cdcd.wait_for(30s, status));
  }
  // Written while cdcd is down: the restart resumes from the committed offset.
  db.sql("UPDATE customers SET name = 'Bob', score = 7 WHERE id = 2");
  db.sql("DELETE FROM customers WHERE id = 3");
  testing::ChildProcess cdcd(argv, log.string());
  std::vector<kafka::KafkaMessage> got = testing::WaitForRecords(brokers, topic, 6);
  std::this_thread::sleep_for(1s);  // nothing more may arrive
  got = testing::ReadTopics(brokers, {topic});
  cdcd.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(cdcd.wait_for(30s, status));
  EXPECT_EQ(status, 0) << testing::ReadFile(log);
  ASSERT_EQ(got.size(), 6u) << testing::ReadFile(log);

  ASSERT_NO_FATAL_FAILURE(testing::ExpectCustomerChanges(got, {"r", "r", "c", "u", "d"},
                                                         {1, 2, 3, 2, 3}, "mariadb", db.name()));
  EXPECT_EQ(nlohmann::json::parse(*got[0].value)["after"],
            (nlohmann::json{{"id", 1}, {"name", "Ann"}, {"score", "12.50"}}));
  EXPECT_EQ(nlohmann::json::parse(*got[3].value)["after"],
            (nlohmann::json{{"id", 2}, {"name", "Bob"}, {"score", "7.00"}}));
  EXPECT_EQ(nlohmann::json::parse(*got[4].value)["before"]["id"], 3);
  EXPECT_FALSE(got[5].value.has_value());  // the tombstone after the delete

  auto offsets = testing::ShowOffsets(config, dir.path() / "offsets.json");
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0]["pipeline"], name);
  EXPECT_EQ(offsets[0]["offset"]["index"], 0);
  EXPECT_NE(offsets[0]["offset"]["tx"].get<std::string>().find("binlog."), std::string::npos)
      << offsets;
  EXPECT_TRUE(offsets[0]["offset"]["state"]["gtid"].is_string()) << offsets;
}

}  // namespace
}  // namespace cdc
