// Chaos: exactly-once delivery while everything around cdcd fails.
//
// For each pair (PostgreSQL or MariaDB -> file or Kafka) one writer thread
// runs a mixed workload on three tables (chaos_workload.h) while faults land
// at random moments, one every 2-6 s (chaos_faults.h). cdcd runs as a
// hot-standby pair of processes; one of them is SIGKILLed and restarted
// (most often; the active one two times in three, and the standby must take
// over within 20 s); the database restarted cleanly (PostgreSQL fast
// shutdown, MariaDB SIGTERM) or as a crash (immediate shutdown, SIGKILL); in
// the Kafka pairs the broker SIGKILLed and restarted; in the file pairs, as
// root, the sink's tmpfs filled up for a few seconds. Servers and broker are
// the test's own (tests/services/svc in scratch state dirs): no other test
// sees the faults. Then the writer stops and commits a marker row, cdcd runs
// fault-free until the sink holds it, and both processes must stop cleanly
// on SIGTERM. The sink's committed
// records (file sink, or a read_committed consumer) are compared per table
// and key with the writer's history of committed change events -- lost,
// duplicated, out of order, never committed -- and replaying them must give
// the database's rows. One line per pair goes to stdout; all counts must be 0.
//
// Environment:
//   CDCD_CHAOS_SECONDS   fault period per pair; default 90 (bounded profile,
//                        about 10-15 kills per pair).
//   CDCD_CHAOS_LARGE_TX  rows of the large transactions (one every 10-30 s);
//                        default 2000.
//   CDCD_E2E_SEED        seed of the writer and the faults (printed); random
//                        by default. Timing still varies from run to run.
//   CDCD_CHAOS_TMPFS_MB  size of the file sink's tmpfs (default 256; the full
//                        profile writes more: give it 2048).
// Full profile: CDCD_CHAOS_SECONDS=600 CDCD_CHAOS_LARGE_TX=50000, at least 20
// kills per pair (every run checks one kill per 20 s of faults).
//
// Skipped where `svc start` cannot start the servers; failed instead with
// CDCD_REQUIRE_SERVICES set. tests/CMakeLists.txt:
//   cdcd_test_dir(chaos LABELS chaos TIMEOUT 1800)
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cdc/record.h"
#include "tests/chaos/chaos_faults.h"
#include "tests/chaos/chaos_workload.h"
#include "tests/support/test_support.h"

namespace cdc::testing {
namespace {

// --- verification ---

// What the comparison found; every count but `expected` must be 0.
struct Tally {
  size_t expected = 0;      // change events committed, truncates included
  size_t lost = 0;          // committed, not in the sink
  size_t duplicated = 0;    // further copies of an event in the sink
  size_t out_of_order = 0;  // before an event of its key that it followed, or on the
                            // wrong side of a truncate of its table
  size_t unexpected = 0;    // in the sink, never committed
  size_t final_diffs = 0;   // keys whose replayed row differs from the database's
};

// Compares the sink's records with the writer's history, per table and key
// (one use per object). The order that counts is the order of each table's
// topic: one partition in Kafka, the file's order in the file sink.
class Verifier {
 public:
  // topics[t]: the topic of table t.
  explicit Verifier(std::vector<std::string> topics) : topics_(std::move(topics)) {}

  Tally compare(const std::vector<Change>& history, const std::vector<Record>& records,
                const Tables& database) {
    expect(history);
    observe(records);
    Tally tally;
    tally.expected = history.size();
    for (const auto& [key, want] : want_) {
      auto it = got_.find(key);
      count_key(want, it == got_.end() ? std::vector<Event>{} : it->second, tally);
    }
    for (const auto& [key, got] : got_) {
      if (want_.count(key) == 0) count_key({}, got, tally);
    }
    for (int t = 0; t < kTables; ++t) {
      count_truncates(t, tally);
      tally.final_diffs += CountDiffs(replayed_[t], database[t]);
    }
    return tally;
  }

 private:
  // One event of a key: its op and version, and how many truncates of its
  // table came before it.
  struct Event {
    int64_t token;
    size_t epoch;
  };
  using Key = std::pair<int, int64_t>;

  // c, u, d of a version; anything else (a snapshot read) matches nothing.
  static int64_t Token(char op, int64_t ver) {
    const int code = op == 'c' ? 0 : op == 'u' ? 1 : op == 'd' ? 2 : 3;
    return ver * 4 + code;
  }

  int table_of(const std::string& topic) const {
    for (int t = 0; t < kTables; ++t) {
      if (topics_[t] == topic) return t;
    }
    return -1;
  }

  void expect(const std::vector<Change>& history) {
    for (const Change& c : history) {
      if (c.op == 't') {
        ++want_truncates_[c.table];
      } else {
        want_[{c.table, c.key}].push_back({Token(c.op, c.ver), want_truncates_[c.table]});
      }
    }
  }

  // Splits the records by key, numbers the truncates (a truncate's copies
  // share its event id) and replays the rows as a consumer would.
  void observe(const std::vector<Record>& records) {
    for (const Record& r : records) {
      const int t = table_of(r.topic);
      if (t < 0 || !r.value) continue;
      nlohmann::json v = nlohmann::json::parse(*r.value);
      const std::string op = v.value("op", "?");
      if (op == "t") {
        ++got_truncates_[t];
        truncate_ids_[t].insert(EventId(r));
        replayed_[t].clear();
        continue;
      }
      nlohmann::json& row = op == "d" ? v["before"] : v["after"];
      const int64_t key = row.is_object() ? row.value("id", int64_t{-1}) : -1;
      const int64_t ver = row.is_object() ? row.value("ver", int64_t{-1}) : -1;
      got_[{t, key}].push_back({Token(op[0], ver), truncate_ids_[t].size()});
      // An update that changes the id (the keyless table's key change)
      // moves the row: the consumer forgets the old id.
      const nlohmann::json& before = v["before"];
      if (op == "u" && before.is_object() && before.value("id", key) != key) {
        replayed_[t].erase(before.value("id", int64_t{-1}));
      }
      if (op == "d") {
        replayed_[t].erase(key);
      } else {
        replayed_[t][key] = RowVersion{ver, row.is_object() ? row.value("note", "") : ""};
      }
    }
  }

  static std::string EventId(const Record& r) {
    for (const Header& h : r.headers) {
      if (h.name == "cdcd.event_id") return h.value;
    }
    return "";
  }

  // Out of order: an event found before the previous one found of its key
  // (a swap of two counts once), or after another number of truncates.
  static void count_key(const std::vector<Event>& want, const std::vector<Event>& got,
                        Tally& tally) {
    std::unordered_map<int64_t, size_t> position;
    for (size_t i = 0; i < want.size(); ++i) position[want[i].token] = i;
    std::unordered_map<int64_t, size_t> copies;
    std::optional<size_t> previous;
    for (const Event& e : got) {
      if (++copies[e.token] > 1) {
        ++tally.duplicated;
        continue;
      }
      auto it = position.find(e.token);
      if (it == position.end()) {
        ++tally.unexpected;
        continue;
      }
      if ((previous && it->second < *previous) || want[it->second].epoch != e.epoch) {
        ++tally.out_of_order;
      }
      previous = it->second;
    }
    for (const Event& e : want) tally.lost += copies.count(e.token) == 0;
  }

  // Truncates have no key: they are counted per table, by event id.
  void count_truncates(int t, Tally& tally) const {
    const size_t want = want_truncates_[t], distinct = truncate_ids_[t].size();
    tally.lost += want > distinct ? want - distinct : 0;
    tally.unexpected += distinct > want ? distinct - want : 0;
    tally.duplicated += got_truncates_[t] - distinct;
  }

  std::vector<std::string> topics_;
  std::map<Key, std::vector<Event>> want_, got_;
  std::array<size_t, kTables> want_truncates_{}, got_truncates_{};
  std::array<std::set<std::string>, kTables> truncate_ids_;
  Tables replayed_;
};

// --- the report: one line per pair, all of them again at the end ---

std::string ReportRow(const std::vector<std::string>& cells) {
  static const std::vector<int> widths = {17, 5, 9, 11, 15, 10, 15, 4, 10, 12, 10, 11};
  std::ostringstream out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i == 0) {
      out << std::left;
    } else {
      out << " | " << std::right;
    }
    out << std::setw(widths[i]) << cells[i];
  }
  return out.str();
}

std::vector<std::string>& ReportLines() {
  static std::vector<std::string> lines;
  return lines;
}

const std::string& ReportHeader() {
  static const std::string header = ReportRow(
      {"pair", "kills", "takeovers", "db restarts", "broker restarts", "disk fills",
       "events expected", "lost", "duplicated", "out of order", "unexpected", "final diffs"});
  return header;
}

void Report(const std::string& pair, const FaultCounts& f, const Tally& t) {
  auto n = [](size_t v) { return std::to_string(v); };
  ReportLines().push_back(
      ReportRow({pair, n(f.kills), n(f.takeovers), n(f.db_restarts), n(f.broker_restarts),
                 n(f.disk_fills), n(t.expected), n(t.lost), n(t.duplicated), n(t.out_of_order),
                 n(t.unexpected), n(t.final_diffs)}));
  std::cout << ReportHeader() << "\n"
            << ReportLines().back() << "\n"
            << "[chaos] " << pair << ": slowest takeover " << f.max_takeover_s << " s\n";
}

// When one process runs several pairs, their lines again as one table.
class ReportPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    if (ReportLines().size() < 2) return;
    std::cout << "\nchaos summary\n" << ReportHeader() << "\n";
    for (const std::string& line : ReportLines()) std::cout << line << "\n";
  }
};
[[maybe_unused]] ::testing::Environment* const kReportPrinter =
    ::testing::AddGlobalTestEnvironment(new ReportPrinter);

// --- one pair ---

std::string Indented(const std::string& yaml, const std::string& pad) {
  std::istringstream in(yaml);
  std::string out;
  for (std::string line; std::getline(in, line);) out += pad + line + "\n";
  return out;
}

// Small batches, so that large transactions are cut by many commits, and a
// short retry backoff, so that cdcd is back soon after each restart.
std::string ChaosConfig(const ChaosDb& db, const ChaosSink& sink) {
  return std::string("pipelines:\n  - name: ") + kChaosPipeline + "\n    source:\n" +
         Indented(db.source_yaml(), "      ") + "    sink:\n" +
         Indented(sink.sink_yaml(), "      ") +
         "    format: {envelope: debezium, schemas: false, tombstones: false}\n"
         "    batch: {max_events: 500, linger: 5ms}\n"
         "    retry: {initial_backoff: 200ms, max_backoff: 2s}\n"
         "    standby: true\n"
         "http: {listen: \"127.0.0.1:0\"}\n"
         "log: {level: info}\n";
}

// Whether the marker row, committed after everything else, reached the sink.
bool HasMarker(const ChaosSink& sink, const std::string& topic) {
  try {
    for (const Record& r : sink.read({topic})) {
      if (r.value && nlohmann::json::parse(*r.value).value("op", "") == "c") return true;
    }
  } catch (const std::exception&) {
    // Nothing readable yet.
  }
  return false;
}

void RunChaos(const std::string& pair, ChaosDb& db, ChaosSink& sink, const CdcdRunDir& dir) {
  const uint32_t seed = E2eSeed();
  const int seconds = EnvInt("CDCD_CHAOS_SECONDS", 90);
  const int large_rows = EnvInt("CDCD_CHAOS_LARGE_TX", 2000);
  std::cout << "[chaos] " << pair << ": CDCD_E2E_SEED=" << seed << ", " << seconds
            << " s of faults, large transactions of " << large_rows << " rows\n";
  SCOPED_TRACE("CDCD_E2E_SEED=" + std::to_string(seed) + " (" + pair + ")");
  std::vector<std::string> topics;
  for (int t = 0; t < kTables; ++t) topics.push_back(TopicOf(db, TableName(t)));
  dir.write_config(ChaosConfig(db, sink));

  Faults faults(dir, db, sink, seed + 1);
  faults.start_cdcd();
  ASSERT_TRUE(
      WaitFor([&] { return db.capturing([&] { return sink.committed_anything(); }); }, 120s, 500ms))
      << "cdcd never started capturing\n"
      << faults.logs();

  Workload writer(db, seed, large_rows);
  writer.start();
  faults.inject_for(std::chrono::seconds(seconds));
  writer.stop();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  ASSERT_EQ(writer.error(), "") << "the writer failed";
  ASSERT_TRUE(writer.commit_marker()) << writer.error();

  // Fault-free: the running cdcd catches up to the marker, then stops cleanly.
  const std::string marker = TopicOf(db, "chaos_marker");
  ASSERT_TRUE(WaitFor([&] { return HasMarker(sink, marker); }, 300s, 2s))
      << "the sink did not catch up within 5 minutes\n"
      << faults.logs();
  std::this_thread::sleep_for(2s);  // a late duplicate would arrive now
  ASSERT_NO_FATAL_FAILURE(faults.stop_cdcd());

  const Tables database = ReadTables(db);
  const Tally tally = Verifier(topics).compare(writer.history(), sink.read(topics), database);
  Report(pair, faults.counts(), tally);
  std::cout << "[chaos] " << pair << ": writer: " << writer.summary() << "\n";
  EXPECT_EQ(tally.lost, 0u);
  EXPECT_EQ(tally.duplicated, 0u);
  EXPECT_EQ(tally.out_of_order, 0u);
  EXPECT_EQ(tally.unexpected, 0u);
  EXPECT_EQ(tally.final_diffs, 0u) << "replaying the sink does not give the tables' rows";
  size_t drift = 0;
  for (int t = 0; t < kTables; ++t) drift += CountDiffs(writer.model()[t], database[t]);
  EXPECT_EQ(drift, 0u) << "the writer's model is not the database: its history is wrong";
  EXPECT_GE(faults.counts().kills, seconds / 20);
}

// Declares `var` = start(error), or ends the test when svc cannot start the
// server: skipped on a developer machine, failed with CDCD_REQUIRE_SERVICES.
#define CHAOS_START_OR_SKIP(var, start)                                               \
  std::string var##_error;                                                            \
  auto var = start(var##_error);                                                      \
  if (!var) {                                                                         \
    if (::cdc::testing::ServicesRequired()) {                                         \
      FAIL() << "cannot start a server with tests/services/svc: " << var##_error;     \
    }                                                                                 \
    GTEST_SKIP() << "cannot start a server with tests/services/svc: " << var##_error; \
  }

TEST(ChaosTest, PostgresToFile) {
  CHAOS_START_OR_SKIP(db, StartChaosDb<ChaosPostgres>);
  CdcdRunDir dir;
  FileChaosSink sink(dir.out() + "-fs");
  RunChaos("postgres -> file", *db, sink, dir);
}

TEST(ChaosTest, PostgresToKafka) {
  CHAOS_START_OR_SKIP(db, StartChaosDb<ChaosPostgres>);
  CHAOS_START_OR_SKIP(sink, KafkaChaosSink::Start);
  CdcdRunDir dir;
  RunChaos("postgres -> kafka", *db, *sink, dir);
}

TEST(ChaosTest, MariaDbToFile) {
  CHAOS_START_OR_SKIP(db, StartChaosDb<ChaosMariaDb>);
  CdcdRunDir dir;
  FileChaosSink sink(dir.out() + "-fs");
  RunChaos("mariadb -> file", *db, sink, dir);
}

TEST(ChaosTest, MariaDbToKafka) {
  CHAOS_START_OR_SKIP(db, StartChaosDb<ChaosMariaDb>);
  CHAOS_START_OR_SKIP(sink, KafkaChaosSink::Start);
  CdcdRunDir dir;
  RunChaos("mariadb -> kafka", *db, *sink, dir);
}

}  // namespace
}  // namespace cdc::testing
