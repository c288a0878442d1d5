// Injected broker errors (librdkafka's mock cluster): how the sink classifies
// and survives them. The mock neither hides aborted transactions nor fences,
// so exactly-once itself is proven against the real broker elsewhere; here
// only the reaction to each fault is checked.
//
// Each test runs its own in-process mock cluster (rdkafka_mock.h, the API
// behind the kafka-mock service's HTTP control) rather than the shared
// kafka-mock service: injected errors are cluster-wide, so tests running in
// parallel on one cluster would consume each other's faults.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
// (after rdkafka.h, which it requires)
#include <librdkafka/rdkafka_mock.h>

#include "cdc/error.h"
#include "tests/sinks/kafka/kafka_test_util.h"

namespace cdc {
namespace {

using testing::CustomerEvent;
using testing::KOffset;

// Kafka protocol ApiKeys.
constexpr int16_t kProduce = 0;
constexpr int16_t kAddPartitionsToTxn = 24;
constexpr int16_t kEndTxn = 26;

class MockCluster {
 public:
  explicit MockCluster(int brokers = 3) {
    handle_ = kafka::NewClient(RD_KAFKA_PRODUCER, kafka::MakeConf({}), "mock cluster");
    mc_ = rd_kafka_mock_cluster_new(handle_.get(), brokers);
  }
  ~MockCluster() {
    if (mc_) rd_kafka_mock_cluster_destroy(mc_);
  }
  rd_kafka_mock_cluster_t* get() const { return mc_; }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mc_); }
  void errors(int16_t api, std::vector<rd_kafka_resp_err_t> errs) {
    rd_kafka_mock_push_request_errors_array(mc_, api, errs.size(), errs.data());
  }

 private:
  kafka::ClientPtr handle_;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
};

class KafkaMockFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(mock_.get(), nullptr);
    tag_ = testing::UniqueTag();
    topic_ = "t_" + tag_;
    offsets_ = "offsets_" + tag_;
    rd_kafka_mock_topic_create(mock_.get(), topic_.c_str(), 1, 1);
    rd_kafka_mock_topic_create(mock_.get(), offsets_.c_str(), 1, 1);
    sink_ = testing::MakeKafkaTestSink("brokers: \"" + mock_.bootstraps() + "\"\ntopic: " + topic_ +
                                           "\noffsets_topic: " + offsets_ +
                                           "\ntransaction_timeout: 5s\noperation_timeout: 5s\n",
                                       testing::KafkaTestContext("mock_" + tag_));
    ASSERT_EQ(sink_->recover(), std::nullopt);
  }

  std::vector<ChangeEvent> Batch(int tx, int n) {
    std::vector<ChangeEvent> b;
    for (int i = 0; i < n; ++i) b.push_back(CustomerEvent(Op::kCreate, i, "m", tx, i));
    return b;
  }

  // "ok", "transient: ..." or "error: ..." for one commit.
  std::string Outcome(int tx, int n) {
    try {
      sink_->commit(Batch(tx, n), KOffset("tx-" + std::to_string(tx), n));
      return "ok";
    } catch (const TransientError& e) {
      return std::string("transient: ") + e.what();
    } catch (const Error& e) {
      return std::string("error: ") + e.what();
    }
  }

  MockCluster mock_;
  std::string tag_, topic_, offsets_;
  std::unique_ptr<KafkaTransactionalSink> sink_;
};

TEST_F(KafkaMockFaultsTest, RetriableErrorsAreRetriedInsideTheTransaction) {
  mock_.errors(kProduce,
               {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  mock_.errors(kAddPartitionsToTxn, {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE});
  mock_.errors(kEndTxn,
               {RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_NOT_COORDINATOR});
  ASSERT_EQ(Outcome(1, 5), "ok");
  EXPECT_EQ(sink_->kafka_metrics().aborts, 0u);
  // Nothing was aborted, so even the mock's reading is exact: no duplicates.
  std::vector<kafka::KafkaMessage> got = testing::ReadTopics(mock_.bootstraps(), {topic_});
  ASSERT_EQ(got.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(got[i].header("cdcd.event_id"), "tx-1:" + std::to_string(i));
}

TEST_F(KafkaMockFaultsTest, AbortableErrorsAbortAndRecoveryAllowsTheRedo) {
  mock_.errors(kProduce, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID});
  std::string o = Outcome(1, 5);
  EXPECT_EQ(o.rfind("transient: ", 0), 0u) << o;
  EXPECT_NE(o.find("UNKNOWN_PRODUCER_ID"), std::string::npos) << o;
  EXPECT_NE(o.find("transaction aborted"), std::string::npos) << o;
  EXPECT_EQ(sink_->kafka_metrics().aborts, 1u);
  EXPECT_THROW(sink_->commit(Batch(1, 5), KOffset("tx-1", 5)), Error) << "needs recover() first";
  sink_->recover();
  EXPECT_EQ(Outcome(1, 5), "ok");

  mock_.errors(kEndTxn, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID});
  o = Outcome(2, 3);
  EXPECT_EQ(o.rfind("transient: ", 0), 0u) << o;
  sink_->recover();
  EXPECT_EQ(Outcome(2, 3), "ok");
  EXPECT_EQ(sink_->kafka_metrics().aborts, 2u);
  EXPECT_EQ(sink_->kafka_metrics().transactions, 2u);
}

TEST_F(KafkaMockFaultsTest, FatalErrorsStopThePipelineWithTheCause) {
  mock_.errors(kEndTxn, {RD_KAFKA_RESP_ERR_INVALID_TXN_STATE});
  std::string o = Outcome(1, 2);
  EXPECT_EQ(o.rfind("error: ", 0), 0u) << o;
  EXPECT_NE(o.find("INVALID_TXN_STATE"), std::string::npos) << o;

  sink_->recover();  // a new producer: only the pipeline decides to stop
  mock_.errors(kEndTxn, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED});
  o = Outcome(2, 2);
  EXPECT_EQ(o.rfind("error: another cdcd instance took over pipeline mock_" + tag_, 0), 0u) << o;
}

TEST_F(KafkaMockFaultsTest, UnreachableBrokersAreTransientAndRecoveryWaitsForThem) {
  ASSERT_EQ(Outcome(1, 2), "ok");
  for (int32_t b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_down(mock_.get(), b);
  auto t0 = std::chrono::steady_clock::now();
  std::string o = Outcome(2, 2);
  EXPECT_EQ(o.rfind("transient: ", 0), 0u) << o;
  // It must not hang: the records time out after transaction_timeout (5s),
  // then the abort is bounded by operation_timeout (5s) -- about 10-15 s,
  // more on a loaded 2-core machine (CI saw 15.02 s), never unbounded.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(40))
      << "bounded by transaction_timeout and operation_timeout";
  EXPECT_THROW(sink_->recover(), TransientError);
  for (int32_t b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_up(mock_.get(), b);
  sink_->recover();
  EXPECT_EQ(Outcome(2, 2), "ok");
}

}  // namespace
}  // namespace cdc
