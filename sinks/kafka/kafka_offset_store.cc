#include "sinks/kafka/kafka_offset_store.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cdc/error.h"
#include "sinks/kafka/kafka_admin.h"
#include "sinks/kafka/kafka_client.h"
#include "sinks/kafka/kafka_topic_reader.h"

namespace cdc {
namespace {

constexpr int kFormatVersion = 1;

std::string IsoUtc(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

KafkaOffsetStore::KafkaOffsetStore(const KafkaSinkOptions& options) : options_(options) {}

bool KafkaOffsetStore::topic_exists() const {
  // Asked through a consumer: a producer's metadata request would make a
  // broker with auto.create.topics.enable create the topic, uncompacted.
  kafka::ClientPtr consumer =
      kafka::NewClient(RD_KAFKA_CONSUMER, kafka::MakeConf(options_.consumer_properties()),
                       "kafka sink " + key() + ": offsets topic check");
  return kafka::PartitionCount(consumer.get(), topic(), options_.operation_timeout).has_value();
}

void KafkaOffsetStore::ensure_topic(rd_kafka_t* rk) const {
  // Existing topics need no CREATE permission and no Admin API.
  if (topic_exists()) return;
  kafka::CreateTopicResult r = kafka::CreateTopic(rk, topic(), 1, {{"cleanup.policy", "compact"}},
                                                  options_.operation_timeout);
  if (r == kafka::CreateTopicResult::kCreated) {
    spdlog::info("kafka sink {}: created offsets topic {} (compacted, 1 partition)", key(),
                 topic());
  } else if (r != kafka::CreateTopicResult::kAlreadyExists) {
    throw Error("kafka sink " + key() + ": offsets topic " + topic() +
                " does not exist and the cluster refused to create it (not authorized, or no "
                "CreateTopics API): create it with cleanup.policy=compact, or grant CREATE on it");
  }
}

std::optional<Offset> KafkaOffsetStore::read(bool topic_must_exist) const {
  kafka::TopicReadOptions ro;
  ro.properties = options_.consumer_properties();
  ro.timeout = options_.operation_timeout;
  ro.missing_is_error = topic_must_exist;
  ro.role = "kafka sink " + key() + ": offsets reader";

  std::optional<Offset> last;
  std::string where;
  kafka::ReadTopicsToEnd(ro, {topic()}, [&](const rd_kafka_message_t& msg) {
    if (!msg.key || msg.key_len != key().size() ||
        key().compare(0, key().size(), static_cast<const char*>(msg.key), msg.key_len) != 0) {
      return;
    }
    where = "offsets topic " + topic() + " [" + std::to_string(msg.partition) + "] at offset " +
            std::to_string(msg.offset);
    if (!msg.payload) {
      last.reset();  // tombstone: reset by an operator
      return;
    }
    nlohmann::json j = nlohmann::json::parse(static_cast<const char*>(msg.payload),
                                             static_cast<const char*>(msg.payload) + msg.len,
                                             nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("offset")) {
      throw Error(
          where + ": the record for pipeline " + key() + " is not a cdcd offset record: " +
          std::string(static_cast<const char*>(msg.payload), std::min<size_t>(msg.len, 200)));
    }
    // A later format may mean something else by the same fields: refuse it
    // rather than resume from a misread position (a downgrade).
    const auto version = j.find("version");
    if (version != j.end() && (!version->is_number_integer() || *version != kFormatVersion)) {
      throw Error(where + ": the record for pipeline " + key() + " has format version " +
                  version->dump() + ", this cdcd reads version " + std::to_string(kFormatVersion) +
                  ": it was written by another cdcd version; run that version (or a newer one)");
    }
    last = Offset::from_json(j["offset"], where);
  });
  if (last)
    spdlog::debug("kafka sink {}: committed offset {} from {}", key(), last->debug_string(), where);
  return last;
}

std::string KafkaOffsetStore::encode(const Offset& next, uint64_t records) const {
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  nlohmann::json j = {{"pipeline", key()},
                      {"offset", next.to_json()},
                      {"committed_at", IsoUtc(now_ms)},
                      {"committed_at_ms", now_ms},
                      {"transactional_id", options_.transactional_id},
                      {"records", records},
                      {"version", kFormatVersion}};
  return j.dump();
}

}  // namespace cdc
