// DeliveryReports: the outcome of every record of the transaction in flight.
//
// librdkafka reports each record's fate through the dr_msg_cb, served on the
// thread that calls rd_kafka_poll()/rd_kafka_flush() -- the sink's commit
// thread -- so no locking is needed. The sink flushes before committing and
// commits only when every record it produced was reported delivered; the
// first failure (topic, partition, error) is kept for the error message.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>

namespace cdc::kafka {

class DeliveryReports {
 public:
  // Installs OnDelivery as the dr_msg_cb of `conf`.
  static void Install(rd_kafka_conf_t* conf);
  // The callback, with this object as the message's opaque.
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);

  // Starts counting for a new transaction.
  void reset();
  // One more record handed to librdkafka; its opaque must be `this`.
  void produced() { ++produced_; }

  uint64_t produced_count() const { return produced_; }
  uint64_t delivered() const { return delivered_; }
  uint64_t failed() const { return failed_; }
  bool complete() const { return delivered_ + failed_ == produced_; }
  // The first failure, or RD_KAFKA_RESP_ERR_NO_ERROR.
  rd_kafka_resp_err_t first_error() const { return first_error_; }
  // "record to TOPIC [PARTITION] failed: NAME: message"; empty when none failed.
  const std::string& first_error_text() const { return first_error_text_; }

 private:
  uint64_t produced_ = 0;
  uint64_t delivered_ = 0;
  uint64_t failed_ = 0;
  rd_kafka_resp_err_t first_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string first_error_text_;
};

}  // namespace cdc::kafka
