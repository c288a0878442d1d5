// KafkaOffsetStore: committed offsets kept in a compacted Kafka topic.
//
// Every committed batch carries one offset record in the same Kafka
// transaction as its data: key = the pipeline name, value = JSON
//   {"pipeline": "shop", "offset": {"tx": ..., "index": ..., "state": ...},
//    "committed_at": "2025-01-01T00:00:00.123Z", "committed_at_ms": 1735689600123,
//    "transactional_id": "cdcd-shop", "records": 812, "version": 1}
// so the offset is visible exactly when the batch is. Several pipelines may
// share one offsets topic: each reads only its own key.
//
// The topic (`offsets_topic`, default cdcd_offsets) is created on first use
// with one partition and cleanup.policy=compact, so it keeps the last record
// per pipeline forever and stays small. Reading it: every record from the
// beginning, read_committed, up to the end of the partition; the last record
// with the pipeline's key wins. A tombstone (null value) for the key resets
// the pipeline to "nothing committed" -- how an operator restarts a pipeline
// from scratch without deleting the topic.
//
// Reading must follow init_transactions() of the pipeline's producer: that
// completes or aborts the previous instance's last transaction, so the end of
// the partition (its last stable offset) is final for this pipeline.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <optional>
#include <string>

#include "cdc/offset.h"
#include "sinks/kafka/kafka_sink_options.h"

namespace cdc {

class KafkaOffsetStore {
 public:
  explicit KafkaOffsetStore(const KafkaSinkOptions& options);

  const std::string& topic() const { return options_.offsets_topic; }
  const std::string& key() const { return options_.pipeline; }

  // Creates the offsets topic unless it exists, through client `rk`.
  // TransientError when the cluster does not answer; Error when the topic
  // can be neither created nor found.
  void ensure_topic(rd_kafka_t* rk) const;
  // Whether the cluster knows the offsets topic (TransientError: no answer).
  bool topic_exists() const;

  // The pipeline's last committed offset; nullopt when none (or reset).
  // `topic_must_exist`: a topic the cluster does not know is then a
  // TransientError (metadata not propagated yet) rather than "nothing
  // committed". Error when the record is not a cdcd offset.
  std::optional<Offset> read(bool topic_must_exist) const;

  // The value of the offset record for `next`, after a batch of `records`.
  std::string encode(const Offset& next, uint64_t records) const;

 private:
  KafkaSinkOptions options_;
};

}  // namespace cdc
