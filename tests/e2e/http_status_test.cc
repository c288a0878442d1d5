// The daemon's HTTP status endpoints, queried on a running cdcd.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "tests/support/cdcd_http.h"
#include "tests/support/process.h"
#include "tests/support/shell.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

TEST(HttpStatusTest, HealthReadinessMetricsAndPipelines) {
  testing::TempDir dir;
  auto config = dir.path() / "c.yaml";
  auto log = dir.path() / "cdcd.log";
  testing::WriteFile(config,
                     "pipelines:\n  - name: web\n"
                     "    source: {type: generator, rate: 2000}\n"
                     "    sink: {type: file, path: " +
                         (dir.path() / "out").string() +
                         "}\n    batch: {linger: 10ms}\n"
                         // Ends at once: a finished pipeline leaves the daemon ready.
                         "  - name: oneshot\n"
                         "    source: {type: generator, limit: 10}\n"
                         "    sink: {type: file, path: " +
                         (dir.path() / "oneshot").string() +
                         "}\n"
                         "http: {listen: \"127.0.0.1:0\"}\n");
  testing::ChildProcess cdcd({CDCD_BINARY, "run", "--config", config.string()}, log.string());

  const int port = testing::WaitForHttpPort(log.string());
  ASSERT_GT(port, 0) << testing::ReadFile(log);
  httplib::Client http("127.0.0.1", port);

  auto health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  // Ready once the pipeline runs and has committed something.
  nlohmann::json pipelines;
  for (int i = 0; i < 200; ++i) {
    auto res = http.Get("/pipelines");
    ASSERT_TRUE(res);
    pipelines = nlohmann::json::parse(res->body);
    if (pipelines[0]["events_committed"].get<uint64_t>() > 0 &&
        pipelines[1]["state"] == "finished") {
      break;
    }
    std::this_thread::sleep_for(25ms);
  }
  EXPECT_EQ(pipelines[0]["name"], "web");
  EXPECT_EQ(pipelines[0]["state"], "running");
  EXPECT_GT(pipelines[0]["events_committed"].get<uint64_t>(), 0u);
  EXPECT_TRUE(pipelines[0]["committed_offset"].contains("tx"));
  EXPECT_EQ(pipelines[1]["state"], "finished");
  EXPECT_EQ(pipelines[1]["events_committed"], 10);
  EXPECT_EQ(http.Get("/readyz")->status, 200);
  // `cdcd health`, the image's HEALTHCHECK: 0 when it answers 200, 1 when
  // nothing listens, 2 for a URL it cannot use.
  std::string out;
  const std::string probe = std::string(CDCD_BINARY) + " health --url http://127.0.0.1:";
  EXPECT_EQ(testing::Shell(probe + std::to_string(port) + "/readyz", out), 0) << out;
  EXPECT_EQ(out, "ready\n");
  EXPECT_EQ(testing::Shell(probe + "1/healthz", out), 1) << out;
  EXPECT_NE(out.find("no answer"), std::string::npos) << out;
  EXPECT_EQ(testing::Shell(std::string(CDCD_BINARY) + " health --url localhost:8083", out), 2);

  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("# TYPE cdcd_events_committed_total counter"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      metrics->body, m, std::regex(R"(cdcd_events_committed_total\{pipeline="web"\} (\d+))")))
      << metrics->body;
  EXPECT_GT(std::stoull(m[1]), 0u);
  EXPECT_NE(metrics->body.find("cdcd_pipeline_up{pipeline=\"web\"} 1"), std::string::npos);
  // Events by table and op, the commit histogram, the state, the process.
  ASSERT_TRUE(std::regex_search(
      metrics->body, m,
      std::regex(
          R"(\ncdcd_events_total\{pipeline="web",table="generator\.public\.orders",op="c"\} (\d+)\n)")))
      << metrics->body;
  EXPECT_GT(std::stoull(m[1]), 0u);
  EXPECT_NE(metrics->body.find("\n# TYPE cdcd_commit_duration_seconds histogram\n"),
            std::string::npos);
  ASSERT_TRUE(std::regex_search(
      metrics->body, m,
      std::regex(R"(\ncdcd_commit_duration_seconds_bucket\{pipeline="web",le="\+Inf"\} (\d+)\n)")))
      << metrics->body;
  EXPECT_GT(std::stoull(m[1]), 0u);
  EXPECT_NE(metrics->body.find("\ncdcd_commit_duration_seconds_count{pipeline=\"web\"} " +
                               std::string(m[1]) + "\n"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("\ncdcd_pipeline_state{pipeline=\"web\",state=\"running\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("\ncdcd_pipeline_state{pipeline=\"web\",state=\"failed\"} 0\n"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("\ncdcd_last_error_timestamp_seconds{pipeline=\"web\"} 0\n"),
            std::string::npos);
  for (const char* process :
       {"cdcd_process_resident_memory_bytes ", "cdcd_process_cpu_seconds_total ",
        "cdcd_process_open_fds ", "cdcd_process_max_fds "}) {
    EXPECT_NE(metrics->body.find(std::string("\n") + process), std::string::npos) << process;
  }
  // The file sink's own metrics (Sink::metrics()), per pipeline.
  EXPECT_NE(metrics->body.find("\n# TYPE cdcd_sink_file_records_total counter\n"),
            std::string::npos)
      << metrics->body;
  ASSERT_TRUE(std::regex_search(
      metrics->body, m, std::regex(R"(\ncdcd_sink_file_records_total\{pipeline="web"\} (\d+)\n)")))
      << metrics->body;
  EXPECT_GT(std::stoull(m[1]), 0u);
  EXPECT_NE(metrics->body.find("\ncdcd_sink_file_segments_rotated_total{pipeline=\"web\"} 0\n"),
            std::string::npos)
      << metrics->body;

  EXPECT_NE(metrics->body.find("\ncdcd_snapshot_running{pipeline=\"web\"} 0\n"), std::string::npos)
      << metrics->body;
  EXPECT_EQ(pipelines[0]["snapshot"]["running"], false);

  // Snapshot requests: refused with the reason, as JSON.
  auto post = [&](const std::string& path, const std::string& body) {
    auto res = http.Post(path, body, "application/json");
    EXPECT_TRUE(res);
    return res ? std::pair(res->status, nlohmann::json::parse(res->body, nullptr, false))
               : std::pair(0, nlohmann::json());
  };
  auto [status404, body404] = post("/pipelines/nope/snapshots", R"({"tables": ["t"]})");
  EXPECT_EQ(status404, 404);
  EXPECT_EQ(body404["error"], "no pipeline named nope");
  auto [status_bad, body_bad] = post("/pipelines/web/snapshots", "{not json");
  EXPECT_EQ(status_bad, 400);
  EXPECT_NE(body_bad["error"].get<std::string>().find("bad snapshot request"), std::string::npos);
  auto [status_none, body_none] = post("/pipelines/web/snapshots", R"({"where": "x > 1"})");
  EXPECT_EQ(status_none, 400);
  auto [status_gen, body_gen] = post("/pipelines/web/snapshots", R"({"table": "orders"})");
  EXPECT_EQ(status_gen, 400);
  EXPECT_EQ(body_gen["error"], "this source does not take snapshot requests");

  cdcd.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(cdcd.wait_for(30s, status));
  EXPECT_EQ(status, 0) << testing::ReadFile(log);
}

// The first line of the answer to `request` sent as raw bytes.
std::string RawStatusLine(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "cannot connect";
  }
  (void)!::write(fd, request.data(), request.size());
  char buf[256] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  const std::string answer(buf, n > 0 ? static_cast<size_t>(n) : 0);
  return answer.substr(0, answer.find("\r\n"));
}

// http.token (here from token_file): every endpoint but the probes needs it;
// bodies over 1 MiB and malformed requests are refused; the token is never
// logged.
TEST(HttpStatusTest, TokenGuardsAllButTheProbesAndBadRequestsAreRefused) {
  testing::TempDir dir;
  auto config = dir.path() / "c.yaml";
  auto log = dir.path() / "cdcd.log";
  testing::WriteFile(dir.path() / "token", "s3cret-t0ken\n");
  testing::WriteFile(config,
                     "pipelines:\n  - name: web\n"
                     "    source: {type: generator, rate: 100}\n"
                     "    sink: {type: file, path: " +
                         (dir.path() / "out").string() +
                         "}\n"
                         "http: {listen: \"127.0.0.1:0\", token_file: " +
                         (dir.path() / "token").string() + "}\nlog: {level: debug}\n");
  testing::ChildProcess cdcd({CDCD_BINARY, "run", "--config", config.string()}, log.string());
  const int port = testing::WaitForHttpPort(log.string());
  ASSERT_GT(port, 0) << testing::ReadFile(log);
  httplib::Client http("127.0.0.1", port);
  EXPECT_EQ(http.Get("/healthz")->status, 200);
  auto denied = http.Get("/metrics");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(denied->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(http.Get("/pipelines", {{"Authorization", "Bearer s3cret-t0kex"}})->status, 401);
  EXPECT_EQ(http.Post("/reload", "", "application/json")->status, 401);
  http.set_bearer_token_auth("s3cret-t0ken");
  EXPECT_EQ(http.Get("/metrics")->status, 200);
  EXPECT_EQ(http.Get("/pipelines")->status, 200);
  auto big = http.Post("/pipelines/web/snapshots", std::string(2 << 20, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(RawStatusLine(port, "NONSENSE\r\n\r\n").substr(0, 12), "HTTP/1.1 400");
  cdcd.signal(SIGTERM);
  EXPECT_EQ(cdcd.wait(), 0);
  EXPECT_EQ(testing::ReadFile(log).find("s3cret"), std::string::npos) << testing::ReadFile(log);
}

}  // namespace
}  // namespace cdc
