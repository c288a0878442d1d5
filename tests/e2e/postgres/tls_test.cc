// TLS to PostgreSQL through the cdcd binary: with sslmode=verify-full and the
// test server's CA the pipeline snapshots and streams over an encrypted
// connection (the walsender's pg_stat_ssl says so); with a CA that did not
// sign the server's certificate the pipeline stops, loudly, before reading
// anything. The server's certificate comes from tests/services/tls-certs.
#include <gtest/gtest.h>

#include "tests/e2e/permanent_fault_util.h"
#include "tests/e2e/postgres/pg_e2e_util.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
using pg::testing::TestDatabase;

// PgToFileConfig with `extra` (libpq keywords) added to the source's DSN.
std::string TlsConfig(const TestDatabase& db, const std::string& out, const std::string& extra) {
  std::string config = PgToFileConfig(db, out, "[\"public.t\"]", "      snapshot: initial\n", 100);
  const std::string dsn = "dsn: \"" + db.dsn();
  const size_t at = config.find(dsn);
  EXPECT_NE(at, std::string::npos) << config;
  if (at != std::string::npos) config.insert(at + dsn.size(), " " + extra);
  return config;
}

uint64_t Committed(httplib::Client& http, const std::string& name) {
  const nlohmann::json p = PipelineEntry(http, name);
  return p.is_null() ? 0 : p["events_committed"].get<uint64_t>();
}

TEST(PgTlsTest, VerifyFullSnapshotsAndStreamsOverTls) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  CDCD_SERVICE_ENV_OR_SKIP(ca, "postgres", "CDCD_TEST_PG_SSL_CA");
  TestDatabase db(dsn, "tls");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v int)");
  db.sql("INSERT INTO t VALUES (1, 1)");
  CompanionRun run;
  // verify-full checks the chain and that the certificate names the host
  // (here the address 127.0.0.1, one of its subjectAltNames).
  run.start(TlsConfig(db, run.dir().out(), "sslmode=verify-full sslrootcert=" + ca));
  const std::string name = PgTag(db);
  for (int i = 0; i < 300 && Committed(run.http(), name) < 1; ++i)
    std::this_thread::sleep_for(100ms);
  db.sql("INSERT INTO t VALUES (2, 2)");
  for (int i = 0; i < 300 && Committed(run.http(), name) < 2; ++i)
    std::this_thread::sleep_for(100ms);
  ASSERT_EQ(Committed(run.http(), name), 2u) << run.dir().log_text();
  // The replication connection holding the slot is encrypted.
  auto ssl = db.sql(
      "SELECT s.ssl FROM pg_replication_slots r JOIN pg_stat_ssl s ON s.pid = r.active_pid "
      "WHERE r.slot_name = 's_" +
      name + "'");
  ASSERT_EQ(ssl.rows(), 1);
  EXPECT_EQ(ssl.get(0, 0), "t");
}

TEST(PgTlsTest, UntrustedServerCertificateStopsThePipeline) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "tlsbad");
  db.sql("CREATE TABLE t (id int PRIMARY KEY, v int)");
  // A CA of its own, which did not sign the server's certificate.
  TempDir other;
  const std::string other_ca = UntrustedCa(other);
  ASSERT_FALSE(HasFailure());
  CompanionRun run;
  run.start(TlsConfig(db, run.dir().out(), "sslmode=verify-full sslrootcert=" + other_ca));
  run.expect_loud_stop(PgTag(db), "certificate verify failed");
  EXPECT_EQ(Committed(run.http(), PgTag(db)), 0u);
}

}  // namespace
}  // namespace cdc::testing
