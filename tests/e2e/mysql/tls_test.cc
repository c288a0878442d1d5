// TLS to MariaDB through the cdcd binary: a user that the server only admits
// over TLS (REQUIRE SSL) snapshots and streams with ssl_mode verify_identity
// and the test server's CA; with a CA that did not sign the server's
// certificate the pipeline stops, loudly, before reading anything. The
// server's certificate comes from tests/services/tls-certs.
#include <gtest/gtest.h>

#include "tests/e2e/permanent_fault_util.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/test_support.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using mysql::MySqlConnectOptions;
using mysql::testing::RootSql;
using mysql::testing::SharedSocket;
using mysql::testing::TestSchema;

std::string TlsConfig(const MySqlConnectOptions& s, const std::string& db, const std::string& user,
                      const std::string& ssl, const std::string& out) {
  return "pipelines:\n  - name: " + db + "\n    source:\n      type: mysql\n      host: " + s.host +
         "\n      port: " + std::to_string(s.port) + "\n      user: " + user +
         "\n      password: \"" + s.password + "\"\n" + ssl +
         "      server_id: " + std::to_string(600000 + getpid() % 100000) + "\n      tables: [\"" +
         db +
         ".t\"]\n      snapshot: initial\n"
         "    sink: {type: file, path: \"" +
         out +
         "\", fsync: false}\n"
         "    batch: {linger: 5ms}\n"
         "http: {enabled: false}\n";
}

uint64_t Committed(httplib::Client& http, const std::string& name) {
  const nlohmann::json p = PipelineEntry(http, name);
  return p.is_null() ? 0 : p["events_committed"].get<uint64_t>();
}

// A user with cdc's grants whom the server admits only over TLS.
class TlsOnlyUser {
 public:
  TlsOnlyUser(const std::string& socket, const MySqlConnectOptions& server, const std::string& db)
      : socket_(socket), name_("tls_" + std::to_string(getpid())) {
    const std::string who = "'" + name_ + "'@'" + server.host + "'";
    RootSql(socket_, "DROP USER IF EXISTS " + who + "; CREATE USER " + who + " IDENTIFIED BY '" +
                         server.password + "' REQUIRE SSL; GRANT REPLICATION SLAVE, BINLOG " +
                         "MONITOR, REPLICATION SLAVE ADMIN, SELECT, RELOAD ON *.* TO " + who +
                         "; GRANT ALL ON " + db + ".* TO " + who);
    drop_ = "DROP USER IF EXISTS " + who;
  }
  ~TlsOnlyUser() {
    try {
      RootSql(socket_, drop_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  const std::string& name() const { return name_; }

 private:
  std::string socket_, name_, drop_;
};

TEST(MySqlTlsTest, VerifyIdentitySnapshotsAndStreamsOverTls) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  CDCD_SERVICE_ENV_OR_SKIP(ca, "mariadb", "CDCD_TEST_MYSQL_SSL_CA");
  TestSchema db(server, "tls");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  db.sql("INSERT INTO t VALUES (1, 1)");
  TlsOnlyUser user(SharedSocket(), server, db.name());
  CompanionRun run;
  // verify_identity checks the chain and that the certificate names the
  // host (here the address 127.0.0.1, one of its subjectAltNames).
  run.start(TlsConfig(server, db.name(), user.name(),
                      "      ssl_mode: verify_identity\n      ssl_ca: " + ca + "\n",
                      run.dir().out()));
  for (int i = 0; i < 300 && Committed(run.http(), db.name()) < 1; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  db.sql("INSERT INTO t VALUES (2, 2)");
  for (int i = 0; i < 300 && Committed(run.http(), db.name()) < 2; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(Committed(run.http(), db.name()), 2u) << run.dir().log_text();
}

TEST(MySqlTlsTest, UntrustedServerCertificateStopsThePipeline) {
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "tlsbad");
  db.sql("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  // A CA of its own, which did not sign the server's certificate.
  TempDir other;
  const std::string other_ca = UntrustedCa(other);
  ASSERT_FALSE(HasFailure());
  CompanionRun run;
  run.start(TlsConfig(server, db.name(), server.user,
                      "      ssl_mode: verify_ca\n      ssl_ca: " + other_ca + "\n",
                      run.dir().out()));
  run.expect_loud_stop(db.name(), "TLS/SSL error");
  EXPECT_EQ(Committed(run.http(), db.name()), 0u);
}

}  // namespace
}  // namespace cdc::testing
