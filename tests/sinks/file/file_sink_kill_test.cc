// The crash guarantee with real crashes: a child process commits batches in a
// loop, the parent SIGKILLs it at a random moment, recovers, and checks that
// the directory holds every committed record exactly once and nothing else.
//
// The workload makes the offset tell how much was committed: event n is
// CustomerEvent(id n) at index n % 5 of transaction n / 5 + 1, so the offset
// {"tx-T", I} after it means (T - 1) * 5 + I events; every fourth event is a
// delete, which adds a tombstone record. Batches end mid-transaction.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "sinks/file/file_sink.h"
#include "sinks/file/file_sink_reader.h"
#include "tests/sinks/file/file_sink_test_util.h"
#include "tests/support/test_support.h"

namespace cdc::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kTxSize = 5;
const char kRotate[] = "rotate_bytes: 4KiB\n";  // rotations happen under fire too

bool IsDelete(uint64_t n) {
  return n % 4 == 3;
}

ChangeEvent Event(uint64_t n) {
  return CustomerEvent(IsDelete(n) ? Op::kDelete : Op::kCreate, static_cast<int32_t>(n),
                       std::to_string(n), n / kTxSize + 1, n % kTxSize);
}

uint64_t EventsBefore(const std::optional<Offset>& offset) {
  if (!offset) return 0;
  uint64_t tx = std::stoull(offset->tx.substr(3));  // "tx-T"
  return (tx - 1) * kTxSize + offset->index;
}

uint64_t RecordsFor(uint64_t events) {
  uint64_t records = 0;
  for (uint64_t n = 0; n < events; ++n) records += IsDelete(n) ? 2 : 1;
  return records;
}

// The child: resume where the directory says, then commit until killed.
[[noreturn]] void CommitForever(const std::string& dir) {
  try {
    auto sink = MakeTestSink(dir, kRotate);
    uint64_t n = EventsBefore(sink->recover());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {  // in case the parent is gone
      uint64_t size = 1 + (n * 7) % 9;
      std::vector<ChangeEvent> batch;
      for (uint64_t i = 0; i < size; ++i) batch.push_back(Event(n + i));
      sink->commit(batch, batch.back().next);
      n += size;
    }
    _exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child: %s\n", e.what());
    _exit(1);
  }
}

// Checks the committed lines against the workload; returns how many events
// were committed.
uint64_t VerifyDirectory(const std::string& dir) {
  auto sink = MakeTestSink(dir, kRotate);
  std::optional<Offset> offset = sink->recover();
  uint64_t events = EventsBefore(offset);
  std::vector<FileRecordLine> records = ReadCommittedRecords(dir);
  EXPECT_EQ(records.size(), RecordsFor(events)) << "offset " << events << " events";
  if (offset) {
    EXPECT_EQ((*ReadOffsetsFile(dir))["records"], records.size());
  }

  size_t r = 0;
  for (uint64_t n = 0; n < events && r < records.size(); ++n) {
    std::string id = "tx-" + std::to_string(n / kTxSize + 1) + ":" + std::to_string(n % kTxSize);
    json value = {{"op", IsDelete(n) ? "d" : "c"}, {"id", n}};
    for (bool tombstone : {false, true}) {
      if (tombstone && !IsDelete(n)) break;
      const FileRecordLine& rec = records[r++];
      EXPECT_EQ(rec.headers.at("cdcd.event_id"), id);
      EXPECT_EQ(rec.key, json({{"id", n}}));
      EXPECT_EQ(rec.value, tombstone ? json(nullptr) : value) << id;
      if (r == records.size()) break;
    }
  }
  // Recovery leaves whole lines only, in no segment past the committed one.
  if (offset) {
    json off = *ReadOffsetsFile(dir);
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name.rfind("events-", 0) != 0) continue;
      EXPECT_LE(std::stoull(name.substr(7, 6)), off["segment"].get<uint64_t>()) << name;
      std::string data = ReadFile(e.path());
      EXPECT_TRUE(data.empty() || data.back() == '\n') << name;
    }
  }
  return events;
}

TEST(FileSinkKillTest, SigkillAtRandomMomentsLosesAndDuplicatesNothing) {
  TempDir tmp;
  std::string dir = (tmp.path() / "out").string();
  std::mt19937 rng(20240501);
  std::uniform_int_distribution<int> delay_us(0, 60'000);
  uint64_t committed = 0;
  for (int round = 0; round < 20; ++round) {
    int delay = delay_us(rng);
    SCOPED_TRACE("round " + std::to_string(round) + ", kill after " + std::to_string(delay) + "us");
    std::fflush(nullptr);  // nothing buffered may be written twice
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) CommitForever(dir);
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child ended by itself, status " << status;

    uint64_t events = VerifyDirectory(dir);
    if (::testing::Test::HasFailure()) return;
    EXPECT_GE(events, committed);  // a commit, once made, stays
    committed = events;
  }
  EXPECT_GT(committed, 0u);
}

}  // namespace
}  // namespace cdc::testing
