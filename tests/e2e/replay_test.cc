// `cdcd replay` and `cdcd state` on file captures, through the real binary:
// a replay into another directory SIGKILLed until it finishes holds every
// captured record once, byte for byte; filters keep exactly what they name;
// state equals the projection of the captured events; bad input exits 2 and
// writes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cdc/timestamp.h"
#include "sinks/file/commit_point.h"
#include "sinks/file/directory_layout.h"
#include "sinks/file/record_line.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kEvents = 60000;

std::string TargetConfig(const std::string& dir, int batch) {
  return "pipelines:\n"
         "  - name: restore\n"
         "    source: {type: generator, tables: [orders]}\n"
         "    sink: {type: file, path: \"" +
         dir + "\", rotate_bytes: 4MiB}\n    batch: {max_events: " + std::to_string(batch) +
         "}\nhttp: {enabled: false}\n";
}

std::vector<std::string> Lines(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const Record& r : records) {
    std::string line;
    filesink::AppendRecordLine(r, line);
    out.push_back(std::move(line));
  }
  return out;
}

// One capture for the whole suite: making it takes a few seconds.
class ReplayE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    capture_ = new CdcdRunDir();
    MakeGeneratorCapture(*capture_, kEvents);
  }
  static void TearDownTestSuite() {
    delete capture_;
    capture_ = nullptr;
  }
  static CdcdRunDir* capture_;
};

CdcdRunDir* ReplayE2eTest::capture_ = nullptr;

TEST_F(ReplayE2eTest, FileToFileIsExactlyOnceAcrossSigkills) {
  const std::vector<Record> captured = CaptureRecords(capture_->out());
  ASSERT_GE(captured.size(), kEvents);
  CdcdRunDir target;
  target.write_config(TargetConfig(target.out(), 100));
  const std::vector<std::string> argv = {CDCD_BINARY,     "replay",   "--from",
                                         capture_->out(), "--config", target.config(),
                                         "--pipeline",    "restore"};
  const uint32_t seed = E2eSeed();
  SCOPED_TRACE("CDCD_E2E_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  const int kills = KillAtProgress(
      target, argv,
      [&] {
        const auto cp = filesink::ReadCommitPoint(target.out());
        return cp ? cp->records : 0;
      },
      captured.size(), 8, rng);
  ASSERT_FALSE(HasFailure());
  std::cout << "replay into files: " << kills << " SIGKILLs\n";
  EXPECT_GE(kills, 5) << "the replay finished too early to be killed often enough";

  const std::vector<Record> replayed = CaptureRecords(target.out());
  ASSERT_EQ(replayed.size(), captured.size()) << "records lost or duplicated";
  EXPECT_EQ(Lines(replayed), Lines(captured));
  EXPECT_NE(target.log_text().find("resuming"), std::string::npos);

  // Run again: already complete, nothing written.
  std::string out, err;
  EXPECT_EQ(RunCdcd({"replay", "--from", capture_->out(), "--config", target.config(), "--pipeline",
                     "restore"},
                    out, err),
            0)
      << err;
  EXPECT_EQ(CaptureRecords(target.out()).size(), captured.size());
}

TEST_F(ReplayE2eTest, TableAndTimeFiltersKeepExactlyThoseChanges) {
  const std::vector<Record> captured = CaptureRecords(capture_->out());
  // The middle third of the capture's commit times.
  const int64_t first = json::parse(*captured.front().value)["source"]["ts_us"];
  const int64_t last = json::parse(*captured.back().value)["source"]["ts_us"];
  const int64_t since = first + (last - first) / 3, until = first + 2 * (last - first) / 3;
  std::vector<std::string> expected;
  bool keep_tombstone = false;
  for (const Record& r : captured) {
    if (!r.value) {
      if (keep_tombstone) expected.push_back(Lines({r})[0]);
      continue;
    }
    json v = json::parse(*r.value);
    const int64_t ts = v["source"]["ts_us"];
    const bool keep = v["source"]["table"] == "orders" && ts >= since && ts <= until;
    keep_tombstone = keep && v["op"] == "d";
    if (keep) expected.push_back(Lines({r})[0]);
  }
  ASSERT_GT(expected.size(), 1000u);

  CdcdRunDir target;
  target.write_config(TargetConfig(target.out(), 5000));
  std::string out, err;
  ASSERT_EQ(
      RunCdcd({"replay", "--from", capture_->out(), "--config", target.config(), "--pipeline",
               "restore", "--table", "orders", "--since", FormatTimestampMicros(since), "--until",
               FormatTimestampMicros(until), "--rename-topic", "cap.public.orders=orders_copy"},
              out, err),
      0)
      << err;
  std::vector<Record> replayed = CaptureRecords(target.out());
  for (Record& r : replayed) {
    EXPECT_EQ(r.topic, "orders_copy");
    r.topic = "cap.public.orders";
  }
  EXPECT_EQ(Lines(replayed), expected);
}

// The state of `table` computed independently from the captured JSON:
// key text -> row, for changes committed at or before `as_of`.
std::map<std::string, json> ExpectedState(const std::vector<Record>& captured,
                                          const std::string& table, int64_t as_of) {
  std::map<std::string, json> rows;
  for (const Record& r : captured) {
    if (!r.value) continue;
    json v = json::parse(*r.value);
    if (v["source"]["table"] != table || v["source"]["ts_us"].get<int64_t>() > as_of) continue;
    const std::string key = json::parse(*r.key).dump();
    if (v["op"] == "d") {
      rows.erase(key);
    } else {
      rows[key] = v["after"];
    }
  }
  return rows;
}

std::map<std::string, json> ParseState(const std::string& jsonl) {
  std::map<std::string, json> rows;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    size_t end = jsonl.find('\n', pos);
    json row = json::parse(jsonl.substr(pos, end - pos));
    EXPECT_TRUE(rows.emplace(json({{"id", row["id"]}}).dump(), row).second) << "duplicate row";
    pos = end + 1;
  }
  return rows;
}

TEST_F(ReplayE2eTest, StateEqualsTheProjectionOfTheCapturedEvents) {
  const std::vector<Record> captured = CaptureRecords(capture_->out());
  const int64_t last = json::parse(*captured.back().value)["source"]["ts_us"];
  const int64_t middle = json::parse(*captured[captured.size() / 2].value)["source"]["ts_us"];

  std::string out, err;
  ASSERT_EQ(RunCdcd({"state", "--from", capture_->out(), "--table", "public.orders"}, out, err), 0)
      << err;
  const auto at_end = ExpectedState(captured, "orders", last);
  ASSERT_GT(at_end.size(), 100u);
  EXPECT_EQ(ParseState(out), at_end);

  ASSERT_EQ(RunCdcd({"state", "--from", capture_->out(), "--table", "orders", "--as-of",
                     FormatTimestampMicros(middle)},
                    out, err),
            0)
      << err;
  const auto at_middle = ExpectedState(captured, "orders", middle);
  EXPECT_EQ(ParseState(out), at_middle);
  EXPECT_NE(at_middle, at_end);

  ASSERT_EQ(RunCdcd({"state", "--from", capture_->out(), "--table", "orders", "--format", "csv"},
                    out, err),
            0)
      << err;
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "id,customer,amount,quantity,status,updated_at,version,note");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), static_cast<long>(at_end.size() + 1));
}

TEST_F(ReplayE2eTest, BadInputExitsTwoAndWritesNothing) {
  CdcdRunDir target;
  target.write_config(TargetConfig(target.out(), 500));
  TempDir not_capture;
  WriteFile(not_capture.path() / "notes.txt", "hello\n");
  // A copy of the capture whose last committed segment lost its tail.
  TempDir torn;
  fs::copy(capture_->out(), torn.path(), fs::copy_options::recursive);
  const json cp = json::parse(ReadFile(torn.path() / "offsets.json"));
  const fs::path last = torn.path() / filesink::SegmentName(cp["segment"].get<uint64_t>());
  fs::resize_file(last, cp["length"].get<uint64_t>() - 7);

  const std::vector<std::string> replay = {"replay", "--config", target.config(), "--pipeline",
                                           "restore"};
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--from", not_capture.str()}, "is not a cdcd capture"},
      {{"--from", (not_capture.path() / "missing").string()}, "no such directory"},
      {{"--from", torn.str()}, "is torn"},
      {{"--from", capture_->out(), "--table", "nope"}, "holds no change of table nope"},
      {{"--from", capture_->out(), "--since", "last tuesday"}, "not a timestamp"},
      {{"--from", capture_->out(), "--rename-topic", "x"}, "want OLD=NEW"},
      {{"--from", "kafka:orders"}, "no brokers"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = replay;
    args.insert(args.end(), c.args.begin(), c.args.end());
    std::string out, err;
    EXPECT_EQ(RunCdcd(args, out, err), 2) << err;
    EXPECT_NE(err.find(c.message), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(target.out())) << "the target was written for " << c.args[1];
  }

  const std::vector<Case> state_cases = {
      {{"--from", not_capture.str(), "--table", "orders"}, "is not a cdcd capture"},
      {{"--from", torn.str(), "--table", "orders"}, "is torn"},
      {{"--from", capture_->out(), "--table", "nope"}, "holds no change of that table"},
      {{"--from", capture_->out(), "--table", "orders", "--as-of", "2026-02-30"},
       "not a timestamp"},
      {{"--from", capture_->out(), "--table", "orders", "--at-offset", "0/0:0"},
       "no event or transaction with that id"},
      {{"--from", capture_->out(), "--table", "orders", "--format", "xml"}, "want jsonl or csv"},
  };
  for (const Case& c : state_cases) {
    std::vector<std::string> args = {"state"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    std::string out, err;
    EXPECT_EQ(RunCdcd(args, out, err), 2) << err;
    EXPECT_NE(err.find(c.message), std::string::npos) << err;
    EXPECT_EQ(out, "");
  }
}

}  // namespace
}  // namespace cdc::testing
