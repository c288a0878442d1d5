// Thin RAII and error helpers over librdkafka's C API, shared by the Kafka
// sink's producer, its offsets reader and the admin calls.
//
// Every librdkafka handle the sink creates goes through NewClient(), which
// routes librdkafka's log lines and error callbacks to spdlog (with the
// client's role in each line) instead of stderr.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace cdc::kafka {

// Destroys the client and forgets what was recorded for it (below).
struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const;
};
struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct ErrorDeleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};

using ClientPtr = std::unique_ptr<rd_kafka_t, ClientDeleter>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

// Sets one property; on failure returns librdkafka's message (empty: fine).
std::string SetProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

// A configuration holding `properties`; throws ConfigError naming the
// property and quoting librdkafka for the first one it rejects. No I/O.
ConfPtr MakeConf(const std::map<std::string, std::string>& properties);

// Creates a client from `conf` (consumed, also on failure). `role` names the
// client in log lines and errors, e.g. "kafka sink shop: producer".
// Throws ConfigError with librdkafka's message when it refuses the
// configuration (e.g. inconsistent timeouts).
ClientPtr NewClient(rd_kafka_type_t type, ConfPtr conf, const std::string& role);

// The last transaction failure librdkafka logged for `rk` (empty if none),
// forgotten once taken.
std::string TakeTransactionError(const rd_kafka_t* rk);

// Why the brokers last refused `rk` a connection that retrying cannot fix:
// SASL authentication failed, or the broker's certificate did not verify
// against ssl.ca.location (empty if neither happened). librdkafka retries
// such connections forever, so a call on the client only times out; its
// caller asks here whether the timeout has a permanent cause.
std::string ConnectionRefusal(const rd_kafka_t* rk);

// "librdkafka: <name> (<code>): <message>" for an error object.
std::string Describe(const rd_kafka_error_t* error);
// "<name>: <message>" for an error code.
std::string Describe(rd_kafka_resp_err_t err);

// Milliseconds left until `deadline`, at least 1 (librdkafka reads 0 as
// "do not wait") and at most INT_MAX.
int RemainingMs(std::chrono::steady_clock::time_point deadline);

}  // namespace cdc::kafka
