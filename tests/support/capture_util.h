// Shared by the replay and state end-to-end tests: a capture made by the real
// cdcd binary from the generator, its committed records, and runs of
// `cdcd replay` killed until one finishes.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cdc/record.h"
#include "sinks/file/file_capture_reader.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"
#include "tests/support/shell.h"

namespace cdc::testing {

// The generator settings of a capture: `events` changes of orders and
// customers (creates, updates, deletes; transactions of 1 to 20 events).
inline std::string GeneratorCaptureConfig(const std::string& out_dir, uint64_t events,
                                          int seed = 3) {
  return "pipelines:\n"
         "  - name: cap\n"
         "    source: {type: generator, tables: [orders, customers], key_space: 300,\n"
         "             transaction_size: {min: 1, max: 20}, seed: " +
         std::to_string(seed) + ", limit: " + std::to_string(events) +
         "}\n"
         "    sink: {type: file, path: \"" +
         out_dir +
         "\", rotate_bytes: 1MiB, fsync: false}\n"
         "    format: {envelope: debezium, schemas: false}\n"
         "http: {enabled: false}\n";
}

// Runs the generator pipeline of GeneratorCaptureConfig into dir.out().
inline void MakeGeneratorCapture(const CdcdRunDir& dir, uint64_t events) {
  dir.write_config(GeneratorCaptureConfig(dir.out(), events));
  RunToCompletion(dir, std::chrono::seconds(120));
}

inline std::vector<Record> CaptureRecords(const std::string& dir) {
  FileCaptureReader reader(dir);
  std::vector<Record> out;
  Record r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

inline size_t CountLines(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += line.find(needle) != std::string::npos;
  return n;
}

// Starts `argv` again and again, SIGKILLing each run a random delay in
// [min, max] after it logged `ready` (one more line with it than before; at
// once when `ready` is empty), until a run exits 0 by itself (then returns
// the kills) or fails. At most `max_rounds` runs.
inline int KillUntilDone(const CdcdRunDir& dir, const std::vector<std::string>& argv,
                         std::chrono::milliseconds min, std::chrono::milliseconds max,
                         std::mt19937& rng, const std::string& ready = "", int max_rounds = 60) {
  std::uniform_int_distribution<int64_t> delay(min.count(), max.count());
  int kills = 0;
  for (int round = 0; round < max_rounds; ++round) {
    const size_t seen = ready.empty() ? 0 : CountLines(dir.log(), ready);
    ChildProcess run(argv, dir.log());
    int status = -1;
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
         !ready.empty() && CountLines(dir.log(), ready) <= seen;) {
      if (run.wait_for(std::chrono::milliseconds(20), status)) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "no '" << ready << "' within a minute\n" << dir.log_text();
        return kills;
      }
    }
    if (status >= 0 || run.wait_for(std::chrono::milliseconds(delay(rng)), status)) {
      EXPECT_EQ(status, 0) << dir.log_text();
      return kills;
    }
    run.signal(SIGKILL);
    status = run.wait();
    if (status == 0) return kills;  // finished just before the signal
    EXPECT_EQ(status, 128 + SIGKILL) << dir.log_text();
    ++kills;
  }
  ADD_FAILURE() << "no run finished in " << max_rounds << " rounds\n" << dir.log_text();
  return kills;
}

// Like KillUntilDone, but the kills follow the work rather than the clock, so
// that a fast machine cannot finish before enough of them landed: `points`
// random targets in (5%, 90%) of `total`; each run is SIGKILLed 0-5 ms after
// `progress()` passed the next target (targets passed together count once),
// and the last run goes to its end. Returns the kills.
inline int KillAtProgress(const CdcdRunDir& dir, const std::vector<std::string>& argv,
                          const std::function<uint64_t()>& progress, uint64_t total, int points,
                          std::mt19937& rng) {
  std::uniform_int_distribution<uint64_t> at(total / 20, total * 9 / 10);
  std::vector<uint64_t> targets;
  for (int i = 0; i < points; ++i) targets.push_back(at(rng));
  std::sort(targets.begin(), targets.end());
  std::uniform_int_distribution<int> jitter(0, 5);
  int kills = 0;
  size_t next = 0;
  for (int round = 0; round < points + 10; ++round) {
    ChildProcess run(argv, dir.log());
    int status = -1;
    while (next < targets.size() && progress() < targets[next]) {
      if (run.wait_for(std::chrono::milliseconds(1), status)) break;
    }
    if (status < 0 && next < targets.size()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
      run.signal(SIGKILL);
      status = run.wait();
      if (status == 128 + SIGKILL) ++kills;
      while (next < targets.size() && progress() >= targets[next]) ++next;
      if (status == 128 + SIGKILL) continue;
    }
    if (status < 0) status = run.wait();
    EXPECT_EQ(status, 0) << dir.log_text();
    return kills;
  }
  ADD_FAILURE() << "no run finished\n" << dir.log_text();
  return kills;
}

// Runs `cdcd <args>` to its end; returns its exit status, with what it
// wrote to stdout in `out` and to stderr in `err`.
inline int RunCdcd(const std::vector<std::string>& args, std::string& out, std::string& err) {
  TempDir tmp;
  const std::string out_file = (tmp.path() / "stdout").string();
  std::string command = "(" + ShellQuote(CDCD_BINARY);
  for (const std::string& a : args) command += " " + ShellQuote(a);
  command += " > " + ShellQuote(out_file) + ")";
  const int status = Shell(command, err);
  out = ReadFile(out_file);
  return status;
}

// A TCP port on 127.0.0.1 that was free a moment ago.
inline int FreeTcpPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The key texts of the snapshot reads (op "r") of `topic` in a capture, in
// order.
inline std::vector<std::string> SnapshotReadKeys(const std::vector<Record>& records,
                                                 const std::string& topic) {
  std::vector<std::string> out;
  for (const Record& r : records) {
    if (r.topic != topic || !r.value || !r.key) continue;
    for (const Header& h : r.headers) {
      if (h.name == "cdcd.op" && h.value == "r") out.push_back(*r.key);
    }
  }
  return out;
}

// Fails unless the snapshot reads of `topic` (keys {"id": n}) come in
// strictly increasing key order -- no row read twice -- and number at least
// `at_least`.
inline void ExpectSnapshotReadsIncrease(const std::vector<Record>& records,
                                        const std::string& topic, size_t at_least) {
  std::vector<int64_t> keys;
  for (const std::string& k : SnapshotReadKeys(records, topic)) {
    keys.push_back(nlohmann::json::parse(k)["id"].get<int64_t>());
  }
  ASSERT_GE(keys.size(), at_least) << topic;
  for (size_t i = 1; i < keys.size(); ++i) {
    ASSERT_LT(keys[i - 1], keys[i]) << "snapshot read " << i << " of " << topic << " goes back";
  }
}

// Rows of a table with columns id (int), v (int), note (text).
using IdVNoteRows = std::map<int64_t, std::pair<int64_t, std::string>>;

// `cdcd state --from dir --table table` as IdVNoteRows.
inline IdVNoteRows StateOfIdVNote(const std::string& dir, const std::string& table) {
  std::string out, err;
  EXPECT_EQ(RunCdcd({"state", "--from", dir, "--table", table}, out, err), 0) << err;
  IdVNoteRows rows;
  for (size_t pos = 0; pos < out.size();) {
    const size_t end = out.find('\n', pos);
    nlohmann::json row = nlohmann::json::parse(out.substr(pos, end - pos));
    rows[row["id"].get<int64_t>()] = {row["v"].get<int64_t>(), row["note"].get<std::string>()};
    pos = end + 1;
  }
  return rows;
}

// Waits up to a minute for a committed record of `topic` in the capture `dir`.
inline bool WaitForTopic(const std::string& dir, const std::string& topic) {
  for (int i = 0; i < 600; ++i) {
    if (std::filesystem::exists(dir + "/offsets.json")) {
      for (const Record& r : CaptureRecords(dir)) {
        if (r.topic == topic) return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The running snapshot of `pipeline` as /pipelines reports it on `port`
// (null when unreachable).
inline nlohmann::json SnapshotStatusOf(int port, const std::string& pipeline) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  auto res = client.Get("/pipelines");
  if (!res || res->status != 200) return nullptr;
  for (const auto& p : nlohmann::json::parse(res->body)) {
    if (p["name"] == pipeline) return p["snapshot"];
  }
  return nullptr;
}

}  // namespace cdc::testing
