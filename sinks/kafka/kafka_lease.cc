#include "sinks/kafka/kafka_lease.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>

#include "cdc/error.h"

namespace cdc::kafka {
namespace {

// How often the lease's thread serves the group protocol.
constexpr int kPollMs = 100;

// The lease of each lease consumer: the client's opaque is taken by
// NewClient (its role, for the log callback), so the rebalance callback finds
// its lease here. Callbacks only run inside the lease thread's polls, which
// start after registration and end before removal.
std::mutex leases_mu;
std::map<const rd_kafka_t*, KafkaLease*>& Leases() {
  static auto* leases = new std::map<const rd_kafka_t*, KafkaLease*>();
  return *leases;
}

KafkaLease* LeaseOf(const rd_kafka_t* rk) {
  std::lock_guard lock(leases_mu);
  auto it = Leases().find(rk);
  return it == Leases().end() ? nullptr : it->second;
}

bool HasPartitionZero(const rd_kafka_topic_partition_list_t* parts, const std::string& topic) {
  for (int i = 0; parts && i < parts->cnt; ++i) {
    if (parts->elems[i].partition == 0 && topic == parts->elems[i].topic) return true;
  }
  return false;
}

}  // namespace

KafkaLease::KafkaLease(std::map<std::string, std::string> properties, std::string group,
                       std::string topic, std::chrono::milliseconds session_timeout,
                       std::string context)
    : properties_(std::move(properties)),
      group_(std::move(group)),
      topic_(std::move(topic)),
      context_(std::move(context)),
      session_timeout_(session_timeout) {}

KafkaLease::~KafkaLease() {
  thread_ = {};  // stops and joins the thread first: it polls the consumer
  if (consumer_) {
    // Leaves the group at once, so a standby takes over without waiting for
    // the session to time out.
    rd_kafka_consumer_close(consumer_.get());
    std::lock_guard lock(leases_mu);
    Leases().erase(consumer_.get());
  }
}

rd_kafka_t* KafkaLease::client() {
  if (consumer_) return consumer_.get();
  std::map<std::string, std::string> p = properties_;
  p["group.id"] = group_;
  p["enable.auto.commit"] = "false";
  p["enable.auto.offset.store"] = "false";
  p["enable.partition.eof"] = "false";
  p["session.timeout.ms"] = std::to_string(session_timeout_.count());
  // Frequent heartbeats: a member learns of a rebalance (its peer's session
  // expired) at its next heartbeat.
  p["heartbeat.interval.ms"] =
      std::to_string(std::max<int64_t>(100, session_timeout_.count() / 12));
  // Sticky: a rebalance (a member joining) leaves partition 0 where it is,
  // so the active process keeps the lease while a standby comes and goes.
  p["partition.assignment.strategy"] = "cooperative-sticky";
  p["client.id"] = "cdcd-lease";
  ConfPtr conf = MakeConf(p);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &KafkaLease::OnRebalance);
  consumer_ = NewClient(RD_KAFKA_CONSUMER, std::move(conf), context_ + ": lease");
  std::lock_guard lock(leases_mu);
  Leases()[consumer_.get()] = this;
  return consumer_.get();
}

void KafkaLease::join_group() {
  rd_kafka_poll_set_consumer(client());
  PartitionListPtr topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), topic_.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get());
  if (err) {
    throw TransientError(context_ + ": cannot join lease group " + group_ + ": " + Describe(err));
  }
  thread_ = std::jthread([this](std::stop_token stop) { serve(stop); });
}

void KafkaLease::serve(std::stop_token stop) {
  while (!stop.stop_requested()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), kPollMs);
    if (m) rd_kafka_message_destroy(m);  // errors only: the partitions are paused
  }
}

bool KafkaLease::acquire(std::chrono::milliseconds wait) {
  if (!thread_.joinable()) join_group();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (!held_ && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return held_;
}

void KafkaLease::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t* parts, void* opaque) {
  (void)opaque;
  KafkaLease* self = LeaseOf(rk);
  if (!self) return;
  // Cooperative rebalancing: `parts` are only the partitions added or taken
  // away, never the whole assignment.
  const bool zero = HasPartitionZero(parts, self->topic_);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    ErrorPtr e(rd_kafka_incremental_assign(rk, parts));
    rd_kafka_pause_partitions(rk, parts);
    if (zero && !self->held_) {
      spdlog::info("{}: holds the lease (group {})", self->context_, self->group_);
      self->held_ = true;
    }
  } else {
    if (zero && self->held_) {
      spdlog::warn("{}: lost the lease (group {})", self->context_, self->group_);
      self->held_ = false;
    }
    ErrorPtr e(rd_kafka_incremental_unassign(rk, parts));
  }
}

}  // namespace cdc::kafka
