// FileCaptureReader: committed records back, byte for byte, from any
// position; bad directories refused before the first record.
#include "sinks/file/file_capture_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sinks/file/directory_layout.h"
#include "sinks/file/record_line.h"
#include "tests/sinks/file/file_sink_test_util.h"

namespace cdc::testing {
namespace {

namespace fs = std::filesystem;

std::vector<Record> ReadAll(CaptureReader& r) {
  std::vector<Record> out;
  Record rec;
  while (r.next(rec)) out.push_back(rec);
  return out;
}

std::string Lines(const std::vector<Record>& records) {
  std::string out;
  for (const Record& r : records) filesink::AppendRecordLine(r, out);
  return out;
}

std::string SegmentsText(const fs::path& dir) {
  std::string out;
  for (int n = 1; fs::exists(dir / filesink::SegmentName(n)); ++n) {
    out += ReadFile(dir / filesink::SegmentName(n));
  }
  return out;
}

void Append(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::app) << text;
}

template <typename F>
std::string CaptureErrorOf(F&& f) {
  try {
    f();
  } catch (const CaptureError& e) {
    return e.what();
  }
  return "(no CaptureError)";
}

TEST(FileCaptureReaderTest, ReadsBackEveryCommittedLineVerbatim) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str(), "rotate_bytes: 300\n");
  sink->recover();
  std::vector<ChangeEvent> batch = Creates(1, 3, 1);
  batch.push_back(CustomerEvent(Op::kDelete, 2, "", 2, 0));  // + tombstone
  sink->commit(batch, At("tx-2", 1));
  sink->commit(Creates(10, 4, 3), At("tx-3", 4));
  ASSERT_TRUE(fs::exists(tmp.path() / "events-000002.jsonl"));  // rotated

  FileCaptureReader reader(tmp.str());
  std::vector<Record> records = ReadAll(reader);
  ASSERT_EQ(records.size(), 9u);
  EXPECT_EQ(Lines(records), SegmentsText(tmp.path()));
  EXPECT_EQ(records[3].key, std::optional<std::string>("{\"id\":2}"));
  EXPECT_EQ(records[4].value, std::nullopt);  // the tombstone
  EXPECT_EQ(records[0].headers.size(), 3u);
  EXPECT_EQ(reader.progress().done, reader.progress().total);
  EXPECT_EQ(std::string(reader.progress().unit), "bytes");
}

TEST(FileCaptureReaderTest, ResumesFromEveryPosition) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str(), "rotate_bytes: 250\n");
  sink->recover();
  for (int b = 0; b < 4; ++b) sink->commit(Creates(b * 3 + 1, 3, b + 1), At("tx", 0));
  FileCaptureReader all(tmp.str());
  std::vector<Record> expected = ReadAll(all);

  FileCaptureReader walker(tmp.str());
  std::vector<nlohmann::json> positions{walker.position()};
  Record r;
  while (walker.next(r)) positions.push_back(walker.position());
  ASSERT_EQ(positions.size(), expected.size() + 1);
  for (size_t i = 0; i < positions.size(); ++i) {
    FileCaptureReader resumed(tmp.str());
    resumed.seek(positions[i]);
    std::vector<Record> rest = ReadAll(resumed);
    EXPECT_EQ(Lines(rest), Lines({expected.begin() + static_cast<long>(i), expected.end()}))
        << "from " << positions[i].dump();
  }
}

TEST(FileCaptureReaderTest, IgnoresAnUncommittedTornTail) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str());
  sink->recover();
  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  Append(tmp.path() / "events-000001.jsonl", "{\"topic\":\"app.public.cust");  // a crash
  Append(tmp.path() / "events-000002.jsonl", "{\"topic\":\"x\"}\n");
  FileCaptureReader reader(tmp.str());
  EXPECT_EQ(ReadAll(reader).size(), 2u);
}

TEST(FileCaptureReaderTest, LinesLongerThanTheWindowAreRead) {
  TempDir tmp;
  auto sink = MakeFileSink(SinkConfig("type: file\npath: " + tmp.str() + "\n"), TestContext());
  sink->recover();
  std::string big(3 << 20, 'x');
  Record r{"t", std::string("{\"blob\":\"") + big + "\"}", "[1,2]", {{"h", "v"}}};
  sink->commit_records({r, r}, At("tx-1", 2));
  FileCaptureReader reader(tmp.str());
  std::vector<Record> got = ReadAll(reader);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].key, r.key);
  EXPECT_EQ(got[1].value, r.value);
}

TEST(FileCaptureReaderTest, SkipsArchivedSegmentsButNotForAResumeInsideThem) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str(), "rotate_bytes: 100\n");
  sink->recover();
  for (int b = 0; b < 3; ++b) sink->commit(Creates(b + 1, 1, b + 1), At("tx", 0));
  FileCaptureReader first(tmp.str());
  Record r;
  first.next(r);
  const nlohmann::json in_first = first.position();
  fs::remove(tmp.path() / "events-000001.jsonl");  // a consumer archived it

  FileCaptureReader reader(tmp.str());
  EXPECT_EQ(ReadAll(reader).size(), 2u);
  FileCaptureReader resumed(tmp.str());
  resumed.seek(in_first);  // the first segment was fully read
  EXPECT_EQ(ReadAll(resumed).size(), 2u);
  FileCaptureReader inside(tmp.str());
  EXPECT_NE(CaptureErrorOf([&] {
              inside.seek({{"segment", 1}, {"byte", 0}});
            }).find("is gone"),
            std::string::npos);
}

TEST(FileCaptureReaderTest, RefusesWhatIsNotACapture) {
  TempDir tmp;
  EXPECT_NE(CaptureErrorOf([&] {
              FileCaptureReader r((tmp.path() / "nope").string());
            }).find("no such directory"),
            std::string::npos);
  WriteFile(tmp.path() / "events-000001.jsonl", "{}\n");
  EXPECT_NE(CaptureErrorOf([&] { FileCaptureReader r(tmp.str()); }).find("has no offsets.json"),
            std::string::npos);
  WriteFile(tmp.path() / "offsets.json", "{\"segment\": 1}");
  EXPECT_NE(CaptureErrorOf([&] { FileCaptureReader r(tmp.str()); }).find("unsupported"),
            std::string::npos);
}

TEST(FileCaptureReaderTest, RefusesATornCommittedSegment) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str());
  sink->recover();
  sink->commit(Creates(1, 3, 1), At("tx-1", 3));
  sink.reset();
  const fs::path seg = tmp.path() / "events-000001.jsonl";
  const auto size = fs::file_size(seg);
  fs::resize_file(seg, size - 10);  // committed bytes lost
  EXPECT_NE(CaptureErrorOf([&] { FileCaptureReader r(tmp.str()); }).find("is torn"),
            std::string::npos);
  fs::resize_file(seg, size);  // same length, but the last line is not a line
  std::string text = ReadFile(seg);
  text.back() = '}';
  WriteFile(seg, text);
  EXPECT_NE(
      CaptureErrorOf([&] { FileCaptureReader r(tmp.str()); }).find("do not end with a whole line"),
      std::string::npos);
}

TEST(FileCaptureReaderTest, RefusesPositionsThatDoNotFit) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str());
  sink->recover();
  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  FileCaptureReader r(tmp.str());
  EXPECT_NE(CaptureErrorOf([&] {
              r.seek({{"segment", 1}, {"byte", 5}});
            }).find("does not start a line"),
            std::string::npos);
  EXPECT_NE(CaptureErrorOf([&] {
              r.seek({{"segment", 7}, {"byte", 0}});
            }).find("ends before"),
            std::string::npos);
  EXPECT_NE(CaptureErrorOf([&] { r.seek({{"partition", 0}}); }).find("want"), std::string::npos);
}

TEST(FileCaptureReaderTest, ACorruptLineNamesFileAndByte) {
  TempDir tmp;
  auto sink = MakeTestSink(tmp.str());
  sink->recover();
  sink->commit(Creates(1, 2, 1), At("tx-1", 2));
  sink.reset();
  const fs::path seg = tmp.path() / "events-000001.jsonl";
  std::string text = ReadFile(seg);
  const size_t second = text.find('\n') + 1;
  text.replace(second, 8, "{\"topix\"");
  WriteFile(seg, text);
  FileCaptureReader r(tmp.str());
  Record rec;
  EXPECT_TRUE(r.next(rec));
  try {
    r.next(rec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("events-000001.jsonl: byte " + std::to_string(second)),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cdc::testing
