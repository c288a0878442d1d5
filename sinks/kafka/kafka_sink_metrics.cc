#include "sinks/kafka/kafka_sink_metrics.h"

namespace cdc {

std::vector<SinkMetric> ToSinkMetrics(const KafkaSinkMetrics& m) {
  using T = SinkMetric::Type;
  return {
      {"records_total", T::kCounter,
       "Records in committed Kafka transactions (data, tombstones, control events; not the "
       "offset records).",
       static_cast<double>(m.records)},
      {"bytes_total", T::kCounter,
       "Key, value and header bytes of those records, before compression.",
       static_cast<double>(m.bytes)},
      {"transactions_total", T::kCounter, "Committed Kafka transactions, one per batch.",
       static_cast<double>(m.transactions)},
      {"aborts_total", T::kCounter, "Kafka transactions that failed and were aborted.",
       static_cast<double>(m.aborts)},
      {"retries_total", T::kCounter, "Transaction commits retried after a retriable broker error.",
       static_cast<double>(m.retries)},
      {"queue_full_waits_total", T::kCounter,
       "Produce calls that waited for room in the producer queue.",
       static_cast<double>(m.queue_full_waits)},
      {"commit_seconds_last", T::kGauge,
       "Duration of the last committed transaction, from begin to the broker's acknowledgement.",
       m.last_commit_ms / 1000},
      {"commit_seconds_max", T::kGauge, "Longest committed transaction.", m.max_commit_ms / 1000},
      {"commit_seconds_total", T::kCounter,
       "Summed duration of committed transactions; divide by transactions_total for the mean.",
       m.total_commit_ms / 1000},
  };
}

}  // namespace cdc
