#include "sinks/kafka/kafka_capture_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "cdc/registry.h"
#include "sinks/kafka/kafka_topic_reader.h"

namespace cdc {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPollMs = 200;

std::vector<std::string> SplitTopics(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string t = list.substr(start, comma - start);
    if (t.empty()) throw CaptureError("kafka:" + list + ": an empty topic name in the list");
    out.push_back(std::move(t));
    start = comma + 1;
  }
  return out;
}

}  // namespace

KafkaCaptureReader::KafkaCaptureReader(std::vector<std::string> topics,
                                       const KafkaSinkOptions& connection)
    : topics_(std::move(topics)), timeout_(connection.operation_timeout) {
  std::map<std::string, std::string> props = connection.consumer_properties();
  // assign() wants a group.id; nothing joins the group or commits to it.
  props["group.id"] = "cdcd-capture-reader";
  props["client.id"] = "cdcd-capture-reader";
  consumer_ = kafka::NewClient(RD_KAFKA_CONSUMER, kafka::MakeConf(props), describe());
  for (const std::string& topic : topics_) {
    std::optional<int> n = kafka::PartitionCount(consumer_.get(), topic, timeout_);
    if (!n) throw CaptureError(describe() + ": topic " + topic + " does not exist");
    for (int32_t p = 0; p < *n; ++p) partitions_.emplace_back(topic, p);
  }
}

KafkaCaptureReader::~KafkaCaptureReader() {
  if (consumer_ && assigned_) rd_kafka_consumer_close(consumer_.get());
}

std::string KafkaCaptureReader::describe() const {
  std::string out = "kafka:";
  for (size_t i = 0; i < topics_.size(); ++i) out += (i ? "," : "") + topics_[i];
  return out;
}

void KafkaCaptureReader::seek(const nlohmann::json& position) {
  const std::string bad = "replay position " + position.dump() + " does not fit " + describe();
  if (!position.is_object()) throw CaptureError(bad + ": want {\"topic\": {\"partition\": n}}");
  for (const auto& [topic, parts] : position.items()) {
    if (std::find(topics_.begin(), topics_.end(), topic) == topics_.end() || !parts.is_object()) {
      throw CaptureError(bad + ": it names topic " + topic);
    }
    for (const auto& [part, offset] : parts.items()) {
      int32_t p = -1;
      std::from_chars(part.data(), part.data() + part.size(), p);
      Partition key{topic, p};
      if (std::find(partitions_.begin(), partitions_.end(), key) == partitions_.end() ||
          !offset.is_number_integer() || offset.get<int64_t>() < 0) {
        throw CaptureError(bad + ": partition " + topic + " [" + part + "] at " + offset.dump());
      }
      next_[key] = offset.get<int64_t>();
    }
  }
}

void KafkaCaptureReader::assign() {
  kafka::PartitionListPtr list(rd_kafka_topic_partition_list_new(8));
  for (const Partition& p : partitions_) {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(consumer_.get(), p.first.c_str(), p.second, &low, &high,
                                         static_cast<int>(timeout_.count()));
    if (err) {
      throw TransientError(describe() + ": cannot read the end of " + p.first + " [" +
                           std::to_string(p.second) + "]: " + kafka::Describe(err));
    }
    auto it = next_.find(p);
    if (it != next_.end() && it->second < low) {
      throw Error(describe() + ": records " + std::to_string(it->second) + " to " +
                  std::to_string(low - 1) + " of " + p.first + " [" + std::to_string(p.second) +
                  "] were deleted (retention) before they were read; they cannot be replayed");
    }
    const int64_t start = it != next_.end() ? it->second : low;
    total_ += static_cast<uint64_t>(std::max<int64_t>(0, high - start));
    rd_kafka_topic_partition_list_add(list.get(), p.first.c_str(), p.second)->offset =
        it != next_.end() ? it->second : RD_KAFKA_OFFSET_BEGINNING;
    open_.insert(p);
  }
  if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.get(), list.get())) {
    throw TransientError(describe() + ": cannot assign partitions: " + kafka::Describe(err));
  }
  assigned_ = true;
}

bool KafkaCaptureReader::next(Record& out) {
  if (!assigned_) assign();
  auto idle_until = Clock::now() + timeout_;
  std::string last_error;
  while (!open_.empty()) {
    if (Clock::now() >= idle_until) {
      throw TransientError(describe() + ": no record and no end of " +
                           std::to_string(open_.size()) + " partition(s) within " +
                           std::to_string(timeout_.count()) + " ms" +
                           (last_error.empty() ? "" : "; last error: " + last_error));
    }
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(consumer_.get(), kPollMs);
    if (!msg) continue;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(
        msg, rd_kafka_message_destroy);
    Partition p{msg->rkt ? rd_kafka_topic_name(msg->rkt) : "", msg->partition};
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      open_.erase(p);
      idle_until = Clock::now() + timeout_;
      continue;
    }
    if (msg->err) {
      // librdkafka retries transport errors itself; keep the latest for the
      // timeout message.
      last_error = kafka::Describe(msg->err);
      continue;
    }
    // A partition that grew after its end: the capture ended there.
    if (!open_.count(p)) continue;
    kafka::ToRecord(*msg, out);
    next_[p] = msg->offset + 1;
    ++done_;
    return true;
  }
  return false;
}

nlohmann::json KafkaCaptureReader::position() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [p, offset] : next_) out[p.first][std::to_string(p.second)] = offset;
  return out;
}

CaptureProgress KafkaCaptureReader::progress() const {
  return {done_, std::max(total_, done_), "records"};
}

void RegisterKafkaCapture(Registry& registry) {
  registry.add_capture("kafka", [](const std::string& location, const ConfigNode* connection) {
    std::vector<std::string> topics = SplitTopics(location);
    if (!connection || connection->get_string("type") != "kafka") {
      throw CaptureError("kafka:" + location +
                         ": no brokers to read from: give --brokers, or a pipeline whose sink "
                         "is a kafka sink");
    }
    return std::make_unique<KafkaCaptureReader>(
        std::move(topics), KafkaSinkOptions::FromConfig(*connection, "capture-reader"));
  });
}

}  // namespace cdc
