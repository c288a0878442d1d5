// KafkaLease: which of several cdcd processes running the same pipeline into
// Kafka is the active one (hot standby, `standby: true`).
//
// Kafka transactions already make a second producer with the same
// transactional.id fence the first, so two processes can never both commit;
// but without a lease each restart of the standby would fence the active one,
// and they would take turns. The lease uses Kafka's consumer group protocol,
// the way Kafka Connect elects its leader: every process joins the group
// "cdcd-lease.<transactional.id>" subscribed to the offsets topic, and the
// member the group assigns partition 0 holds the lease. The group gives
// partition 0 to exactly one member at a time; when that member dies, the
// coordinator notices after session_timeout and hands it to a standby.
//
// The lease never reads records (its partitions stay paused) and never
// commits group offsets. A thread of its own serves the group protocol, so a
// pipeline that is idle or busy in a long commit keeps its lease.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "sinks/kafka/kafka_client.h"

namespace cdc::kafka {

class KafkaLease {
 public:
  // `properties`: the sink's consumer properties (brokers, security);
  // `group`: the group id; `topic`: the offsets topic (must exist).
  KafkaLease(std::map<std::string, std::string> properties, std::string group, std::string topic,
             std::chrono::milliseconds session_timeout, std::string context);
  ~KafkaLease();
  KafkaLease(const KafkaLease&) = delete;
  KafkaLease& operator=(const KafkaLease&) = delete;

  // The lease's consumer (created on first use, not yet in the group): for
  // admin calls made before the first acquire(), such as creating the topic.
  rd_kafka_t* client();
  // Joins the group on first use; then waits up to `wait` for the lease.
  // True when this process holds it.
  bool acquire(std::chrono::milliseconds wait);
  // Whether this process holds the lease now.
  bool held() const { return held_.load(); }
  const std::string& group() const { return group_; }

 private:
  void join_group();
  void serve(std::stop_token stop);
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* parts, void* opaque);

  std::map<std::string, std::string> properties_;
  std::string group_, topic_, context_;
  std::chrono::milliseconds session_timeout_;
  ClientPtr consumer_;
  std::atomic<bool> held_{false};
  std::jthread thread_;
};

}  // namespace cdc::kafka
