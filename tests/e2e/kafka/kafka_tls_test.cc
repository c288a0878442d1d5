// The Kafka sink over TLS and SASL/SCRAM against the real broker
// (tests/services/svc gives it an SSL listener and a SASL_SSL listener with
// SCRAM-SHA-512): through the cdcd binary, pipelines deliver over each, and a
// read_committed consumer on the SSL listener reads their records. A wrong
// SASL password and a broker certificate that does not verify stop the
// pipeline with a message that names the cause, where librdkafka alone would
// retry forever; the password never shows.
#include <gtest/gtest.h>

#include <map>

#include "tests/e2e/permanent_fault_util.h"
#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/support/test_support.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;

// A generator -> Kafka pipeline `name` through `brokers` with `properties`
// (a YAML flow mapping's entries).
std::string Pipeline(const std::string& name, const std::string& brokers,
                     const std::string& properties) {
  return "  - name: " + name +
         "\n"
         "    source: {type: generator, tables: [orders], rate: 200}\n"
         "    sink: {type: kafka, brokers: \"" +
         brokers + "\", offsets_topic: " + name +
         "_offsets, operation_timeout: 5s,\n"
         "           properties: {" +
         properties +
         "}}\n"
         "    format: {tombstones: false}\n"
         "    batch: {linger: 20ms}\n"
         "    retry: {initial_backoff: 100ms, max_backoff: 1s}\n";
}

std::string Ssl(const std::string& ca) {
  return "security.protocol: ssl, ssl.ca.location: \"" + ca + "\"";
}

std::string SaslSsl(const std::string& ca, const std::string& user, const std::string& password) {
  return "security.protocol: sasl_ssl, ssl.ca.location: \"" + ca +
         "\", sasl.mechanism: SCRAM-SHA-512, sasl.username: " + user + ", sasl.password: \"" +
         password + "\"";
}

struct TlsBroker {
  std::string ssl, sasl_ssl, ca, user, password;
};

std::optional<TlsBroker> Broker() {
  TlsBroker b;
  for (auto [field, key] : {std::pair{&b.ssl, "SSL_BROKERS"},
                            {&b.sasl_ssl, "SASL_SSL_BROKERS"},
                            {&b.ca, "SSL_CA"},
                            {&b.user, "SASL_USER"},
                            {&b.password, "SASL_PASSWORD"}}) {
    std::optional<std::string> v = ServiceEnv("kafka", std::string("CDCD_TEST_KAFKA_") + key);
    if (!v) return std::nullopt;
    *field = *v;
  }
  return b;
}

#define CDCD_TLS_BROKER_OR_SKIP(var)                                         \
  CDCD_SERVICE_ENV_OR_SKIP(var##_plain, "kafka", "CDCD_TEST_KAFKA_BROKERS"); \
  std::optional<TlsBroker> var##_opt = Broker();                             \
  ASSERT_TRUE(var##_opt) << "the kafka service's env has no TLS listeners";  \
  const TlsBroker& var = *var##_opt

uint64_t Committed(httplib::Client& http, const std::string& name) {
  const nlohmann::json p = PipelineEntry(http, name);
  return p.is_null() ? 0 : p["events_committed"].get<uint64_t>();
}

// The committed records of `topic`, read over the SSL listener.
std::vector<kafka::KafkaMessage> ReadOverSsl(const TlsBroker& b, const std::string& topic) {
  kafka::TopicReadOptions ro;
  ro.properties = {{"bootstrap.servers", b.ssl},     {"security.protocol", "ssl"},
                   {"ssl.ca.location", b.ca},        {"isolation.level", "read_committed"},
                   {"enable.partition.eof", "true"}, {"enable.auto.commit", "false"}};
  ro.timeout = 60s;
  ro.role = "test reader";
  return kafka::ReadAllMessages(ro, {topic});
}

TEST(KafkaTlsTest, DeliversOverSslAndOverSaslScram) {
  CDCD_TLS_BROKER_OR_SKIP(broker);
  const std::string tag = UniqueTag();
  const std::string ssl = "ssl_" + tag, sasl = "sasl_" + tag;
  CompanionRun run;
  run.start("pipelines:\n" + Pipeline(ssl, broker.ssl, Ssl(broker.ca)) +
            Pipeline(sasl, broker.sasl_ssl, SaslSsl(broker.ca, broker.user, broker.password)) +
            "http: {enabled: false}\n");
  std::map<std::string, uint64_t> committed;
  for (const std::string& name : {ssl, sasl}) {
    for (int i = 0; i < 600 && Committed(run.http(), name) < 100; ++i) {
      std::this_thread::sleep_for(100ms);
    }
    committed[name] = Committed(run.http(), name);
    ASSERT_GE(committed[name], 100u) << name << "\n" << run.dir().log_text();
  }
  run.stop();
  for (const std::string& name : {ssl, sasl}) {
    // One record per committed event (no tombstones), all of them visible
    // to a read_committed consumer.
    EXPECT_GE(ReadOverSsl(broker, name + ".public.orders").size(), committed[name]) << name;
  }
  EXPECT_EQ(run.dir().log_text().find(broker.password), std::string::npos);
}

TEST(KafkaTlsTest, WrongSaslPasswordStopsThePipeline) {
  CDCD_TLS_BROKER_OR_SKIP(broker);
  const std::string name = "saslbad_" + UniqueTag();
  CompanionRun run;
  run.start("pipelines:\n" +
            Pipeline(name, broker.sasl_ssl, SaslSsl(broker.ca, broker.user, "Wr0ng-Scram-5")) +
            "http: {enabled: false}\n");
  run.expect_loud_stop(name, "SASL authentication error");
  const std::string log = run.dir().log_text();
  EXPECT_EQ(log.find("Wr0ng-Scram-5"), std::string::npos) << log;
  auto status = run.http().Get("/pipelines");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->body.find("Wr0ng-Scram-5"), std::string::npos) << status->body;
}

TEST(KafkaTlsTest, UntrustedBrokerCertificateStopsThePipeline) {
  CDCD_TLS_BROKER_OR_SKIP(broker);
  // A CA of its own, which did not sign the broker's certificate.
  TempDir other;
  const std::string other_ca = UntrustedCa(other);
  ASSERT_FALSE(HasFailure());
  const std::string name = "sslbad_" + UniqueTag();
  CompanionRun run;
  run.start("pipelines:\n" + Pipeline(name, broker.ssl, Ssl(other_ca)) +
            "http: {enabled: false}\n");
  run.expect_loud_stop(name, "certificate verify failed");
}

}  // namespace
}  // namespace cdc::testing
