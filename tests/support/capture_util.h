// Shared by the replay and state end-to-end tests: a capture made by the real
// cdcd binary from the generator, its committed records, and runs of
// `cdcd replay` killed until one finishes.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
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

}  // namespace cdc::testing
