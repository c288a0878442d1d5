#include "sinks/kafka/kafka_topic_reader.h"

#include <set>
#include <thread>
#include <utility>

#include "cdc/error.h"
#include "sinks/kafka/kafka_client.h"

namespace cdc::kafka {
namespace {

using Clock = std::chrono::steady_clock;

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
};

std::optional<std::string> Bytes(const void* data, size_t len) {
  if (!data) return std::nullopt;
  return std::string(static_cast<const char*>(data), len);
}

}  // namespace

std::optional<std::string> KafkaMessage::header(const std::string& name) const {
  for (const Header& h : headers) {
    if (h.name == name) return h.value;
  }
  return std::nullopt;
}

std::optional<int> PartitionCount(rd_kafka_t* rk, const std::string& topic,
                                  std::chrono::milliseconds timeout) {
  std::unique_ptr<rd_kafka_topic_t, TopicDeleter> rkt(
      rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, rkt.get(), &raw, static_cast<int>(timeout.count()));
  if (err) {
    throw TransientError("cannot get metadata of topic " + topic + ": " + Describe(err));
  }
  MetadataPtr md(raw);
  if (md->topic_cnt != 1) {
    throw TransientError("metadata of topic " + topic + " lists " + std::to_string(md->topic_cnt) +
                         " topics");
  }
  const rd_kafka_metadata_topic_t& t = md->topics[0];
  if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return std::nullopt;
  if (t.err) {
    throw TransientError("metadata of topic " + topic + ": " + Describe(t.err));
  }
  return t.partition_cnt;
}

void ReadTopicsToEnd(const TopicReadOptions& options, const std::vector<std::string>& topics,
                     const std::function<void(const rd_kafka_message_t&)>& on_message) {
  const auto deadline = Clock::now() + options.timeout;
  std::map<std::string, std::string> props = options.properties;
  // librdkafka's assign() wants a group.id even though nothing joins the
  // group or commits to it (no subscribe(), enable.auto.commit=false).
  props.emplace("group.id", "cdcd-topic-reader");
  ClientPtr rk = NewClient(RD_KAFKA_CONSUMER, MakeConf(props), options.role);

  PartitionListPtr assignment(rd_kafka_topic_partition_list_new(8));
  std::set<std::pair<std::string, int32_t>> open;  // partitions not at their end yet
  for (const std::string& topic : topics) {
    std::optional<int> n;
    for (;;) {
      n = PartitionCount(rk.get(), topic, std::chrono::milliseconds(RemainingMs(deadline)));
      if (n || !options.missing_is_error) break;
      // A topic created a moment ago may not be in every broker's metadata
      // cache yet.
      if (Clock::now() >= deadline) {
        throw TransientError(options.role + ": topic " + topic + " does not exist (yet)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!n) continue;
    for (int32_t p = 0; p < *n; ++p) {
      rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
      open.emplace(topic, p);
    }
  }
  if (open.empty()) return;
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk.get(), assignment.get())) {
    throw TransientError(options.role + ": cannot assign partitions: " + Describe(err));
  }

  std::string last_error;
  while (!open.empty()) {
    if (Clock::now() >= deadline) {
      throw TransientError(options.role + ": did not reach the end of " +
                           std::to_string(open.size()) + " partition(s) (e.g. " +
                           open.begin()->first + " [" + std::to_string(open.begin()->second) +
                           "]) within " + std::to_string(options.timeout.count()) + " ms" +
                           (last_error.empty() ? "" : "; last error: " + last_error));
    }
    rd_kafka_message_t* msg =
        rd_kafka_consumer_poll(rk.get(), std::min(RemainingMs(deadline), 200));
    if (!msg) continue;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(
        msg, rd_kafka_message_destroy);
    std::string topic = msg->rkt ? rd_kafka_topic_name(msg->rkt) : "";
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      open.erase({topic, msg->partition});
      continue;
    }
    if (msg->err) {
      // Transport errors and leader changes are retried by librdkafka; keep
      // the latest for the timeout message.
      last_error = Describe(msg->err);
      continue;
    }
    // After its end a partition may have grown: ignore what came later so
    // the caller sees one consistent cut.
    if (!open.count({topic, msg->partition})) continue;
    on_message(*msg);
  }
  rd_kafka_consumer_close(rk.get());
}

void ToRecord(const rd_kafka_message_t& msg, Record& out) {
  out.topic = msg.rkt ? rd_kafka_topic_name(msg.rkt) : "";
  out.key = Bytes(msg.key, msg.key_len);
  out.value = Bytes(msg.payload, msg.len);
  out.headers.clear();
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(&msg, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); ++i) {
    out.headers.push_back({name, value ? std::string(static_cast<const char*>(value), size) : ""});
  }
}

std::vector<KafkaMessage> ReadAllMessages(const TopicReadOptions& options,
                                          const std::vector<std::string>& topics) {
  std::vector<KafkaMessage> out;
  ReadTopicsToEnd(options, topics, [&](const rd_kafka_message_t& msg) {
    Record r;
    ToRecord(msg, r);
    out.push_back({std::move(r.topic), msg.partition, msg.offset, std::move(r.key),
                   std::move(r.value), std::move(r.headers)});
  });
  return out;
}

}  // namespace cdc::kafka
