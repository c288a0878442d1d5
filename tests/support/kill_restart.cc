#include "tests/support/kill_restart.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <set>
#include <thread>

#include "tests/support/process.h"

namespace cdc::testing {
namespace {

// A fatal failure, as an ASSERT records it, from anywhere: the callers check
// HasFatalFailure().
void Fail(const std::string& message) {
  FAIL() << message;
}

}  // namespace

CdcdRunDir::CdcdRunDir()
    : config_((dir_.path() / "pipelines.yaml").string()),
      log_((dir_.path() / "cdcd.log").string()),
      out_((dir_.path() / "out").string()) {}

void CdcdRunDir::write_config(const std::string& yaml) const {
  WriteFile(config_, yaml);
}

std::vector<std::string> CdcdRunDir::argv() const {
  return {CDCD_BINARY, "run", "--config", config_};
}

int KillRounds(const CdcdRunDir& dir, int rounds, const std::function<void(int)>& before_kill,
               bool may_finish, const std::vector<std::string>& argv) {
  int kills = 0;
  for (int round = 0; round < rounds; ++round) {
    ChildProcess cdcd(argv.empty() ? dir.argv() : argv, dir.log());
    before_kill(round);
    if (::testing::Test::HasFatalFailure()) return kills;
    cdcd.signal(SIGKILL);
    const int status = cdcd.wait();
    kills += status == 128 + SIGKILL;
    if (status != 128 + SIGKILL && !(may_finish && status == 0)) {
      Fail("round " + std::to_string(round) + ": exit status " + std::to_string(status) + "\n" +
           dir.log_text());
      return kills;
    }
  }
  return kills;
}

int KillAfterRandomDelays(const CdcdRunDir& dir, int rounds, std::chrono::milliseconds min,
                          std::chrono::milliseconds max, std::mt19937& rng, bool may_finish) {
  std::uniform_int_distribution<int64_t> delay_ms(min.count(), max.count());
  return KillRounds(
      dir, rounds,
      [&](int) { std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng))); },
      may_finish);
}

void RunUntilThenStop(const CdcdRunDir& dir, const std::function<void()>& until,
                      std::chrono::seconds timeout) {
  ChildProcess cdcd(dir.argv(), dir.log());
  until();
  if (::testing::Test::HasFatalFailure()) return;
  cdcd.signal(SIGTERM);
  int status = -1;
  if (!cdcd.wait_for(timeout, status)) {
    Fail("cdcd did not stop on SIGTERM\n" + dir.log_text());
    return;
  }
  ASSERT_EQ(status, 0) << dir.log_text();
}

void RunToCompletion(const CdcdRunDir& dir, std::chrono::seconds timeout,
                     const std::vector<std::string>& argv) {
  ChildProcess cdcd(argv.empty() ? dir.argv() : argv, dir.log());
  int status = -1;
  if (!cdcd.wait_for(timeout, status)) {
    Fail("cdcd did not finish\n" + dir.log_text());
    return;
  }
  ASSERT_EQ(status, 0) << dir.log_text();
}

uint32_t E2eSeed() {
  if (const char* s = std::getenv("CDCD_E2E_SEED")) return std::stoul(s);
  return std::random_device{}();
}

void ExpectSameEventIds(const std::vector<std::string>& got,
                        const std::vector<std::string>& expected) {
  ASSERT_EQ(got.size(), expected.size()) << "events lost or duplicated";
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], expected[i]) << "first difference at event " << i;
  }
}

std::vector<FileRecordLine> CommittedChanges(const std::string& out) {
  std::vector<FileRecordLine> rows;
  for (FileRecordLine& r : ReadCommittedRecords(out)) {
    if (r.value.is_object() && r.value.contains("op")) rows.push_back(std::move(r));
  }
  return rows;
}

void ExpectUniqueEventIds(const std::vector<FileRecordLine>& records) {
  std::set<std::string> ids;
  for (const FileRecordLine& r : records) {
    // A key-changing update is two records of one event: a delete and a create.
    const std::string id = r.headers.at("cdcd.event_id") + "/" + r.headers.at("cdcd.op");
    ASSERT_TRUE(ids.insert(id).second) << "duplicate " << id;
  }
}

void DrainChanges(const CdcdRunDir& dir, uint64_t expected, std::vector<FileRecordLine>& changes) {
  RunUntilThenStop(dir, [&] {
    for (int i = 0; i < 1200 && CommittedChanges(dir.out()).size() < expected; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // A little longer: more than `expected` would be duplicates.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  });
  if (::testing::Test::HasFatalFailure()) return;
  changes = CommittedChanges(dir.out());
  ASSERT_EQ(changes.size(), expected) << "changes lost or duplicated";
  ExpectUniqueEventIds(changes);
}

std::map<int64_t, int64_t> ReplayIdToV(const std::vector<FileRecordLine>& changes) {
  std::map<int64_t, int64_t> state;
  for (const FileRecordLine& r : changes) {
    if (r.value["op"] == "d") {
      state.erase(r.value["before"]["id"].get<int64_t>());
    } else {
      state[r.value["after"]["id"].get<int64_t>()] = r.value["after"]["v"].get<int64_t>();
    }
  }
  return state;
}

}  // namespace cdc::testing
