// FileSink in normal operation: what a commit writes, rotation, the lock.
#include "sinks/file/file_sink.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "cdc/error.h"
#include "sinks/file/file_sink_reader.h"
#include "tests/sinks/file/file_sink_test_util.h"
#include "tests/support/test_support.h"

namespace cdc::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::set<std::string> DirEntries(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

TEST(FileSinkTest, RoundTripOfThreeBatches) {
  TempDir tmp;
  fs::path dir = tmp.path() / "out" / "nested";  // created with its parents
  auto sink = MakeTestSink(dir.string());
  EXPECT_EQ(sink->recover(), std::nullopt);

  Offset third{"tx-3", 3, json{{"snapshot", "done"}}};
  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  sink->commit(Creates(3, 1, 2), At("tx-2", 1));
  sink->commit(Creates(4, 3, 3), third);

  std::string lines = CreateLines(1, 2, 1) + CreateLines(3, 1, 2) + CreateLines(4, 3, 3);
  EXPECT_EQ(ReadFile(dir / "events-000001.jsonl"), lines);
  EXPECT_EQ(DirEntries(dir),
            (std::set<std::string>{".lock", "events-000001.jsonl", "offsets.json"}));

  std::string text = ReadFile(dir / "offsets.json");
  std::regex shape(
      R"(\{"version":1,"segment":1,"length":(\d+),"offset":\{"index":3,"state":\{"snapshot":"done"\},"tx":"tx-3"\},)"
      R"("committed_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","records":6\}\n)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(text, m, shape)) << text;
  EXPECT_EQ(std::stoull(m[1]), lines.size());
  EXPECT_EQ(ReadOffsetsFile(dir.string()), json::parse(text));

  // A restart finds the last commit.
  sink.reset();
  auto again = MakeTestSink(dir.string());
  EXPECT_EQ(again->committed_offset(), third);
  EXPECT_EQ(again->recover(), third);

  std::vector<FileRecordLine> records = ReadCommittedRecords(dir.string());
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[0].topic, "app.public.customers");
  EXPECT_EQ(records[0].key, json({{"id", 1}}));
  EXPECT_EQ(records[0].value, json({{"op", "c"}, {"id", 1}}));
  EXPECT_EQ(
      records[0].headers,
      (std::map<std::string, std::string>{
          {"cdcd.event_id", "tx-1:0"}, {"cdcd.op", "c"}, {"cdcd.source_ts_ms", "1700000000001"}}));
  EXPECT_EQ(records[5].key, json({{"id", 6}}));
  EXPECT_EQ(records[5].headers.at("cdcd.event_id"), "tx-3:2");
}

TEST(FileSinkTest, DeleteIsFollowedByATombstoneLine) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str());
  sink->recover();
  std::vector<ChangeEvent> batch = {CustomerEvent(Op::kCreate, 7, "x", 1, 0),
                                    CustomerEvent(Op::kDelete, 7, "x", 1, 1)};
  sink->commit(batch, At("tx-1", 2));

  EXPECT_EQ(ReadFile(tmp.path() / "events-000001.jsonl"),
            ExpectedLine(Op::kCreate, 7, 1, 0) + ExpectedLine(Op::kDelete, 7, 1, 1) +
                ExpectedLine(Op::kDelete, 7, 1, 1, /*tombstone=*/true));
  std::vector<FileRecordLine> records = ReadCommittedRecords(tmp.str());
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].value, json({{"op", "d"}, {"id", 7}}));
  EXPECT_EQ(records[2].key, json({{"id", 7}}));
  EXPECT_TRUE(records[2].value.is_null());
  EXPECT_EQ(records[2].headers.at("cdcd.op"), "d");
  EXPECT_EQ((*ReadOffsetsFile(tmp.str()))["records"], 3);
}

TEST(FileSinkTest, NoTombstoneWhenTheFormatTurnsThemOff) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str(), "", /*tombstones=*/false);
  sink->recover();
  sink->commit({CustomerEvent(Op::kDelete, 7, "x", 1, 0)}, At("tx-1", 1));
  EXPECT_EQ(ReadFile(tmp.path() / "events-000001.jsonl"), ExpectedLine(Op::kDelete, 7, 1, 0));
}

TEST(FileSinkTest, EmptyBatchCommitsTheOffsetOnly) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str());
  sink->recover();
  sink->commit({}, At("tx-0", 0));  // before any data
  json first = *ReadOffsetsFile(tmp.str());
  EXPECT_EQ(first["segment"], 1);
  EXPECT_EQ(first["length"], 0);
  EXPECT_EQ(first["records"], 0);
  EXPECT_EQ(first["offset"], At("tx-0", 0).to_json());

  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  sink->commit({}, At("tx-5", 0));
  EXPECT_EQ(ReadFile(tmp.path() / "events-000001.jsonl"), CreateLines(1, 2, 1));
  json last = *ReadOffsetsFile(tmp.str());
  EXPECT_EQ(last["segment"], 1);
  EXPECT_EQ(last["length"], CreateLines(1, 2, 1).size());
  EXPECT_EQ(last["records"], 2);
  EXPECT_EQ(last["offset"], At("tx-5", 0).to_json());
  EXPECT_EQ(MakeTestSink(tmp.str())->committed_offset(), (At("tx-5", 0)));
}

TEST(FileSinkTest, RotatesBetweenBatchesOnly) {
  TempDir tmp;
  // Segment 1 gets batches 1 and 2 (it is still under the limit after 1),
  // segment 2 batch 3 alone (batch 3 exceeds the limit by itself), segment 3
  // batches 4 and 5. The empty commit after batch 3 starts no segment.
  std::string b1 = CreateLines(1, 2, 1), b2 = CreateLines(3, 2, 2), b3 = CreateLines(5, 3, 3),
              b4 = CreateLines(8, 1, 4), b5 = CreateLines(9, 1, 5);
  uint64_t rotate = b1.size() + 1;
  ASSERT_GE(b3.size(), rotate);
  ASSERT_LT(b4.size(), rotate);
  auto sink = MakeTestSink(tmp.str(), "rotate_bytes: " + std::to_string(rotate) + "\n");
  sink->recover();
  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  sink->commit(Creates(3, 2, 2), At("tx-2", 2));
  sink->commit(Creates(5, 3, 3), At("tx-3", 3));
  sink->commit({}, At("tx-4", 0));
  EXPECT_FALSE(fs::exists(tmp.path() / "events-000003.jsonl"));
  sink->commit(Creates(8, 1, 4), At("tx-4", 1));
  sink->commit(Creates(9, 1, 5), At("tx-5", 1));

  EXPECT_EQ(DirEntries(tmp.path()),
            (std::set<std::string>{".lock", "events-000001.jsonl", "events-000002.jsonl",
                                   "events-000003.jsonl", "offsets.json"}));
  EXPECT_EQ(ReadFile(tmp.path() / "events-000001.jsonl"), b1 + b2);
  EXPECT_EQ(ReadFile(tmp.path() / "events-000002.jsonl"), b3);
  EXPECT_EQ(ReadFile(tmp.path() / "events-000003.jsonl"), b4 + b5);
  json off = *ReadOffsetsFile(tmp.str());
  EXPECT_EQ(off["segment"], 3);
  EXPECT_EQ(off["length"], (b4 + b5).size());
  EXPECT_EQ(off["records"], 9);

  std::vector<FileRecordLine> records = ReadCommittedRecords(tmp.str());
  ASSERT_EQ(records.size(), 9u);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(records[i].key, json({{"id", i + 1}})) << i;
}

// A batch larger than a piece is written in pieces, all in the segment the
// batch starts in (a rotation only happens before its first piece).
TEST(FileSinkTest, ABatchOfManyPiecesIsWrittenWholeInOneSegment) {
  TempDir tmp;
  const std::string first = CreateLines(1, 2, 1), big = CreateLines(3, 20000, 2);
  ASSERT_GT(big.size(), 2 * FileSink::kPieceBytes);
  auto sink = MakeTestSink(tmp.str(), "rotate_bytes: " + std::to_string(first.size()) + "\n");
  sink->recover();
  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  sink->commit(Creates(3, 20000, 2), At("tx-2", 20000));
  EXPECT_EQ(ReadFile(tmp.path() / "events-000001.jsonl"), first);
  EXPECT_EQ(ReadFile(tmp.path() / "events-000002.jsonl"), big);
  const json off = *ReadOffsetsFile(tmp.str());
  EXPECT_EQ(off["segment"], 2);
  EXPECT_EQ(off["length"], big.size());
  EXPECT_EQ(off["records"], 20002);
}

// A batch that fails after some of its pieces were written leaves them past
// the commit point; recover() cuts them off and the next commit follows the
// last committed batch exactly.
TEST(FileSinkTest, ABatchFailingAfterItsFirstPiecesLeavesNothingAfterRecover) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str());
  sink->recover();
  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  std::vector<ChangeEvent> failing = Creates(3, 20000, 2);
  failing.back().source.table.table = "bad\xff";  // a topic that is not UTF-8: cannot be a line
  EXPECT_THROW(sink->commit(failing, At("tx-2", 20000)), Error);
  EXPECT_GT(fs::file_size(tmp.path() / "events-000001.jsonl"), FileSink::kPieceBytes);
  EXPECT_THROW(sink->commit(Creates(3, 1, 3), At("tx-3", 1)), Error);  // recover() first
  EXPECT_EQ(sink->recover(), At("tx-1", 2));
  sink->commit(Creates(3, 1, 3), At("tx-3", 1));
  EXPECT_EQ(ReadFile(tmp.path() / "events-000001.jsonl"),
            CreateLines(1, 2, 1) + CreateLines(3, 1, 3));
}

TEST(FileSinkTest, SecondSinkOnTheSameDirectoryIsLockedOut) {
  TempDir tmp;
  auto first = MakeTestSink(tmp.str());
  first->recover();
  first->recover();  // again, as after a failure: the lock is still ours

  auto second = MakeTestSink(tmp.str());
  try {
    second->recover();
    FAIL() << "second sink recovered while the first holds the lock";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("another cdcd process is writing " + tmp.str() + " (lock held"),
        std::string::npos)
        << e.what();
  }
  // Reading the offset takes no lock.
  EXPECT_EQ(second->committed_offset(), std::nullopt);

  first.reset();
  EXPECT_EQ(second->recover(), std::nullopt);
}

TEST(FileSinkTest, CommittedOffsetTouchesNothing) {
  TempDir tmp;
  fs::path dir = tmp.path() / "never-created";
  EXPECT_EQ(MakeTestSink(dir.string())->committed_offset(), std::nullopt);
  EXPECT_FALSE(fs::exists(dir));
}

TEST(FileSinkTest, CommitNeedsRecoverFirst) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str());
  EXPECT_THROW(sink->commit(Creates(1, 1, 1), At("tx-1", 1)), Error);
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

TEST(FileSinkTest, ReaderSeesNothingBeforeTheFirstCommit) {
  TempDir tmp;
  EXPECT_TRUE(ReadCommittedRecords(tmp.str()).empty());
  EXPECT_EQ(ReadOffsetsFile(tmp.str()), std::nullopt);
}

}  // namespace
}  // namespace cdc::testing
