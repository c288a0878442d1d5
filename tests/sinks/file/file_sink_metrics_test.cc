// The file sink's metrics as the daemon's /metrics renders them.
#include <gtest/gtest.h>

#include "daemon/daemon.h"
#include "tests/sinks/file/file_sink_test_util.h"

namespace cdc {
namespace {

using testing::At;
using testing::CreateLines;
using testing::Creates;
using testing::MakeTestSink;

TEST(FileSinkMetricsTest, CountsCommittedLinesBytesFsyncsAndRotations) {
  testing::TempDir dir;
  // Rotation starts a new segment once the current one holds a byte: every
  // non-empty batch after the first goes to a new segment.
  auto sink = MakeTestSink(dir.str(), "rotate_bytes: 1\n");
  ASSERT_EQ(sink->recover(), std::nullopt);
  sink->commit(Creates(1, 3, 1), At("tx-1", 3));
  sink->commit({}, At("tx-1", 3));  // offset only: no lines, no segment fsync
  sink->commit(Creates(4, 2, 2), At("tx-2", 2));
  const size_t bytes = CreateLines(1, 3, 1).size() + CreateLines(4, 2, 2).size();

  EXPECT_EQ(SinkMetricsText({{"orders", "file", sink->metrics()}}),
            "# HELP cdcd_sink_file_records_total Record lines in committed batches.\n"
            "# TYPE cdcd_sink_file_records_total counter\n"
            "cdcd_sink_file_records_total{pipeline=\"orders\"} 5\n"
            "# HELP cdcd_sink_file_bytes_total Bytes of those lines.\n"
            "# TYPE cdcd_sink_file_bytes_total counter\n"
            "cdcd_sink_file_bytes_total{pipeline=\"orders\"} " +
                std::to_string(bytes) +
                "\n"
                "# HELP cdcd_sink_file_segment_fsyncs_total fdatasync calls making a batch's "
                "lines durable (one per non-empty batch with fsync on).\n"
                "# TYPE cdcd_sink_file_segment_fsyncs_total counter\n"
                "cdcd_sink_file_segment_fsyncs_total{pipeline=\"orders\"} 2\n"
                "# HELP cdcd_sink_file_segments_rotated_total Segment files started past "
                "rotate_bytes.\n"
                "# TYPE cdcd_sink_file_segments_rotated_total counter\n"
                "cdcd_sink_file_segments_rotated_total{pipeline=\"orders\"} 1\n");
}

TEST(FileSinkMetricsTest, OneFamilyPerNameWithASamplePerPipeline) {
  using T = SinkMetric::Type;
  std::vector<PipelineSinkMetrics> sinks = {
      {"a", "file", {{"records_total", T::kCounter, "Records.", 7}}},
      {"b\"\\", "kafka", {{"commit_seconds_last", T::kGauge, "Last.", 0.25}}},
      {"c", "file", {{"records_total", T::kCounter, "Records.", 1e21}}},
      {"d", "generator", {}},
  };
  EXPECT_EQ(SinkMetricsText(sinks),
            "# HELP cdcd_sink_file_records_total Records.\n"
            "# TYPE cdcd_sink_file_records_total counter\n"
            "cdcd_sink_file_records_total{pipeline=\"a\"} 7\n"
            "cdcd_sink_file_records_total{pipeline=\"c\"} 1e+21\n"
            "# HELP cdcd_sink_kafka_commit_seconds_last Last.\n"
            "# TYPE cdcd_sink_kafka_commit_seconds_last gauge\n"
            "cdcd_sink_kafka_commit_seconds_last{pipeline=\"b\\\"\\\\\"} 0.25\n");
}

TEST(FileSinkMetricsTest, NothingCommittedReadsZero) {
  testing::TempDir dir;
  auto sink = MakeTestSink(dir.str());
  std::vector<SinkMetric> m = sink->metrics();
  ASSERT_EQ(m.size(), 4u);
  for (const SinkMetric& metric : m) EXPECT_EQ(metric.value, 0) << metric.name;
}

}  // namespace
}  // namespace cdc
