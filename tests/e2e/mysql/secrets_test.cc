// Secrets stay secret: a MySQL password (from password_file), a Kafka
// sasl.password and the HTTP token never appear in cdcd's log at trace
// level, in /pipelines, /metrics, `cdcd offsets show` or the errors of a
// refused login, through the cdcd binary against real MariaDB and Kafka.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <thread>

#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/cdcd_http.h"
#include "tests/support/process.h"
#include "tests/support/shell.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using mysql::MySqlConnectOptions;
using mysql::testing::TestSchema;

std::string Config(const std::string& name, const MySqlConnectOptions& s, const std::string& db,
                   const std::string& brokers, const std::string& password_file,
                   const std::string& token_file) {
  return "pipelines:\n  - name: " + name +
         "\n    source:\n      type: mysql\n      host: " + s.host +
         "\n      port: " + std::to_string(s.port) + "\n      user: " + s.user +
         "\n      password_file: " + password_file +
         "\n      ssl_mode: disabled\n      server_id: " +
         std::to_string(400000 + getpid() % 100000) + "\n      tables: [\"" + db +
         ".t\"]\n      snapshot: initial\n"
         "    sink:\n      type: kafka\n      brokers: \"" +
         brokers + "\"\n      topic_prefix: " + name + "\n      offsets_topic: " + name +
         "_offsets\n      properties: {sasl.password: \"K4fka-Secret-9\"}\n"
         "    batch: {linger: 20ms}\n"
         "http: {listen: \"127.0.0.1:0\", token_file: " +
         token_file + "}\n";
}

void ExpectNoSecret(const std::string& where, const std::string& text) {
  for (const std::string secret : {"cdcpass", "K4fka-Secret-9", "T0ken-Secret-7", "Wr0ng-Pass-3"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << where << " shows " << secret << ":\n"
                                                    << text;
  }
}

TEST(SecretsTest, PasswordsAndTokensAppearNowhere) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  ASSERT_EQ(server.password, "cdcpass") << "the secret this test looks for";
  TestSchema db(server, "secrets");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY)");
  db.sql("INSERT INTO t VALUES (1)");
  const std::string name = "sec_" + testing::UniqueTag();
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "pw", server.password + "\n");
  testing::WriteFile(dir.path() / "token", "T0ken-Secret-7\n");
  auto config = dir.path() / "c.yaml";
  auto log = dir.path() / "cdcd.log";
  testing::WriteFile(config, Config(name, server, db.name(), brokers, (dir.path() / "pw").string(),
                                    (dir.path() / "token").string()));
  setenv("CDCD_LOG_LEVEL", "trace", 1);
  testing::ChildProcess cdcd({CDCD_BINARY, "run", "--config", config.string()}, log.string());
  unsetenv("CDCD_LOG_LEVEL");
  const int port = testing::WaitForHttpPort(log.string());
  ASSERT_GT(port, 0) << testing::ReadFile(log);
  httplib::Client http("127.0.0.1", port);
  http.set_bearer_token_auth("T0ken-Secret-7");
  // Streaming: the snapshot's row and a change committed.
  bool committed = false;
  for (int i = 0; i < 300 && !committed; ++i) {
    auto res = http.Get("/pipelines");
    committed = res && res->status == 200 &&
                nlohmann::json::parse(res->body)[0]["events_committed"].get<uint64_t>() >= 1;
    if (!committed) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(committed) << testing::ReadFile(log);
  db.sql("INSERT INTO t VALUES (2)");
  std::this_thread::sleep_for(1s);
  ExpectNoSecret("/pipelines", http.Get("/pipelines")->body);
  ExpectNoSecret("/metrics", http.Get("/metrics")->body);
  std::string shown;
  testing::Shell(std::string(CDCD_BINARY) + " offsets show --config " + config.string() + " 2>&1",
                 shown);
  EXPECT_NE(shown.find("\"offset\""), std::string::npos) << shown;
  ExpectNoSecret("offsets show", shown);
  cdcd.signal(SIGTERM);
  EXPECT_EQ(cdcd.wait(), 0);
  ExpectNoSecret("the log (trace)", testing::ReadFile(log));

  // A refused login: its error in the log, in /pipelines and on exit.
  testing::WriteFile(dir.path() / "pw", "Wr0ng-Pass-3\n");
  testing::ChildProcess failing({CDCD_BINARY, "run", "--config", config.string()}, log.string());
  int status = -1;
  ASSERT_TRUE(failing.wait_for(std::chrono::seconds(60), status)) << testing::ReadFile(log);
  EXPECT_EQ(status, 1);
  const std::string text = testing::ReadFile(log);
  EXPECT_NE(text.find("Access denied"), std::string::npos) << text;
  ExpectNoSecret("the log of a refused login", text);
}

}  // namespace
}  // namespace cdc
