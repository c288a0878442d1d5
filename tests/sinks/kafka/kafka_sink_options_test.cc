// Parsing a `type: kafka` sink block: defaults, librdkafka property checks at
// start-up (no I/O), and the keys the sink refuses.
#include <gtest/gtest.h>

#include "cdc/error.h"
#include "daemon/builtin_plugins.h"
#include "tests/sinks/kafka/kafka_test_util.h"

namespace cdc {
namespace {

ConfigNode Block(const std::string& yaml) {
  return ConfigNode(YAML::Load(yaml), "test.yaml", "sink");
}

// The ConfigError message for a sink block, or "" when it parses.
std::string ParseError(const std::string& yaml) {
  try {
    MakeKafkaSink(Block("type: kafka\nbrokers: \"k:9092\"\n" + yaml),
                  testing::KafkaTestContext("shop"));
    return "";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

TEST(KafkaSinkOptionsTest, Defaults) {
  KafkaSinkOptions o = KafkaSinkOptions::FromConfig(Block("brokers: \"k1:9092,k2:9092\""), "shop");
  EXPECT_EQ(o.offsets_topic, "cdcd_offsets");
  EXPECT_EQ(o.transactional_id, "cdcd-shop");
  EXPECT_EQ(o.transaction_timeout, std::chrono::seconds(60));
  auto p = o.producer_properties();
  EXPECT_EQ(p["bootstrap.servers"], "k1:9092,k2:9092");
  EXPECT_EQ(p["transactional.id"], "cdcd-shop");
  EXPECT_EQ(p["transaction.timeout.ms"], "60000");
  EXPECT_EQ(p["partitioner"], "murmur2_random") << "the Java client's partitioner";
  auto c = o.consumer_properties();
  EXPECT_EQ(c["isolation.level"], "read_committed");
  EXPECT_EQ(c["enable.auto.commit"], "false");
}

TEST(KafkaSinkOptionsTest, AtLeastOnceIsIdempotentWithoutATransactionalId) {
  ConfigNode node(
      YAML::Load("brokers: k:9092\ndelivery: at_least_once\ntransaction_timeout: 20s\n"), "t.yaml",
      "sink");
  KafkaSinkOptions o = KafkaSinkOptions::FromConfig(node, "shop");
  EXPECT_FALSE(o.exactly_once);
  auto p = o.producer_properties();
  EXPECT_EQ(p.count("transactional.id"), 0u);
  EXPECT_EQ(p.count("transaction.timeout.ms"), 0u);
  EXPECT_EQ(p["enable.idempotence"], "true");
  EXPECT_EQ(p["message.timeout.ms"], "20000") << "a commit still has a bound";
  ConfigNode bad(YAML::Load("brokers: k:9092\ndelivery: maybe\n"), "t.yaml", "sink");
  EXPECT_THROW(KafkaSinkOptions::FromConfig(bad, "shop"), ConfigError);
}

TEST(KafkaSinkOptionsTest, SettingsAndPropertiesPassThrough) {
  KafkaSinkOptions o = KafkaSinkOptions::FromConfig(
      Block("brokers: k:9092\noffsets_topic: offs\ntransactional_id: tid\n"
            "transaction_timeout: 30s\noperation_timeout: 2s\n"
            "properties: {compression.type: zstd, linger.ms: 20, partitioner: consistent}\n"),
      "shop");
  EXPECT_EQ(o.offsets_topic, "offs");
  EXPECT_EQ(o.operation_timeout, std::chrono::seconds(2));
  auto p = o.producer_properties();
  EXPECT_EQ(p["transactional.id"], "tid");
  EXPECT_EQ(p["transaction.timeout.ms"], "30000");
  EXPECT_EQ(p["compression.type"], "zstd");
  EXPECT_EQ(p["linger.ms"], "20");
  EXPECT_EQ(p["partitioner"], "consistent") << "the user's choice wins";
}

TEST(KafkaSinkOptionsTest, APropertyCanComeFromAFile) {
  const std::string file = ::testing::TempDir() + "/cdcd_kafka_secret_test";
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("kafka-pw\n", f);
    std::fclose(f);
  }
  KafkaSinkOptions o = KafkaSinkOptions::FromConfig(
      Block("brokers: k:9092\nproperties: {sasl.password_file: " + file + "}\n"), "shop");
  auto p = o.producer_properties();
  EXPECT_EQ(p["sasl.password"], "kafka-pw");
  EXPECT_EQ(p.count("sasl.password_file"), 0u);
  EXPECT_NE(ParseError("properties: {sasl.password: a, sasl.password_file: " + file + "}\n")
                .find("give sasl.password or sasl.password_file, not both"),
            std::string::npos);
  std::remove(file.c_str());
}

TEST(KafkaSinkOptionsTest, BadPropertiesFailAtStartUpWithLibrdkafkasMessage) {
  std::string e = ParseError("properties:\n  no.such.property: 1\n");
  EXPECT_NE(e.find("test.yaml:4"), std::string::npos) << e;
  EXPECT_NE(e.find("No such configuration property: \"no.such.property\""), std::string::npos) << e;
  e = ParseError("properties: {compression.type: bogus}\n");
  EXPECT_NE(e.find("compression.type"), std::string::npos) << e;
  EXPECT_NE(e.find("librdkafka"), std::string::npos) << e;
  e = ParseError("properties: {transactional.id: x}\n");
  EXPECT_NE(e.find("transactional_id"), std::string::npos) << e;
  e = ParseError("properties: {bootstrap.servers: x}\n");
  EXPECT_NE(e.find("brokers"), std::string::npos) << e;
  e = ParseError("transaction_timeout: 10s\nproperties: {message.timeout.ms: 20000}\n");
  EXPECT_NE(e.find("must not exceed transaction_timeout"), std::string::npos) << e;
}

TEST(KafkaSinkOptionsTest, UnknownAndMissingKeysAreErrors) {
  EXPECT_NE(ParseError("offset_topic: x\n").find("offset_topic"), std::string::npos);
  EXPECT_NE(ParseError("transaction_timeout: 10ms\n").find("at least 1s"), std::string::npos);
  try {
    MakeKafkaSink(Block("type: kafka\ntopic: x\n"), testing::KafkaTestContext("shop"));
    FAIL() << "brokers is required";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("brokers"), std::string::npos) << e.what();
  }
}

TEST(KafkaSinkOptionsTest, TheDaemonKnowsTheSinkAndBuildingItConnectsToNothing) {
  Registry r = BuiltinRegistry();
  auto t0 = std::chrono::steady_clock::now();
  // Nothing listens on port 1: a connection attempt would fail or hang.
  std::unique_ptr<Sink> sink = r.make_sink(Block("type: kafka\nbrokers: \"127.0.0.1:1\"\n"),
                                           testing::KafkaTestContext("shop"));
  EXPECT_NE(dynamic_cast<KafkaTransactionalSink*>(sink.get()), nullptr);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace cdc
