#include "sinks/kafka/delivery_reports.h"

#include "sinks/kafka/kafka_client.h"

namespace cdc::kafka {

void DeliveryReports::Install(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_dr_msg_cb(conf, &DeliveryReports::OnDelivery);
}

void DeliveryReports::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
  // The per-message opaque (RD_KAFKA_V_OPAQUE) names the tracker; the
  // client-wide opaque is the client's role string (kafka_client.cc).
  auto* self = static_cast<DeliveryReports*>(msg->_private);
  if (!self) return;
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->delivered_;
    return;
  }
  if (self->failed_++ == 0) {
    self->first_error_ = msg->err;
    self->first_error_text_ = std::string("record to ") +
                              (msg->rkt ? rd_kafka_topic_name(msg->rkt) : "?") + " [" +
                              std::to_string(msg->partition) + "] failed: " + Describe(msg->err);
  }
}

void DeliveryReports::reset() {
  produced_ = delivered_ = failed_ = 0;
  first_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  first_error_text_.clear();
}

}  // namespace cdc::kafka
