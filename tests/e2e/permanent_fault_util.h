// Shared by the permanent-fault end-to-end tests: a pipeline under test runs
// in the cdcd binary beside a generator pipeline (the companion), so the
// daemon keeps serving HTTP after the pipeline under test stopped; the test
// then reads the failure from /pipelines and /readyz as an operator would.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "tests/support/cdcd_http.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"
#include "tests/support/shell.h"
#include "tests/support/test_support.h"

namespace cdc::testing {

// A certificate authority of its own in `dir` (tests/services/tls-certs),
// which signed no test server's certificate; returns its ca.pem.
inline std::string UntrustedCa(const TempDir& dir) {
  std::string out;
  const int rc = Shell(
      ShellQuote(SourcePath("tests/services/tls-certs").string()) + " " + ShellQuote(dir.str()),
      out);
  EXPECT_EQ(rc, 0) << out;
  return dir.str() + "/ca.pem";
}

// `config` (ending in "http: {enabled: false}\n...") with a generator
// pipeline "companion" writing to `companion_dir` and HTTP on a free port.
inline std::string WithCompanion(std::string config, const std::string& companion_dir) {
  const std::string http = "http: {enabled: false}\n";
  const size_t at = config.find(http);
  EXPECT_NE(at, std::string::npos) << config;
  if (at == std::string::npos) return config;
  config.replace(at, http.size(),
                 "  - name: companion\n"
                 "    source: {type: generator, tables: [orders], rate: 20}\n"
                 "    sink: {type: file, path: \"" +
                     companion_dir +
                     "\", fsync: false}\n"
                     "http: {listen: \"127.0.0.1:0\"}\n");
  return config;
}

// What an operator sees of a pipeline that stopped.
struct StoppedPipeline {
  nlohmann::json status;    // its entry in /pipelines
  int readyz_status = 0;    // /readyz
  std::string readyz_body;  //
  std::string companion_state;
};

// The entry of pipeline `name` in /pipelines, or null.
inline nlohmann::json PipelineEntry(httplib::Client& http, const std::string& name) {
  auto res = http.Get("/pipelines");
  if (!res || res->status != 200) return nullptr;
  for (const nlohmann::json& p : nlohmann::json::parse(res->body)) {
    if (p["name"] == name) return p;
  }
  return nullptr;
}

// Waits up to `timeout` for pipeline `name` to be in `state`; returns the
// last status seen (null when /pipelines never answered).
inline nlohmann::json WaitForState(httplib::Client& http, const std::string& name,
                                   const std::string& state, std::chrono::seconds timeout) {
  nlohmann::json p;
  for (auto end = std::chrono::steady_clock::now() + timeout;
       std::chrono::steady_clock::now() < end;) {
    p = PipelineEntry(http, name);
    if (!p.is_null() && p["state"] == state) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return p;
}

// WaitForState, timed: how long pipeline `name` took to reach `state`, or
// nullopt if it did not within `timeout`.
inline std::optional<std::chrono::steady_clock::duration> TimeToState(
    httplib::Client& http, const std::string& name, const std::string& state,
    std::chrono::seconds timeout) {
  const auto t0 = std::chrono::steady_clock::now();
  const nlohmann::json s = WaitForState(http, name, state, timeout);
  if (s.is_null() || s["state"] != state) return std::nullopt;
  return std::chrono::steady_clock::now() - t0;
}

// Waits for pipeline `name` to fail and reads /readyz and the companion.
inline StoppedPipeline WaitForFailure(httplib::Client& http, const std::string& name,
                                      std::chrono::seconds timeout = std::chrono::seconds(60)) {
  StoppedPipeline out;
  out.status = WaitForState(http, name, "failed", timeout);
  auto ready = http.Get("/readyz");
  if (ready) {
    out.readyz_status = ready->status;
    out.readyz_body = ready->body;
  }
  nlohmann::json companion = PipelineEntry(http, "companion");
  if (!companion.is_null()) out.companion_state = companion["state"].get<std::string>();
  return out;
}

// The checks every permanent fault shares: the pipeline failed with a message
// holding `expected`, /readyz says so and names it, the companion runs on.
inline void ExpectLoudStop(const StoppedPipeline& s, const std::string& name,
                           const std::string& expected, const std::string& log) {
  ASSERT_FALSE(s.status.is_null()) << log;
  EXPECT_EQ(s.status["state"], "failed") << s.status.dump() << "\n" << log;
  const std::string error = s.status["last_error"].is_string() ? s.status["last_error"] : "";
  EXPECT_NE(error.find(expected), std::string::npos) << error;
  EXPECT_EQ(s.readyz_status, 503);
  EXPECT_NE(s.readyz_body.find("pipeline " + name + " is failed: "), std::string::npos)
      << s.readyz_body;
  EXPECT_NE(s.readyz_body.find(expected), std::string::npos) << s.readyz_body;
  EXPECT_EQ(s.companion_state, "running");
  EXPECT_NE(log.find(expected), std::string::npos) << "the log does not say it:\n" << log;
}

// cdcd running a config with the companion added, and its HTTP client.
class CompanionRun {
 public:
  // Writes `config` (WithCompanion'ed; it names dir().out() as the sink of
  // the pipeline under test) and starts cdcd on it.
  void start(const std::string& config) {
    dir_.write_config(WithCompanion(config, (companion_.path() / "out").string()));
    cdcd_ = std::make_unique<ChildProcess>(dir_.argv(), dir_.log());
    const int port = WaitForHttpPort(dir_.log());
    EXPECT_GT(port, 0) << dir_.log_text();
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port);
  }
  const CdcdRunDir& dir() const { return dir_; }
  httplib::Client& http() { return *http_; }
  // SIGTERM: cdcd drains, commits and exits 0.
  void stop() {
    cdcd_->signal(SIGTERM);
    EXPECT_EQ(cdcd_->wait(), 0) << dir_.log_text();
  }

  void expect_loud_stop(const std::string& name, const std::string& expected) {
    const StoppedPipeline stopped = WaitForFailure(*http_, name);
    ExpectLoudStop(stopped, name, expected, dir_.log_text());
  }

 private:
  CdcdRunDir dir_;
  TempDir companion_;
  std::unique_ptr<ChildProcess> cdcd_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace cdc::testing
