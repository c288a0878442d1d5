// Topic creation through librdkafka's Admin API, for the offsets topic (and
// for tests that need topics with a given partition count).
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <string>

namespace cdc::kafka {

enum class CreateTopicResult { kCreated, kAlreadyExists, kNotAuthorized, kUnsupported };

// Creates `topic` with `partitions` partitions, the broker's default
// replication factor and `configs` (e.g. cleanup.policy=compact), using any
// client `rk`. An existing topic is not an error, and neither is a missing
// CREATE permission or a cluster without CreateTopics (the caller checks that
// the topic exists). Throws
// TransientError when the cluster does not answer in time, Error when it
// refuses the topic (bad name, bad config).
CreateTopicResult CreateTopic(rd_kafka_t* rk, const std::string& topic, int partitions,
                              const std::map<std::string, std::string>& configs,
                              std::chrono::milliseconds timeout);

}  // namespace cdc::kafka
