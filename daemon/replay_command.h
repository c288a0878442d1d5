// `cdcd replay`: publishes a capture (a file sink's directory, or Kafka
// topics) through a pipeline's sink, exactly once (cdc/replay.h).
//
//   cdcd replay --from DIR|kafka:TOPIC[,TOPIC] --config F --pipeline P
//               [--table T]... [--since TS] [--until TS]
//               [--topic-prefix X] [--rename-topic OLD=NEW]... [--name N]
//               [--brokers B]
//
// The target is pipeline P's sink, under an identity of its own (the
// replay's name): a Kafka sink keeps the replay's position in its offsets
// topic under "<P>:replay.<N>" with transactional id "<id>:replay.<N>", so
// the running pipeline is neither fenced nor overwritten; a file sink must
// be another directory than the capture. Kafka captures are read with
// --brokers, or else P's own Kafka sink settings (brokers and properties).
// Batches (batch.max_events, batch.max_bytes) and retry backoff are P's.
#pragma once

#include <stop_token>
#include <string>
#include <vector>

#include "cdc/registry.h"

namespace cdc {

struct ReplayCommand {
  std::string from;
  std::string config_path;
  std::string pipeline;
  std::vector<std::string> tables;
  std::string since, until;  // timestamps (cdc/timestamp.h); empty: open
  std::string topic_prefix;
  std::vector<std::string> renames;  // OLD=NEW
  std::string name = "replay";
  std::string brokers;
};

// Runs the replay; 0 when it reached the capture's end or was stopped
// (SIGINT/SIGTERM through `stop`) after committing. Usage problems and bad
// captures throw ConfigError (exit status 2) before anything is written.
int RunReplayCommand(const ReplayCommand& cmd, const Registry& registry, std::stop_token stop);

// A `type: kafka` connection block naming `brokers` (for --brokers), kept
// in `storage`; or, when `brokers` is empty, `sink` itself if it is a Kafka
// sink; null when neither gives one.
const ConfigNode* KafkaConnection(const std::string& brokers, const ConfigNode* sink,
                                  std::unique_ptr<ConfigNode>& storage);

}  // namespace cdc
