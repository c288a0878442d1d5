#include "sinks/kafka/kafka_transactional_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "cdc/error.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

// How long to wait for room in librdkafka's queue between produce attempts.
constexpr int kQueueFullPollMs = 50;
// Pause between retries of a retriable commit_transaction error.
constexpr auto kCommitRetryPause = 100ms;
// abort_transaction() on a failure path: long enough for a reachable
// broker; if it is not reachable the next recover()'s init_transactions
// aborts the transaction anyway.
constexpr auto kAbortTimeout = 10s;
// The lease's group session: how long after the active process dies a standby
// takes over (plus the standby's poll). 6 s is the brokers' default
// group.min.session.timeout.ms.
constexpr auto kLeaseSessionTimeout = 6000ms;
// How long one recover() waits for the lease before standing by: most of a
// standby's time is spent waiting here, so it sees the lease come at once.
constexpr auto kLeaseWait = 5000ms;

bool IsFencing(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__FENCED || err == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         err == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

// Errors a retry cannot fix: the records themselves or the permissions are
// wrong. Retrying would loop forever, so the pipeline stops instead.
bool IsPermanentRecordError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return true;
    default:
      return false;
  }
}

double MillisSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

KafkaTransactionalSink::KafkaTransactionalSink(KafkaSinkOptions options, RecordBuilder builder)
    : options_(std::move(options)), builder_(std::move(builder)), store_(options_) {}

KafkaTransactionalSink::~KafkaTransactionalSink() {
  close_producer();
}

std::string KafkaTransactionalSink::context() const {
  return "kafka sink " + options_.pipeline + " (transactional.id " + options_.transactional_id +
         ")";
}

std::optional<Offset> KafkaTransactionalSink::recover() {
  ready_ = false;
  close_producer();
  if (options_.standby) take_lease();
  start_producer();
  if (!topic_ensured_) {
    store_.ensure_topic(producer_.get());
    topic_ensured_ = true;
  }
  std::optional<Offset> committed = store_.read(/*topic_must_exist=*/true);
  ready_ = true;
  spdlog::info("{}: ready; committed offset {} (from {})", context(),
               committed ? committed->debug_string() : "none", store_.topic());
  return committed;
}

std::optional<Offset> KafkaTransactionalSink::committed_offset() {
  return store_.read(/*topic_must_exist=*/false);
}

void KafkaTransactionalSink::take_lease() {
  if (!lease_) {
    lease_ = std::make_unique<kafka::KafkaLease>(options_.consumer_properties(),
                                                 "cdcd-lease." + options_.transactional_id,
                                                 store_.topic(), kLeaseSessionTimeout, context());
  }
  // The lease's group follows the offsets topic: it must exist first.
  if (!topic_ensured_) {
    store_.ensure_topic(lease_->client());
    topic_ensured_ = true;
  }
  if (!lease_->acquire(kLeaseWait)) {
    throw HeldElsewhereError(context() + ": another cdcd process is active for pipeline " +
                             options_.pipeline + " (it holds the lease of consumer group " +
                             lease_->group() + ")");
  }
}

void KafkaTransactionalSink::start_producer() {
  kafka::ConfPtr conf = kafka::MakeConf(options_.producer_properties());
  kafka::DeliveryReports::Install(conf.get());
  producer_ = kafka::NewClient(RD_KAFKA_PRODUCER, std::move(conf),
                               "kafka sink " + options_.pipeline + ": producer");
  const int timeout_ms = static_cast<int>(options_.operation_timeout.count());
  if (options_.exactly_once) {
    kafka::ErrorPtr err(rd_kafka_init_transactions(producer_.get(), timeout_ms));
    if (err) throw_for("init_transactions", err.get());
    return;
  }
  // No transactions to initialise: a metadata request shows that the
  // brokers answer (and lets a refused connection surface, as above).
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(producer_.get(), 0, nullptr, &md, timeout_ms);
  kafka::MetadataPtr holder(md);
  if (err) {
    kafka::ErrorPtr e(rd_kafka_error_new(err, "%s", rd_kafka_err2str(err)));
    throw_for("connecting to the brokers", e.get());
  }
}

void KafkaTransactionalSink::close_producer() {
  if (!producer_) return;
  if (in_transaction_ && !rd_kafka_fatal_error(producer_.get(), nullptr, 0)) {
    // Best effort: releases the transaction for read_committed consumers now
    // rather than at the next init_transactions or its timeout.
    kafka::ErrorPtr err(rd_kafka_abort_transaction(producer_.get(), 5000));
    if (err) spdlog::debug("{}: abort on close: {}", context(), kafka::Describe(err.get()));
  }
  in_transaction_ = false;
  // Nothing unsent may linger: the records belong to an aborted transaction.
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(producer_.get(), 0);  // serve the purged records' reports
  producer_.reset();
}

void KafkaTransactionalSink::commit(const std::vector<ChangeEvent>& batch, const Offset& next) {
  Transaction tx = begin();
  struct Producer final : RecordWriter {
    KafkaTransactionalSink& sink;
    Transaction& tx;
    Producer(KafkaTransactionalSink& s, Transaction& t) : sink(s), tx(t) {}
    void write(const RecordRef& r) override { sink.produce_record(r, tx); }
  } producer(*this, tx);
  for (const ChangeEvent& ev : batch) builder_.build(ev, producer);
  finish(tx, next);
}

void KafkaTransactionalSink::commit_records(const std::vector<Record>& records,
                                            const Offset& next) {
  Transaction tx = begin();
  for (const Record& r : records) produce_record(r, tx);
  finish(tx, next);
}

KafkaTransactionalSink::Transaction KafkaTransactionalSink::begin() {
  if (!ready_ || !producer_) {
    throw Error(context() + ": commit() needs a successful recover() first");
  }
  ready_ = false;  // until this commit succeeds
  if (lease_ && !lease_->held()) {
    // Another process took over (this one was cut off from the group
    // coordinator for longer than the session): it has fenced, or will
    // fence, this producer anyway.
    throw TransientError(context() + ": lost the lease of consumer group " + lease_->group() +
                         " to another cdcd process");
  }
  Transaction tx;
  tx.started = Clock::now();
  tx.deadline = tx.started + options_.transaction_timeout;
  reports_.reset();
  kafka::TakeTransactionError(producer_.get());  // a previous transaction's, if any

  if (options_.exactly_once) {
    kafka::ErrorPtr err(rd_kafka_begin_transaction(producer_.get()));
    if (err) throw_for("begin_transaction", err.get());
    in_transaction_ = true;
  }
  return tx;
}

void KafkaTransactionalSink::produce_record(const Record& r, Transaction& tx) {
  std::vector<HeaderRef> headers;
  for (const Header& h : r.headers) {
    headers.push_back({h.name, h.value});
    tx.bytes += h.name.size() + h.value.size();
  }
  produce(r.topic, r.key_bytes(), r.value_bytes(), headers, tx.deadline);
  ++tx.records;
  tx.bytes += (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
}

void KafkaTransactionalSink::produce_record(const RecordRef& r, Transaction& tx) {
  key_buffer_.clear();
  value_buffer_.clear();
  std::optional<std::string_view> key, value;
  if (r.append_key(key_buffer_)) key = key_buffer_.view();
  if (r.append_value(value_buffer_)) value = value_buffer_.view();
  produce(r.topic(), key, value, r.headers(), tx.deadline);
  ++tx.records;
  tx.bytes += key_buffer_.size() + value_buffer_.size();
  for (const HeaderRef& h : r.headers()) tx.bytes += h.name.size() + h.value.size();
}

void KafkaTransactionalSink::finish(const Transaction& tx, const Offset& next) {
  if (!options_.exactly_once) {
    // at_least_once: the offset only after every record is acknowledged.
    flush_and_check(tx.deadline);
    reports_.reset();
  }
  produce(store_.topic(), store_.key(), store_.encode(next, tx.records), {}, tx.deadline);
  flush_and_check(tx.deadline);
  if (options_.exactly_once) commit_transaction(tx.deadline);
  in_transaction_ = false;
  ready_ = true;

  double ms = MillisSince(tx.started);
  std::lock_guard lock(metrics_mu_);
  metrics_.records += tx.records;
  metrics_.bytes += tx.bytes;
  metrics_.transactions += 1;
  metrics_.last_commit_ms = ms;
  metrics_.max_commit_ms = std::max(metrics_.max_commit_ms, ms);
  metrics_.total_commit_ms += ms;
}

void KafkaTransactionalSink::produce(const std::string& topic, std::optional<std::string_view> key,
                                     std::optional<std::string_view> value,
                                     std::span<const HeaderRef> headers,
                                     Clock::time_point deadline) {
  for (;;) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
    for (const HeaderRef& h : headers) {
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
    }
    // RD_KAFKA_MSG_F_COPY: librdkafka copies key and value, so the batch's
    // buffers may be reused at once. On success librdkafka owns `hdrs`.
    // (librdkafka's V_ macros cast their arguments unparenthesised: plain
    // variables only.)
    // Null pointers mean a null key and a tombstone: an empty key or value
    // (whose view may hold no pointer at all) points at an empty text.
    static char empty[] = "";
    const char* key_ptr = key ? (key->empty() ? empty : key->data()) : nullptr;
    size_t key_len = key ? key->size() : 0;
    char* value_ptr = value ? (value->empty() ? empty : const_cast<char*>(value->data())) : nullptr;
    size_t value_len = value ? value->size() : 0;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key_ptr, key_len), RD_KAFKA_V_VALUE(value_ptr, value_len),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(&reports_), RD_KAFKA_V_END);
    if (!err) {
      reports_.produced();
      return;
    }
    rd_kafka_headers_destroy(hdrs);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && Clock::now() < deadline) {
      // The batch is larger than queue.buffering.max.*: let librdkafka send
      // some and report their delivery, then try this record again.
      {
        std::lock_guard lock(metrics_mu_);
        ++metrics_.queue_full_waits;
      }
      rd_kafka_poll(producer_.get(), kQueueFullPollMs);
      continue;
    }
    throw_if_fatal("producing to " + topic);
    abort_and_throw("producing a record of " + std::to_string(value ? value->size() : 0) +
                        " bytes to topic " + topic + ": " + kafka::Describe(err),
                    IsPermanentRecordError(err));
  }
}

void KafkaTransactionalSink::flush_and_check(Clock::time_point deadline) {
  // Flushing first (commit_transaction would too) lets us look at every
  // delivery report before deciding to commit.
  rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), kafka::RemainingMs(deadline));
  throw_if_fatal("flushing the transaction");
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    // The brokers are unreachable: an abort would only wait as long again.
    abandon_and_throw("the brokers did not acknowledge " +
                      std::to_string(reports_.produced_count() - reports_.delivered()) + " of " +
                      std::to_string(reports_.produced_count()) + " records within " +
                      std::to_string(options_.transaction_timeout.count()) +
                      " ms (transaction_timeout)");
  }
  if (reports_.failed() > 0) {
    std::string cause = kafka::TakeTransactionError(producer_.get());
    abort_and_throw(std::to_string(reports_.failed()) + " of " +
                        std::to_string(reports_.produced_count()) +
                        " records were not delivered; first: " + reports_.first_error_text() +
                        (cause.empty() ? "" : "; the transaction failed: " + cause),
                    IsPermanentRecordError(reports_.first_error()));
  }
  if (!reports_.complete()) {
    abort_and_throw("flush returned with " +
                        std::to_string(reports_.produced_count() - reports_.delivered()) +
                        " delivery reports missing",
                    false);
  }
}

void KafkaTransactionalSink::commit_transaction(Clock::time_point deadline) {
  for (;;) {
    kafka::ErrorPtr err(rd_kafka_commit_transaction(producer_.get(), kafka::RemainingMs(deadline)));
    if (!err) return;
    if (rd_kafka_error_is_fatal(err.get())) throw_for("commit_transaction", err.get());
    if (rd_kafka_error_txn_requires_abort(err.get())) {
      abort_and_throw("commit_transaction: " + kafka::Describe(err.get()), false);
    }
    if (rd_kafka_error_is_retriable(err.get()) && Clock::now() < deadline) {
      spdlog::warn("{}: commit_transaction: {}; retrying", context(), kafka::Describe(err.get()));
      {
        std::lock_guard lock(metrics_mu_);
        ++metrics_.retries;
      }
      std::this_thread::sleep_for(kCommitRetryPause);
      continue;
    }
    // Timed out for good: the commit may or may not have happened. recover()
    // settles it (init_transactions completes or aborts it) and reads the
    // outcome from the offsets topic.
    abandon_and_throw("commit_transaction: " + kafka::Describe(err.get()) +
                      " (the commit may or may not have happened)");
  }
}

void KafkaTransactionalSink::throw_if_standby(const std::string& what) {
  if (!options_.standby) return;
  // The other process of a standby pair holds the lease now: stand by.
  throw HeldElsewhereError(context() + ": fenced by another cdcd process of this pipeline (" +
                           what + ")");
}

void KafkaTransactionalSink::throw_if_fatal(const std::string& what) {
  char buf[512];
  rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(producer_.get(), buf, sizeof buf);
  if (!fatal) return;
  in_transaction_ = false;  // a fatal producer can neither commit nor abort
  {
    std::lock_guard lock(metrics_mu_);
    ++metrics_.aborts;
  }
  if (IsFencing(fatal)) {
    throw_if_standby(what + ": " + rd_kafka_err2name(fatal));
    throw Error("another cdcd instance took over pipeline " + options_.pipeline +
                ": this one was fenced (" + what + ": " + rd_kafka_err2name(fatal) + ": " + buf +
                "); " + context() +
                " stops here. Run each pipeline in one cdcd instance only; pipelines of "
                "different deployments on one cluster need different names (the name also keys "
                "the offset record). If no other instance runs, a transaction outlived "
                "transaction_timeout (" +
                std::to_string(options_.transaction_timeout.count()) +
                " ms) and the broker aborted it: raise transaction_timeout or lower "
                "batch.max_bytes, then reload (SIGHUP)");
  }
  throw Error(context() + ": " + what + ": fatal librdkafka error " + rd_kafka_err2name(fatal) +
              ": " + buf);
}

void KafkaTransactionalSink::throw_for(const std::string& what, const rd_kafka_error_t* error) {
  const std::string detail = what + ": " + kafka::Describe(error);
  const bool fatal = rd_kafka_error_is_fatal(error);
  // The fatal error librdkafka recorded says the most; without one the
  // error's own code classifies it.
  if (fatal) throw_if_fatal(what);
  if (IsFencing(rd_kafka_error_code(error))) {
    throw_if_standby(detail);
    throw Error("another cdcd instance took over pipeline " + options_.pipeline + " (" + detail +
                ")");
  }
  if (fatal) throw Error(context() + ": " + detail);
  if (in_transaction_ && rd_kafka_error_txn_requires_abort(error)) abort_and_throw(detail, false);
  if (IsPermanentRecordError(rd_kafka_error_code(error))) throw Error(context() + ": " + detail);
  // Error callbacks run inside rd_kafka_poll(): serve the pending ones so
  // that a refusal that caused this timeout is known.
  rd_kafka_poll(producer_.get(), 0);
  const std::string refusal = kafka::ConnectionRefusal(producer_.get());
  if (!refusal.empty()) {
    throw Error(context() + ": " + detail + "; the broker refused the connection (" + refusal +
                "). Fix the sink's security properties (security.protocol, ssl.ca.location, "
                "sasl.mechanism, sasl.username, sasl.password), then reload (SIGHUP)");
  }
  throw TransientError(context() + ": " + detail);
}

void KafkaTransactionalSink::abandon_and_throw(const std::string& what) {
  {
    std::lock_guard lock(metrics_mu_);
    ++metrics_.aborts;
  }
  in_transaction_ = false;
  throw_if_fatal(what);
  throw TransientError(context() + ": " + what +
                       "; transaction abandoned (the next recovery settles it)");
}

void KafkaTransactionalSink::abort_and_throw(const std::string& what, bool permanent) {
  {
    std::lock_guard lock(metrics_mu_);
    ++metrics_.aborts;
  }
  if (in_transaction_) {
    kafka::ErrorPtr err(rd_kafka_abort_transaction(
        producer_.get(), static_cast<int>(std::chrono::milliseconds(kAbortTimeout).count())));
    if (err) {
      spdlog::warn("{}: abort_transaction: {} (the next recovery aborts it)", context(),
                   kafka::Describe(err.get()));
    }
    in_transaction_ = false;
  }
  throw_if_fatal(what);
  if (permanent) throw Error(context() + ": " + what + "; transaction aborted");
  throw TransientError(context() + ": " + what + "; transaction aborted");
}

KafkaSinkMetrics KafkaTransactionalSink::kafka_metrics() const {
  std::lock_guard lock(metrics_mu_);
  return metrics_;
}

std::vector<SinkMetric> KafkaTransactionalSink::metrics() const {
  return ToSinkMetrics(kafka_metrics());
}

std::unique_ptr<Sink> MakeKafkaSink(const ConfigNode& config, const PipelineContext& ctx) {
  config.mark_used("type");
  KafkaSinkOptions options = KafkaSinkOptions::FromConfig(config, ctx.pipeline_name);
  if (!ctx.instance.empty()) {
    // Another writer of this pipeline's topics (a replay): an offset record
    // and a transactional id of its own, so that it neither overwrites the
    // pipeline's offset nor fences the running pipeline.
    options.pipeline += ":" + ctx.instance;
    options.transactional_id += ":" + ctx.instance;
  }
  // A replay writes under an identity of its own: it neither takes nor
  // waits for the pipeline's lease.
  options.standby = ctx.standby && ctx.instance.empty();
  TopicRouting routing =
      TopicRouting::FromConfig(config, ctx.pipeline_name, ctx.format_options.tombstones);
  config.reject_unknown_keys();
  if (!ctx.format) throw Error("kafka sink " + ctx.pipeline_name + ": the pipeline has no format");
  return std::make_unique<KafkaTransactionalSink>(std::move(options),
                                                  RecordBuilder(std::move(routing), ctx.format));
}

void RegisterKafkaSink(Registry& registry) {
  registry.add_sink("kafka", MakeKafkaSink);
}

}  // namespace cdc
