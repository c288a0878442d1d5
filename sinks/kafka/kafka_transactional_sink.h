// KafkaTransactionalSink: an exactly-once sink into Kafka, with the
// committed offsets kept in Kafka itself (see kafka_offset_store.h).
//
// Configuration: see kafka_sink_options.h; routing (topic templates with
// {prefix} {database} {schema} {table}, per-table overrides, heartbeat /
// schema-change / transaction topics), keys, values, cdcd.* headers and
// tombstones come from RecordBuilder and the pipeline's format.
// Records are partitioned by key with librdkafka's murmur2_random
// partitioner, the Java client's: consumers in Kafka Streams or Flink that
// hash the same key bytes land on the same partition.
//
// recover():
//   0. with the pipeline's `standby: true` only: hold the lease
//      (kafka_lease.h), or throw HeldElsewhereError and let the pipeline
//      stand by -- so a standby never fences the active process;
//   1. drop the previous producer, if any, and create a new one;
//   2. init_transactions: fences every older producer with the same
//      transactional.id (a crashed or still running earlier instance, or
//      this sink's own failed incarnation) and completes or aborts its last
//      transaction;
//   3. create the offsets topic if missing (first recovery only);
//   4. read the pipeline's offset from it, read_committed, to its end.
// A fresh producer per recovery keeps recovery one code path whatever state
// the failure left librdkafka in (abortable, fatal, timed out mid-commit).
//
// commit(batch, next) -- one Kafka transaction (commit_records the same, with
// the records given):
//   begin_transaction; produce each record (waiting, never dropping, when
//   librdkafka's queue is full); produce the offset record; flush; check the
//   delivery report of every record; commit_transaction (retried on
//   retriable errors until transaction_timeout after begin).
// Failures:
//   - fenced (another instance ran init_transactions with our
//     transactional.id): Error "another cdcd instance took over pipeline X";
//   - other fatal librdkafka errors, records the broker will never take
//     (larger than message.max.bytes, invalid, not authorized): Error;
//   - anything else (abortable errors, broker unreachable, timeouts):
//     abort when librdkafka says so, then TransientError. The pipeline then
//     calls recover() and resumes from the committed offset: an aborted
//     transaction is invisible to read_committed consumers, a commit that
//     did go through before a timeout is found in the offsets topic.
//
// With `delivery: at_least_once` there are no transactions: recover() skips
// init_transactions (a metadata request checks the brokers answer), and a
// commit produces the records, waits for every acknowledgement, and only
// then produces and flushes the offset record. A failure in between repeats
// the batch after recover(): at least once, never lost.
//
// committed_offset() only reads the offsets topic (no producer, so it never
// fences the running daemon).
//
// Not thread-safe except metrics() and kafka_metrics(): the pipeline calls one
// method at a time.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cdc/config_node.h"
#include "cdc/record.h"
#include "cdc/registry.h"
#include "cdc/sink.h"
#include "sinks/kafka/delivery_reports.h"
#include "sinks/kafka/kafka_client.h"
#include "sinks/kafka/kafka_lease.h"
#include "sinks/kafka/kafka_offset_store.h"
#include "sinks/kafka/kafka_sink_metrics.h"
#include "sinks/kafka/kafka_sink_options.h"

namespace cdc {

class KafkaTransactionalSink : public Sink {
 public:
  KafkaTransactionalSink(KafkaSinkOptions options, RecordBuilder builder);
  ~KafkaTransactionalSink() override;

  std::optional<Offset> recover() override;
  std::optional<Offset> committed_offset() override;
  void commit(const std::vector<ChangeEvent>& batch, const Offset& next) override;
  void commit_records(const std::vector<Record>& records, const Offset& next) override;

  // The counters below through the generic hook (see ToSinkMetrics).
  std::vector<SinkMetric> metrics() const override;
  KafkaSinkMetrics kafka_metrics() const;
  const KafkaSinkOptions& options() const { return options_; }

 private:
  using Clock = std::chrono::steady_clock;

  // One commit's Kafka transaction: begin, produce_record each record,
  // finish (the offset record, flush, commit).
  struct Transaction {
    Clock::time_point started, deadline;
    uint64_t records = 0, bytes = 0;
  };
  Transaction begin();
  void produce_record(const Record& r, Transaction& tx);
  // The same for a record rendered into key_buffer_ and value_buffer_.
  void produce_record(const RecordRef& r, Transaction& tx);
  void finish(const Transaction& tx, const Offset& next);

  // With options_.standby: joins the lease's group (first call) and throws
  // HeldElsewhereError unless this process holds the lease.
  void take_lease();
  void start_producer();
  void close_producer();
  // Key or value nullopt: null.
  void produce(const std::string& topic, std::optional<std::string_view> key,
               std::optional<std::string_view> value, std::span<const HeaderRef> headers,
               Clock::time_point deadline);
  void flush_and_check(Clock::time_point deadline);
  void commit_transaction(Clock::time_point deadline);
  // With options_.standby, throws HeldElsewhereError (fenced by the other
  // process of the pair); otherwise returns.
  void throw_if_standby(const std::string& what);
  // Throws the Error for a fatal librdkafka state, if there is one.
  void throw_if_fatal(const std::string& what);
  [[noreturn]] void throw_for(const std::string& what, const rd_kafka_error_t* error);
  // Aborts the open transaction (best effort) and throws.
  [[noreturn]] void abort_and_throw(const std::string& what, bool permanent);
  // Leaves the open transaction to the next recover() (whose
  // init_transactions aborts it) and throws TransientError: for brokers that
  // are unreachable, where abort_transaction() would only time out too.
  [[noreturn]] void abandon_and_throw(const std::string& what);
  std::string context() const;

  KafkaSinkOptions options_;
  RecordBuilder builder_;
  KafkaOffsetStore store_;
  kafka::DeliveryReports reports_;            // outlives producer_, whose callbacks use it
  std::unique_ptr<kafka::KafkaLease> lease_;  // with options_.standby
  kafka::ClientPtr producer_;
  bool ready_ = false;           // recover() succeeded and no commit failed since
  bool in_transaction_ = false;  // begin_transaction() without commit/abort yet
  bool topic_ensured_ = false;
  // The record being produced, rendered here (librdkafka copies it); kept to
  // reuse their memory.
  OutBuffer key_buffer_, value_buffer_;

  mutable std::mutex metrics_mu_;
  KafkaSinkMetrics metrics_;
};

// Builds a KafkaTransactionalSink from a `sink:` block (parsing only).
std::unique_ptr<Sink> MakeKafkaSink(const ConfigNode& config, const PipelineContext& ctx);
// Registers MakeKafkaSink as sink type "kafka".
void RegisterKafkaSink(Registry& registry);

}  // namespace cdc
