#include "sinks/kafka/kafka_admin.h"

#include <memory>

#include "cdc/error.h"
#include "sinks/kafka/kafka_client.h"

namespace cdc::kafka {
namespace {

struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

}  // namespace

CreateTopicResult CreateTopic(rd_kafka_t* rk, const std::string& topic, int partitions,
                              const std::map<std::string, std::string>& configs,
                              std::chrono::milliseconds timeout) {
  const std::string what = "creating topic " + topic;
  char errstr[512];
  std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> nt(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, errstr, sizeof errstr));
  if (!nt) throw Error(what + ": " + errstr);
  for (const auto& [name, value] : configs) {
    if (rd_kafka_resp_err_t err =
            rd_kafka_NewTopic_set_config(nt.get(), name.c_str(), value.c_str())) {
      throw Error(what + ": config " + name + ": " + Describe(err));
    }
  }
  std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter> opts(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int ms = static_cast<int>(timeout.count());
  // Operation timeout: the broker waits until the topic is created
  // everywhere before answering, so it is usable as soon as this returns.
  if (rd_kafka_AdminOptions_set_request_timeout(opts.get(), ms, errstr, sizeof errstr) ||
      rd_kafka_AdminOptions_set_operation_timeout(opts.get(), ms, errstr, sizeof errstr)) {
    throw Error(what + ": " + errstr);
  }
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_NewTopic_t* list[] = {nt.get()};
  rd_kafka_CreateTopics(rk, list, 1, opts.get(), queue.get());
  // The admin request times out by itself; the extra second lets its
  // result arrive rather than racing it.
  EventPtr ev(rd_kafka_queue_poll(queue.get(), ms + 1000));
  if (!ev) throw TransientError(what + ": no answer within " + std::to_string(ms) + " ms");
  if (rd_kafka_resp_err_t err = rd_kafka_event_error(ev.get())) {
    // E.g. a cluster without the Admin API (librdkafka's mock cluster).
    if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) return CreateTopicResult::kUnsupported;
    throw TransientError(what + ": " + Describe(err) + " (" +
                         rd_kafka_event_error_string(ev.get()) + ")");
  }
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev.get());
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
  if (n != 1)
    throw TransientError(what + ": the broker answered for " + std::to_string(n) + " topics");
  rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[0]);
  const char* msg = rd_kafka_topic_result_error_string(results[0]);
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return CreateTopicResult::kCreated;
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return CreateTopicResult::kAlreadyExists;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return CreateTopicResult::kNotAuthorized;
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
      throw Error(what + ": " + Describe(err) + (msg ? std::string(" (") + msg + ")" : ""));
    default:
      throw TransientError(what + ": " + Describe(err) +
                           (msg ? std::string(" (") + msg + ")" : ""));
  }
}

}  // namespace cdc::kafka
