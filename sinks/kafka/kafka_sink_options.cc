#include "sinks/kafka/kafka_sink_options.h"

#include <charconv>

#include "sinks/kafka/kafka_client.h"

namespace cdc {
namespace {

// Properties the sink sets itself, and what to use instead.
const std::map<std::string, std::string>& ReservedProperties() {
  static const std::map<std::string, std::string> reserved = {
      {"bootstrap.servers", "set the sink's `brokers` instead"},
      {"metadata.broker.list", "set the sink's `brokers` instead"},
      {"transactional.id", "set the sink's `transactional_id` instead"},
      {"transaction.timeout.ms", "set the sink's `transaction_timeout` instead"},
      {"enable.idempotence", "the transactional producer is always idempotent"},
      {"isolation.level", "the offsets are always read with read_committed"},
      {"enable.auto.commit", "the sink never commits consumer offsets"},
      {"enable.partition.eof", "the sink's offsets reader needs it on"},
      {"group.id", "the sink uses no consumer group"},
  };
  return reserved;
}

std::string Millis(std::chrono::milliseconds d) {
  return std::to_string(d.count());
}

}  // namespace

KafkaSinkOptions KafkaSinkOptions::FromConfig(const ConfigNode& config,
                                              const std::string& pipeline) {
  KafkaSinkOptions o;
  o.pipeline = pipeline;
  o.brokers = config.get_string("brokers");
  if (o.brokers.empty()) config.child("brokers").fail("must list at least one host:port");
  o.offsets_topic = config.get_string("offsets_topic", o.offsets_topic);
  if (o.offsets_topic.empty()) config.child("offsets_topic").fail("must name a topic");
  o.transactional_id = config.get_string("transactional_id", "cdcd-" + pipeline);
  if (o.transactional_id.empty()) config.child("transactional_id").fail("must not be empty");
  o.transaction_timeout = config.get_duration("transaction_timeout", o.transaction_timeout);
  // The broker's transaction.max.timeout.ms defaults to 15 minutes; below a
  // second every commit would race the coordinator's abort.
  if (o.transaction_timeout < std::chrono::seconds(1)) {
    config.child("transaction_timeout").fail("must be at least 1s");
  }
  o.exactly_once = config.get_choice("delivery", {"exactly_once", "at_least_once"},
                                     "exactly_once") == "exactly_once";
  o.operation_timeout = config.get_duration("operation_timeout", o.operation_timeout);
  if (o.operation_timeout < std::chrono::milliseconds(100)) {
    config.child("operation_timeout").fail("must be at least 100ms");
  }

  if (std::optional<ConfigNode> props = config.optional_child("properties")) {
    o.properties = config.get_string_map("properties");
    // NAME_file: NAME's value is the content of that file (a mounted secret,
    // e.g. sasl.password_file); no librdkafka property ends in "_file".
    for (auto it = o.properties.begin(); it != o.properties.end();) {
      if (!it->first.ends_with("_file")) {
        ++it;
        continue;
      }
      const std::string name = it->first.substr(0, it->first.size() - 5);
      o.properties[name] = props->get_secret(name);
      it = o.properties.erase(it);
    }
    kafka::ConfPtr probe(rd_kafka_conf_new());
    for (const auto& [name, value] : o.properties) {
      auto reserved = ReservedProperties().find(name);
      if (reserved != ReservedProperties().end()) {
        props->child(name).fail("is set by the Kafka sink: " + reserved->second);
      }
      std::string err = kafka::SetProperty(probe.get(), name, value);
      if (!err.empty()) props->child(name).fail("librdkafka: " + err);
    }
    // librdkafka only checks this when the producer is created: catch it now.
    for (const char* name : {"message.timeout.ms", "delivery.timeout.ms"}) {
      auto it = o.properties.find(name);
      if (it == o.properties.end()) continue;
      int64_t ms = 0;
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), ms);
      if (ms > o.transaction_timeout.count()) {
        props->child(name).fail("must not exceed transaction_timeout (" +
                                Millis(o.transaction_timeout) +
                                " ms): a record must fail before its transaction times out");
      }
    }
  }
  return o;
}

std::map<std::string, std::string> KafkaSinkOptions::producer_properties() const {
  std::map<std::string, std::string> p = properties;
  p["bootstrap.servers"] = brokers;
  if (exactly_once) {
    p["transactional.id"] = transactional_id;
    p["transaction.timeout.ms"] = Millis(transaction_timeout);
  } else {
    // Retries never reorder or duplicate within a session; a record the
    // brokers do not take within transaction_timeout fails the commit.
    p["enable.idempotence"] = "true";
    p.emplace("message.timeout.ms", Millis(transaction_timeout));
  }
  p.emplace("partitioner", "murmur2_random");
  p.emplace("client.id", "cdcd-" + pipeline);
  return p;
}

std::map<std::string, std::string> KafkaSinkOptions::consumer_properties() const {
  std::map<std::string, std::string> p = properties;
  p["bootstrap.servers"] = brokers;
  p["isolation.level"] = "read_committed";
  p["enable.auto.commit"] = "false";
  p["enable.partition.eof"] = "true";
  p.emplace("client.id", "cdcd-" + pipeline + "-offsets");
  return p;
}

}  // namespace cdc
