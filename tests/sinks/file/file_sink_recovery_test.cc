// FileSink::recover() on the states a crash (or an outside hand) can leave.
// Crashes are simulated by writing the files a killed process would have left;
// file_sink_kill_test.cc kills real processes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cdc/error.h"
#include "sinks/file/file_sink.h"
#include "sinks/file/file_sink_reader.h"
#include "tests/sinks/file/file_sink_test_util.h"
#include "tests/support/test_support.h"

namespace cdc::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void Append(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out << bytes;
  ASSERT_TRUE(out.good()) << p;
}

// recover() must throw an Error whose message holds every one of `parts`.
void ExpectRecoverError(Sink& sink, const std::vector<std::string>& parts) {
  try {
    sink.recover();
    ADD_FAILURE() << "recover() succeeded";
  } catch (const Error& e) {
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "'" << part << "' not in: " << e.what();
    }
  }
}

class FileSinkRecoveryTest : public ::testing::Test {
 protected:
  // Two committed batches: ids 1-2 (tx 1), 3-5 (tx 2).
  void CommitTwoBatches(const std::string& extra = "") {
    auto sink = MakeTestSink(tmp_.str(), extra);
    sink->recover();
    sink->commit(Creates(1, 2, 1), At("tx-1", 2));
    sink->commit(Creates(3, 3, 2), At("tx-2", 3));
  }
  fs::path Seg(int n) const { return tmp_.path() / SegmentFileName(n); }
  static std::string SegmentFileName(int n) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "events-%06d.jsonl", n);
    return buf;
  }

  TempDir tmp_;
  const std::string committed_ = CreateLines(1, 2, 1) + CreateLines(3, 3, 2);
  const std::string offsets_path_ = (tmp_.path() / "offsets.json").string();
};

TEST_F(FileSinkRecoveryTest, TornTailIsCutToTheCommittedLength) {
  CommitTwoBatches();
  Append(Seg(1), CreateLines(6, 1, 3) + "{\"topic\":\"app.public.cus");  // a batch and a half line

  auto sink = MakeTestSink(tmp_.str());
  EXPECT_EQ(sink->recover(), (At("tx-2", 3)));
  EXPECT_EQ(ReadFile(Seg(1)), committed_);

  sink->commit(Creates(6, 2, 3), At("tx-3", 2));
  EXPECT_EQ(ReadFile(Seg(1)), committed_ + CreateLines(6, 2, 3));
  EXPECT_EQ(ReadCommittedRecords(tmp_.str()).size(), 7u);
  EXPECT_EQ((*ReadOffsetsFile(tmp_.str()))["records"], 7);
}

TEST_F(FileSinkRecoveryTest, CrashBetweenDataSyncAndOffsetRename) {
  CommitTwoBatches();
  json before = *ReadOffsetsFile(tmp_.str());
  // The third batch reached the segment, its commit point only the tmp file.
  std::string third = CreateLines(6, 3, 3);
  Append(Seg(1), third);
  json next = before;
  next["length"] = committed_.size() + third.size();
  next["offset"] = At("tx-3", 3).to_json();
  WriteFile(tmp_.path() / "offsets.json.tmp", next.dump());

  auto sink = MakeTestSink(tmp_.str());
  EXPECT_EQ(sink->recover(), (At("tx-2", 3)));
  EXPECT_EQ(ReadFile(Seg(1)), committed_);
  EXPECT_FALSE(fs::exists(tmp_.path() / "offsets.json.tmp"));
  EXPECT_EQ(*ReadOffsetsFile(tmp_.str()), before);

  // The source resends the batch; it is in the file once.
  sink->commit(Creates(6, 3, 3), At("tx-3", 3));
  EXPECT_EQ(ReadFile(Seg(1)), committed_ + third);
  EXPECT_EQ((*ReadOffsetsFile(tmp_.str()))["records"], 8);
}

TEST_F(FileSinkRecoveryTest, UncommittedHigherSegmentsAreRemoved) {
  CommitTwoBatches("rotate_bytes: 10\n");  // every batch after the first rotates
  ASSERT_EQ(ReadFile(Seg(2)), CreateLines(3, 3, 2));
  // A crash after rotating to segment 3 (and a leftover from further on).
  Append(Seg(3), CreateLines(6, 1, 3));
  Append(Seg(4), "");

  auto sink = MakeTestSink(tmp_.str(), "rotate_bytes: 10\n");
  EXPECT_EQ(sink->recover(), (At("tx-2", 3)));
  EXPECT_FALSE(fs::exists(Seg(3)));
  EXPECT_FALSE(fs::exists(Seg(4)));
  EXPECT_EQ(ReadFile(Seg(1)), CreateLines(1, 2, 1));
  EXPECT_EQ(ReadFile(Seg(2)), CreateLines(3, 3, 2));

  sink->commit(Creates(6, 1, 3), At("tx-3", 1));
  EXPECT_EQ(ReadFile(Seg(3)), CreateLines(6, 1, 3));
  EXPECT_EQ(ReadCommittedRecords(tmp_.str()).size(), 6u);
}

TEST_F(FileSinkRecoveryTest, CorruptOffsetsFileIsAnError) {
  CommitTwoBatches();
  json good = *ReadOffsetsFile(tmp_.str());
  auto with = [&](const char* key, json value) {
    json j = good;
    j[key] = std::move(value);
    return j.dump();
  };
  json no_offset = good;
  no_offset.erase("offset");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "file is empty"},
      {"{\"version\":1,\"segm", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {with("version", 2), "unsupported \"version\" 2"},
      {with("length", -5), "\"length\" is not an unsigned integer"},
      {with("segment", 0), "\"segment\" is 0"},
      {with("offset", "tx-2"), "not an offset"},
      {no_offset.dump(), "missing \"offset\""},
  };
  for (const auto& [text, fault] : cases) {
    SCOPED_TRACE(text);
    WriteFile(offsets_path_, text);
    auto sink = MakeTestSink(tmp_.str());
    ExpectRecoverError(*sink, {offsets_path_, fault});
    EXPECT_THROW(ReadCommittedRecords(tmp_.str()), Error);
    EXPECT_EQ(ReadFile(Seg(1)), committed_);  // nothing was touched
  }
}

TEST_F(FileSinkRecoveryTest, CommittedSegmentShorterThanCommittedIsAnError) {
  CommitTwoBatches();
  fs::resize_file(Seg(1), committed_.size() - 10);
  auto sink = MakeTestSink(tmp_.str());
  ExpectRecoverError(
      *sink, {Seg(1).string(), "holds " + std::to_string(committed_.size() - 10) + " bytes",
              std::to_string(committed_.size()) + " bytes were committed", "lost outside cdcd"});
  EXPECT_EQ(fs::file_size(Seg(1)), committed_.size() - 10);
}

TEST_F(FileSinkRecoveryTest, CommittedSegmentMissingIsAnError) {
  CommitTwoBatches();
  fs::remove(Seg(1));
  auto sink = MakeTestSink(tmp_.str());
  ExpectRecoverError(*sink, {Seg(1).string() + " is missing", "bytes were committed"});
}

TEST_F(FileSinkRecoveryTest, CommittedDataNotEndingALineIsAnError) {
  CommitTwoBatches();
  std::string changed = committed_;
  changed.back() = 'x';
  WriteFile(Seg(1), changed);
  auto sink = MakeTestSink(tmp_.str());
  ExpectRecoverError(*sink, {Seg(1).string(), "does not end a line"});
}

TEST_F(FileSinkRecoveryTest, LeftoverSegmentWithoutOffsetsFileIsDiscarded) {
  // A first run that crashed before its first commit completed.
  WriteFile(Seg(1), CreateLines(1, 3, 1) + "{\"top");
  WriteFile(tmp_.path() / "offsets.json.tmp", "{\"version\":1");

  auto sink = MakeTestSink(tmp_.str());
  EXPECT_EQ(sink->recover(), std::nullopt);
  EXPECT_EQ(fs::file_size(Seg(1)), 0u);
  EXPECT_FALSE(fs::exists(tmp_.path() / "offsets.json.tmp"));

  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  EXPECT_EQ(ReadFile(Seg(1)), CreateLines(1, 2, 1));
}

TEST_F(FileSinkRecoveryTest, LaterSegmentWithoutOffsetsFileIsAnError) {
  // Only a commit can lead to segment 2: offsets.json was lost.
  CommitTwoBatches("rotate_bytes: 10\n");
  fs::remove(offsets_path_);
  auto sink = MakeTestSink(tmp_.str());
  ExpectRecoverError(*sink, {"holds events-000002.jsonl but no offsets.json", "refusing"});
  EXPECT_EQ(ReadFile(Seg(2)), CreateLines(3, 3, 2));
}

TEST_F(FileSinkRecoveryTest, RecoverAfterAFailedCommit) {
  CommitTwoBatches();
  auto sink = MakeTestSink(tmp_.str());
  sink->recover();
  // A commit that fails midway: the offsets.json.tmp path is a directory,
  // so the data is written but the commit point cannot be.
  fs::create_directory(tmp_.path() / "offsets.json.tmp");
  EXPECT_THROW(sink->commit(Creates(6, 1, 3), At("tx-3", 1)), Error);
  EXPECT_EQ(ReadFile(Seg(1)), committed_ + CreateLines(6, 1, 3));
  EXPECT_THROW(sink->commit(Creates(7, 1, 4), At("tx-4", 1)), Error);  // recover() first

  fs::remove(tmp_.path() / "offsets.json.tmp");
  EXPECT_EQ(sink->recover(), (At("tx-2", 3)));
  EXPECT_EQ(ReadFile(Seg(1)), committed_);
}

}  // namespace
}  // namespace cdc::testing
