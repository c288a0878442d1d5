// Reading topics to their current end: the offsets store reads its
// compacted topic this way, and tests read back what the sink published.
//
// A consumer without a group is assigned every partition of the topics from
// the beginning and polled until each partition reports its end
// (enable.partition.eof). With isolation.level=read_committed that end is
// the last stable offset: records of aborted transactions are skipped and a
// still-open transaction ends the read before its first record.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/record.h"

namespace cdc::kafka {

struct KafkaMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;    // nullopt: null key
  std::optional<std::string> value;  // nullopt: tombstone
  std::vector<Header> headers;

  std::optional<std::string> header(const std::string& name) const;
};

struct TopicReadOptions {
  // Consumer configuration; needs bootstrap.servers and
  // enable.partition.eof=true (KafkaSinkOptions::consumer_properties()).
  std::map<std::string, std::string> properties;
  std::chrono::milliseconds timeout{30000};
  // A topic the cluster does not know: read as empty, or TransientError.
  bool missing_is_error = false;
  std::string role = "kafka reader";  // names the consumer in logs and errors
};

// Calls `on_message` for every record of `topics`, partition by partition
// in offset order (partitions interleave). Throws TransientError when the end
// is not reached within the timeout or metadata cannot be had.
void ReadTopicsToEnd(const TopicReadOptions& options, const std::vector<std::string>& topics,
                     const std::function<void(const rd_kafka_message_t&)>& on_message);

// A consumed message as a Record: topic, key and value (null when absent),
// headers (a null header value reads as empty).
void ToRecord(const rd_kafka_message_t& msg, Record& out);

// The same, collected.
std::vector<KafkaMessage> ReadAllMessages(const TopicReadOptions& options,
                                          const std::vector<std::string>& topics);

// Number of partitions of `topic`, or nullopt when the cluster does not know
// it. `rk` is any client. Throws TransientError on other failures.
std::optional<int> PartitionCount(rd_kafka_t* rk, const std::string& topic,
                                  std::chrono::milliseconds timeout);

}  // namespace cdc::kafka
