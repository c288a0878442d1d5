// Shared by the Kafka sink tests (and tests/e2e/kafka): unique names on the
// shared broker, small formats, sinks built from YAML the way the daemon
// builds them, and reading topics back.
#pragma once

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/config_node.h"
#include "cdc/format.h"
#include "cdc/registry.h"
#include "sinks/kafka/kafka_admin.h"
#include "sinks/kafka/kafka_client.h"
#include "sinks/kafka/kafka_topic_reader.h"
#include "sinks/kafka/kafka_transactional_sink.h"
#include "tests/support/id_test_format.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace cdc::testing {

// Tests run in parallel against one broker: every topic, offsets topic and
// transactional id carries this tag. Letters, digits and '_' only.
inline std::string UniqueTag() {
  static const std::string tag = [] {
    std::random_device rd;
    char buf[32];
    std::snprintf(buf, sizeof buf, "p%d_%08x", static_cast<int>(::getpid()), rd());
    return std::string(buf);
  }();
  static int n = 0;
  return tag + "_" + std::to_string(++n);
}

// Key and value are the customer's name, verbatim: lets a test choose the
// exact key bytes (e.g. the murmur2 reference vectors).
class NameKeyFormat : public Format {
 public:
  std::optional<std::string> key(const ChangeEvent& ev) const override { return name(ev); }
  std::string value(const ChangeEvent& ev) const override { return name(ev); }

 private:
  static std::string name(const ChangeEvent& ev) {
    const Row& row = ev.after ? *ev.after : *ev.before;
    return row.values.at(1).as<std::string>();
  }
};

inline PipelineContext KafkaTestContext(const std::string& pipeline,
                                        std::shared_ptr<const Format> format = nullptr,
                                        bool tombstones = true) {
  PipelineContext ctx;
  ctx.pipeline_name = pipeline;
  ctx.format = format ? std::move(format) : std::make_shared<IdTestFormat>();
  ctx.format_options.tombstones = tombstones;
  return ctx;
}

// A kafka sink from the lines of its `sink:` block (without `type`).
inline std::unique_ptr<KafkaTransactionalSink> MakeKafkaTestSink(const std::string& yaml,
                                                                 const PipelineContext& ctx) {
  ConfigNode node(YAML::Load("type: kafka\n" + yaml), "test.yaml", "sink");
  std::unique_ptr<Sink> sink = MakeKafkaSink(node, ctx);
  return std::unique_ptr<KafkaTransactionalSink>(
      static_cast<KafkaTransactionalSink*>(sink.release()));
}

// Every record of `topics` up to their current end; read_committed unless
// `committed` is false (then aborted and open transactions show too).
inline std::vector<kafka::KafkaMessage> ReadTopics(const std::string& brokers,
                                                   const std::vector<std::string>& topics,
                                                   bool committed = true) {
  kafka::TopicReadOptions ro;
  ro.properties = {{"bootstrap.servers", brokers},
                   {"isolation.level", committed ? "read_committed" : "read_uncommitted"},
                   {"enable.partition.eof", "true"},
                   {"enable.auto.commit", "false"}};
  ro.timeout = std::chrono::seconds(60);
  ro.role = "test reader";
  return kafka::ReadAllMessages(ro, topics);
}

// The committed records of `topic` once it holds `n` or more, or what it holds
// after a minute; a topic that does not exist yet reads as empty.
inline std::vector<kafka::KafkaMessage> WaitForRecords(const std::string& brokers,
                                                       const std::string& topic, size_t n) {
  std::vector<kafka::KafkaMessage> got;
  for (int i = 0; i < 120 && got.size() < n; ++i) {
    try {
      got = ReadTopics(brokers, {topic});
    } catch (const std::exception&) {
      // The topic does not exist until the first commit creates it.
    }
    if (got.size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return got;
}

// Creates `topic` with `partitions` partitions (and `configs`).
inline void CreateTestTopic(const std::string& brokers, const std::string& topic, int partitions,
                            const std::map<std::string, std::string>& configs = {}) {
  kafka::ClientPtr rk = kafka::NewClient(
      RD_KAFKA_PRODUCER, kafka::MakeConf({{"bootstrap.servers", brokers}}), "test admin");
  kafka::CreateTopic(rk.get(), topic, partitions, configs, std::chrono::seconds(30));
}

// The end-to-end tests' "customers" records: record i is a Debezium change
// with op ops[i] of row ids[i] of db.customers from `connector`, keyed by
// {"id": ...}, with cdcd's headers.
inline void ExpectCustomerChanges(const std::vector<kafka::KafkaMessage>& got,
                                  const std::vector<std::string>& ops,
                                  const std::vector<int>& ids, const std::string& connector,
                                  const std::string& db) {
  ASSERT_GE(got.size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    ASSERT_TRUE(got[i].key && got[i].value);
    EXPECT_EQ(nlohmann::json::parse(*got[i].key), (nlohmann::json{{"id", ids[i]}}));
    auto v = nlohmann::json::parse(*got[i].value);
    EXPECT_EQ(v["op"], ops[i]);
    EXPECT_EQ(v["source"]["connector"], connector);
    EXPECT_EQ(v["source"]["db"], db);
    EXPECT_EQ(v["source"]["table"], "customers");
    EXPECT_EQ(got[i].header("cdcd.op"), ops[i]);
    EXPECT_TRUE(got[i].header("cdcd.event_id"));
    EXPECT_TRUE(got[i].header("cdcd.source_ts_ms"));
  }
}

// Runs `cdcd offsets show --config config` (its output goes to `out`) and
// returns the committed offsets it printed; fails the test if it failed.
inline nlohmann::json ShowOffsets(const std::filesystem::path& config,
                                  const std::filesystem::path& out) {
  ChildProcess show({CDCD_BINARY, "offsets", "show", "--config", config.string()}, out.string());
  const int status = show.wait();
  const std::string text = ReadFile(out);
  EXPECT_EQ(status, 0) << text;
  const size_t list = text.find('[');
  if (status != 0 || list == std::string::npos) {
    ADD_FAILURE() << "no offsets printed: " << text;
    return nlohmann::json::array();
  }
  return nlohmann::json::parse(text.substr(list));
}

// An offset without source state.
inline Offset KOffset(const std::string& tx, uint64_t index) {
  return Offset{tx, index, nullptr};
}

}  // namespace cdc::testing
