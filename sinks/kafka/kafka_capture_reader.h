// KafkaCaptureReader: the committed records of Kafka topics, read back in
// order (a CaptureReader, see cdc/capture.h): `cdcd replay --from
// kafka:TOPIC,...` and `cdcd state --from kafka:TOPIC`.
//
// A consumer without a group is assigned every partition of the topics and
// reads them isolation.level=read_committed, so records of aborted or still
// open transactions are never seen, each partition up to the end it has when
// the reader gets there (enable.partition.eof). Records come in offset order
// per partition, partitions interleaved as librdkafka fetches them; a
// record's key, value and headers are the broker's bytes.
//
// Positions are {"<topic>": {"<partition>": <next offset>}}, for every
// partition read from so far; partitions a position does not name are read
// from their beginning. Progress counts records against the sum of the
// partitions' high watermarks at opening minus where reading starts (an
// estimate: transaction markers take offsets too).
//
// Opening connects, checks that every topic exists (CaptureError if not)
// and fetches partition counts. An unreachable cluster is a TransientError.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cdc/capture.h"
#include "sinks/kafka/kafka_client.h"
#include "sinks/kafka/kafka_sink_options.h"

namespace cdc {

class Registry;

class KafkaCaptureReader : public CaptureReader {
 public:
  // `connection` supplies brokers and properties (a kafka sink's options).
  KafkaCaptureReader(std::vector<std::string> topics, const KafkaSinkOptions& connection);
  ~KafkaCaptureReader() override;

  std::string describe() const override;
  void seek(const nlohmann::json& position) override;
  bool next(Record& out) override;
  nlohmann::json position() const override;
  CaptureProgress progress() const override;
  bool single_order() const override { return partitions_.size() == 1; }

 private:
  using Partition = std::pair<std::string, int32_t>;
  void assign();

  std::vector<std::string> topics_;
  std::chrono::milliseconds timeout_;
  kafka::ClientPtr consumer_;
  std::vector<Partition> partitions_;
  std::map<Partition, int64_t> next_;  // next offset to read, once known
  std::set<Partition> open_;           // not at their end yet
  bool assigned_ = false;
  uint64_t done_ = 0, total_ = 0;
};

// Registers KafkaCaptureReader as capture scheme "kafka": the location is a
// comma-separated topic list, the connection a kafka sink block (brokers,
// properties); without one it is a CaptureError.
void RegisterKafkaCapture(Registry& registry);

}  // namespace cdc
