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

#include <chrono>
#include <nlohmann/json.hpp>
#include <fstream>
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
