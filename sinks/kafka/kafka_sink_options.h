// KafkaSinkOptions: the settings of a `type: kafka` sink block, and the
// librdkafka configurations derived from them.
//
//   sink:
//     type: kafka
//     brokers: "kafka1:9092,kafka2:9092"   # required: bootstrap.servers
//     offsets_topic: cdcd_offsets          # compacted, created if missing
//     transactional_id: cdcd-shop          # default cdcd-<pipeline name>
//     transaction_timeout: 60s             # transaction.timeout.ms; also bounds one commit
//     operation_timeout: 30s               # init/abort/admin/offsets-read calls
//     delivery: exactly_once               # or at_least_once: no transactions
//     properties: { compression.type: zstd, linger.ms: 20 }   # librdkafka, as-is
//     # plus the routing keys of TopicRouting::FromConfig (topic, topics, ...)
//
// `properties` go to the producer and to the consumer that reads the offsets
// topic (security settings must apply to both). Each is checked with
// rd_kafka_conf_set() when the config is parsed -- no I/O -- so an unknown
// name or a bad value fails `cdcd validate` with librdkafka's own message
// at the property's line. Properties the sink must control itself are
// refused there too, pointing at the sink key to use instead.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "cdc/config_node.h"

namespace cdc {

struct KafkaSinkOptions {
  std::string pipeline;  // the pipeline name: key of the offset record
  std::string brokers;
  std::string offsets_topic = "cdcd_offsets";
  std::string transactional_id;  // cdcd-<pipeline> unless configured
  std::chrono::milliseconds transaction_timeout{60000};
  std::chrono::milliseconds operation_timeout{30000};
  std::map<std::string, std::string> properties;  // the user's librdkafka properties
  // `delivery: exactly_once` (the default): each commit is one Kafka
  // transaction. `at_least_once`: an idempotent producer without
  // transactions; a commit's offset record is produced only after every one
  // of its records was acknowledged, so a crash can repeat records, never
  // lose them, and consumers need not read read_committed.
  bool exactly_once = true;
  // The pipeline's `standby: true`: hold the lease (kafka_lease.h) before
  // init_transactions, so that a standby never fences the active process.
  bool standby = false;

  // Reads every key above (not the routing keys, not `type`) and validates
  // `properties` against librdkafka. Throws ConfigError.
  static KafkaSinkOptions FromConfig(const ConfigNode& config, const std::string& pipeline);

  // librdkafka configuration of the producer: the user's properties plus
  // bootstrap.servers, client.id and partitioner=murmur2_random (the Java
  // client's partitioner, so Kafka Streams and Flink co-partition with us)
  // unless the user chose another partitioner; and transactional.id with
  // transaction.timeout.ms (exactly_once), or enable.idempotence with
  // message.timeout.ms = transaction_timeout unless set (at_least_once).
  std::map<std::string, std::string> producer_properties() const;
  // librdkafka configuration of a consumer reading committed data only, to
  // the end of each partition (enable.partition.eof), never committing.
  std::map<std::string, std::string> consumer_properties() const;
};

}  // namespace cdc
