// KafkaSinkMetrics: counters of one Kafka sink, for the daemon's /metrics.
//
// KafkaTransactionalSink::metrics() returns a consistent copy; it is safe to
// call from any thread while the pipeline commits.
#pragma once

#include <cstdint>

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

}  // namespace cdc
