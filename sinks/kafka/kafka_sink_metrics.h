// KafkaSinkMetrics: counters of one Kafka sink, for the daemon's /metrics.
//
// KafkaTransactionalSink::kafka_metrics() returns a consistent copy; it is
// safe to call from any thread while the pipeline commits. Its metrics()
// reports the same values through the generic Sink hook, converted by
// ToSinkMetrics (the daemon prefixes the names with cdcd_sink_kafka_).
#pragma once

#include <cstdint>
#include <vector>

#include "cdc/sink.h"

namespace cdc {

struct KafkaSinkMetrics {
  // Records in committed transactions: data records, tombstones and control
  // events, not the sink's own offset records.
  uint64_t records = 0;
  // Key + value + header bytes of those records (before compression).
  uint64_t bytes = 0;
  uint64_t transactions = 0;  // committed Kafka transactions (one per batch)
  // Transactions that failed and were aborted (or abandoned to the next
  // recover(), whose init_transactions aborts them).
  uint64_t aborts = 0;
  uint64_t retries = 0;           // commit_transaction calls retried after a retriable error
  uint64_t queue_full_waits = 0;  // produce calls that waited for room in librdkafka's queue
  // From begin_transaction to the broker's commit acknowledgement.
  double last_commit_ms = 0;
  double max_commit_ms = 0;
  double total_commit_ms = 0;  // divide by `transactions` for the mean
};

// records_total, bytes_total, transactions_total, aborts_total, retries_total,
// queue_full_waits_total, and the commit durations in seconds:
// commit_seconds_last, commit_seconds_max and commit_seconds_total.
std::vector<SinkMetric> ToSinkMetrics(const KafkaSinkMetrics& m);

}  // namespace cdc
