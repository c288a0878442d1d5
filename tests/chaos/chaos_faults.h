// The chaos suite's sinks and faults (see chaos_test.cc).
//
// Two cdcd processes run the pipeline as a hot-standby pair (`standby:
// true`): one is active, the other stands by. Faults, one every 2-6 s: a
// SIGKILL of a cdcd process (the active one two times in three; the standby
// takes over, and must within 20 s: ~8 s on an idle machine, 10 s seen on a
// loaded CI machine, where the broker is slow to abort the dead process's
// open transaction), a database restart (clean or crash), in
// the Kafka pairs a broker crash, and in the file pairs, when the test runs
// as root, the sink's file system (a tmpfs of its own) filled up for a few
// seconds and freed again.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cdc/record.h"
#include "sinks/file/file_sink_reader.h"
#include "tests/chaos/chaos_servers.h"
#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/sinks/kafka/own_kafka_broker.h"
#include "tests/support/capture_util.h"
#include "tests/support/cdcd_http.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"
#include "tests/support/shell.h"

namespace cdc::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::stoi(v) : fallback;
}

template <typename Pred>
bool WaitFor(Pred done, Clock::duration timeout, Clock::duration poll = 200ms) {
  for (const auto deadline = Clock::now() + timeout; !done();) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

// The end of a log: enough to see why, without pages of output.
inline std::string LogTail(const std::string& path) {
  const std::string text = std::filesystem::exists(path) ? ReadFile(path) : "";
  return text.size() > 6000 ? "...\n" + text.substr(text.size() - 6000) : text;
}

inline std::string TopicOf(const ChaosDb& db, const std::string& table) {
  return std::string(kChaosPipeline) + "." + db.table_namespace() + "." + table;
}

// --- sinks ---

// The sink side of a pair.
class ChaosSink {
 public:
  virtual ~ChaosSink() = default;
  // The pipeline's `sink:` block (unindented YAML lines).
  virtual std::string sink_yaml() const = 0;
  // The committed records of `topics`, each topic in its order. Throws when
  // they cannot be read.
  virtual std::vector<Record> read(const std::vector<std::string>& topics) const = 0;
  virtual bool committed_anything() const = 0;
  virtual bool has_broker() const { return false; }
  virtual void restart_broker() {}
  // Whether fill_disk() can fill the sink's file system.
  virtual bool can_fill() const { return false; }
  // Fills the sink's file system for `hold`, then frees it again.
  virtual void fill_disk(std::chrono::milliseconds /*hold*/) {}
};

// The file sink in `root`/out. As root, `root` is a tmpfs of its own
// (CDCD_CHAOS_TMPFS_MB, default 256), so that the disk can be filled.
class FileChaosSink : public ChaosSink {
 public:
  explicit FileChaosSink(const std::string& root) : root_(root), out_(root + "/out") {
    std::filesystem::create_directories(root_);
    if (geteuid() != 0) return;
    const std::string options = "size=" + std::to_string(EnvInt("CDCD_CHAOS_TMPFS_MB", 256)) + "m";
    mounted_ = ::mount("tmpfs", root_.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~FileChaosSink() override {
    if (mounted_) ::umount2(root_.c_str(), MNT_DETACH);
  }
  std::string sink_yaml() const override {
    return "type: file\npath: " + out_ + "\nrotate_bytes: 64MiB\nfsync: true\n";
  }
  std::vector<Record> read(const std::vector<std::string>& topics) const override {
    const std::set<std::string> wanted(topics.begin(), topics.end());
    std::vector<Record> out;
    for (Record& r : CaptureRecords(out_)) {
      if (wanted.count(r.topic)) out.push_back(std::move(r));
    }
    return out;
  }
  bool committed_anything() const override {
    try {
      return ReadOffsetsFile(out_).has_value();
    } catch (const std::exception&) {
      return false;
    }
  }
  bool can_fill() const override { return mounted_; }
  // A filler file takes every free block; writes then fail with ENOSPC.
  void fill_disk(std::chrono::milliseconds hold) override {
    const std::string filler = root_ + "/filler";
    struct statvfs st {};
    if (::statvfs(root_.c_str(), &st) != 0) throw std::runtime_error("statvfs " + root_);
    const off_t free_bytes = static_cast<off_t>(st.f_bavail) * static_cast<off_t>(st.f_frsize);
    const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) throw std::runtime_error("open " + filler);
    // What posix_fallocate cannot get (the sink may write meanwhile) stays free
    // for a moment; the sink's next write takes it.
    (void)::posix_fallocate(fd, 0, free_bytes);
    ::close(fd);
    std::this_thread::sleep_for(hold);
    std::filesystem::remove(filler);
  }

 private:
  std::string root_, out_;
  bool mounted_ = false;
};

// A Kafka sink on a broker of the test's own, with its offsets topic; each
// batch is one Kafka transaction.
class KafkaChaosSink : public ChaosSink {
 public:
  static std::unique_ptr<KafkaChaosSink> Start(std::string& error) {
    auto sink = std::make_unique<KafkaChaosSink>();
    if (!sink->broker_.start(error)) return nullptr;
    return sink;
  }
  // Short timeouts and reconnect backoffs: cdcd notices a dead broker, and
  // a restarted one, quickly (as kafka_broker_restart_test does).
  std::string sink_yaml() const override {
    return "type: kafka\nbrokers: \"" + broker_.brokers() +
           "\"\n"
           "offsets_topic: chaos_offsets\n"
           "operation_timeout: 5s\n"
           "transaction_timeout: 10s\n"
           "properties: {reconnect.backoff.max.ms: 500}\n";
  }
  std::vector<Record> read(const std::vector<std::string>& topics) const override {
    std::vector<Record> out;
    for (kafka::KafkaMessage& m : ReadTopics(broker_.brokers(), topics)) {
      out.push_back(Record{m.topic, std::move(m.key), std::move(m.value), std::move(m.headers)});
    }
    return out;
  }
  bool committed_anything() const override {
    try {
      return !ReadTopics(broker_.brokers(), {"chaos_offsets"}).empty();
    } catch (const std::exception&) {
      return false;
    }
  }
  bool has_broker() const override { return true; }
  // A crash: SIGKILL, a moment down, the same command line again.
  void restart_broker() override {
    broker_.kill();
    std::this_thread::sleep_for(1s);
    broker_.restart();
    if (!WaitFor([&] { return Listed(); }, 120s, 500ms)) {
      throw std::runtime_error("the restarted broker did not answer within 2 minutes");
    }
  }

 private:
  // As svc checks a starting broker: it answers a metadata request.
  bool Listed() const {
    std::string out;
    return Shell("kcat -b " + ShellQuote(broker_.brokers()) + " -L -m 2", out) == 0 &&
           out.find("broker 1 at") != std::string::npos;
  }

  OwnKafkaBroker broker_;
};

// --- faults ---

struct FaultCounts {
  int kills = 0;      // of either process
  int takeovers = 0;  // the active one killed, the standby took over
  int db_restarts = 0;
  int broker_restarts = 0;
  int disk_fills = 0;
  double max_takeover_s = 0;
};

// One cdcd process of the pair: its log, and its HTTP port to ask whether it
// is the active one.
class CdcdProcess {
 public:
  CdcdProcess(const CdcdRunDir& dir, std::string log) : dir_(dir), log_(std::move(log)) {}
  // Starts it; its log goes on after the earlier runs', so the port is read
  // from what this run logged.
  void start() {
    const size_t before =
        std::filesystem::exists(log_) ? static_cast<size_t>(std::filesystem::file_size(log_)) : 0;
    process_.emplace(dir_.argv(), log_);
    http_.reset();
    for (int i = 0; i < 400; ++i) {
      const std::string text = std::filesystem::exists(log_) ? ReadFile(log_) : "";
      if (int port = LoggedHttpPort(text.size() > before ? text.substr(before) : "")) {
        http_ = std::make_unique<httplib::Client>("127.0.0.1", port);
        http_->set_connection_timeout(1);
        http_->set_read_timeout(2);
        return;
      }
      std::this_thread::sleep_for(25ms);
    }
  }
  bool running() const { return process_.has_value(); }
  ChildProcess& process() { return *process_; }
  void reset() { process_.reset(); }
  // The pipeline's state ("running", "standby", ...), or "" when unknown.
  std::string state() {
    if (!http_) return "";
    auto res = http_->Get("/pipelines");
    if (!res || res->status != 200) return "";
    nlohmann::json all = nlohmann::json::parse(res->body, nullptr, false);
    return all.is_array() && !all.empty() ? all[0].value("state", "") : "";
  }
  const std::string& log() const { return log_; }

 private:
  const CdcdRunDir& dir_;
  std::string log_;
  std::optional<ChildProcess> process_;
  std::unique_ptr<httplib::Client> http_;
};

// Owns the pair of cdcd processes and injects the faults.
class Faults {
 public:
  Faults(const CdcdRunDir& dir, ChaosDb& db, ChaosSink& sink, uint32_t seed)
      : db_(db), sink_(sink), rng_(seed), cdcd_{{{dir, dir.log()}, {dir, dir.log() + ".b"}}} {}

  void start_cdcd() {
    for (CdcdProcess& p : cdcd_) p.start();
  }

  // Injects faults for `period`, one every 2-6 s: mostly SIGKILLs of cdcd,
  // now and then a database restart (clean or crash), a broker crash, a full
  // disk. Both processes are running when it returns. At least one kill per
  // 15 s of faults: a fault whose turn falls behind that pace is a kill, so
  // no seed's draw of slow faults leaves a run short of kills.
  void inject_for(std::chrono::seconds period) {
    std::uniform_int_distribution<int> gap_ms(2000, 6000);
    const bool extra = sink_.has_broker() || sink_.can_fill();
    const int kinds = extra ? 9 : 8;
    const auto start = Clock::now();
    for (const auto end = start + period;
         Clock::now() < end && !::testing::Test::HasFatalFailure();) {
      watch(std::chrono::milliseconds(gap_ms(rng_)));
      if (::testing::Test::HasFatalFailure()) return;
      const int roll = static_cast<int>(rng_() % kinds);
      const bool kill_due = counts_.kills < (Clock::now() - start) / 15s;
      if (roll < 6 || kill_due) {
        kill_cdcd();
      } else if (roll < 8) {
        restart_db(/*crash=*/roll == 7);
      } else if (sink_.has_broker()) {
        restart_broker();
      } else {
        fill_disk();
      }
    }
  }

  // SIGTERM to both: each must drain, commit and exit 0.
  void stop_cdcd() {
    for (CdcdProcess& p : cdcd_) p.process().signal(SIGTERM);
    for (CdcdProcess& p : cdcd_) {
      int status = -1;
      const bool exited = p.process().wait_for(60s, status);
      p.reset();
      ASSERT_TRUE(exited) << "cdcd did not stop on SIGTERM\n" << LogTail(p.log());
      ASSERT_EQ(status, 0) << LogTail(p.log());
    }
  }

  // Both logs' tails.
  std::string logs() const {
    return "--- first cdcd:\n" + LogTail(cdcd_[0].log()) + "\n--- second cdcd:\n" +
           LogTail(cdcd_[1].log());
  }

  const FaultCounts& counts() const { return counts_; }

 private:
  // Waits `d`. Neither process may exit by itself: every fault is transient.
  void watch(std::chrono::milliseconds d) {
    const auto end = Clock::now() + d;
    do {
      for (CdcdProcess& p : cdcd_) {
        int status = -1;
        if (!p.process().wait_for(std::chrono::milliseconds(50), status)) continue;
        p.reset();
        FAIL() << "cdcd exited by itself (status " << status << ") during the faults\n"
               << LogTail(p.log());
      }
    } while (Clock::now() < end);
  }

  // Kills the active process two times in three (when one is known), else
  // the other; then, for an active one, times the standby's takeover.
  void kill_cdcd() {
    int victim = static_cast<int>(rng_() % 2);
    const bool kill_active = rng_() % 3 != 0;
    for (int i = 0; i < 2; ++i) {
      if ((cdcd_[i].state() == "standby") != kill_active) victim = i;
    }
    const bool was_active = cdcd_[victim].state() != "standby";
    CdcdProcess& p = cdcd_[victim];
    CdcdProcess& other = cdcd_[1 - victim];
    const bool other_stood_by = other.state() == "standby";
    p.process().signal(SIGKILL);
    const int status = p.process().wait();
    const auto killed_at = Clock::now();
    p.reset();
    if (status != 128 + SIGKILL) {
      ADD_FAILURE() << "cdcd exited with status " << status << " before the SIGKILL\n"
                    << LogTail(p.log());
    }
    ++counts_.kills;
    if (was_active && other_stood_by) {
      // The standby leaves `standby` once it holds the pipeline.
      const bool took_over = WaitFor([&] { return other.state() != "standby"; }, 20s, 50ms);
      EXPECT_TRUE(took_over) << "the standby did not take over within 20 s\n"
                             << LogTail(other.log());
      const double s = std::chrono::duration<double>(Clock::now() - killed_at).count();
      counts_.max_takeover_s = std::max(counts_.max_takeover_s, s);
      ++counts_.takeovers;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng_() % 500));
    p.start();
  }

  void restart_db(bool crash) {
    try {
      db_.restart(crash);
      ++counts_.db_restarts;
    } catch (const std::exception& e) {
      FAIL() << db_.name() << (crash ? " crash" : " clean") << " restart failed: " << e.what();
    }
  }

  void restart_broker() {
    try {
      sink_.restart_broker();
      ++counts_.broker_restarts;
    } catch (const std::exception& e) {
      FAIL() << "broker restart failed: " << e.what();
    }
  }

  void fill_disk() {
    try {
      sink_.fill_disk(std::chrono::milliseconds(1000 + rng_() % 3000));
      ++counts_.disk_fills;
    } catch (const std::exception& e) {
      FAIL() << "filling the sink's file system failed: " << e.what();
    }
  }

  ChaosDb& db_;
  ChaosSink& sink_;
  std::mt19937 rng_;
  std::array<CdcdProcess, 2> cdcd_;
  FaultCounts counts_;
};

}  // namespace cdc::testing
