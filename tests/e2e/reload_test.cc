// Live reload of a running cdcd (SIGHUP and POST /reload): added pipelines
// start, removed ones drain and stop, a changed one restarts from its
// committed offset (its output stays exactly once), an untouched one keeps
// running, and an invalid file is rejected with its FILE:LINE error while the
// old pipelines go on.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <thread>

#include "config/daemon_config.h"
#include "sinks/file/file_sink_reader.h"
#include "sources/generator/generator_source.h"
#include "tests/support/cdcd_http.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

constexpr int kLimit = 16000;  // at 2,000 events/s: ~8 s, past every reload below

// A generator -> file pipeline writing to DIR/<name>; `extra` ends the source block.
std::string Pipeline(const std::string& dir, const std::string& name, int seed,
                     const std::string& extra, const std::string& batch = "{linger: 10ms}") {
  return "  - name: " + name +
         "\n    source: {type: generator, rate: 2000, seed: " + std::to_string(seed) +
         ", tables: [orders], key_space: 200" + extra + "}\n    sink: {type: file, path: " + dir +
         "/" + name + ", fsync: false}\n    format: {schemas: false}\n    batch: " + batch + "\n";
}

std::string Limit() {
  return ", limit: " + std::to_string(kLimit);
}

const char* kHttp = "http: {listen: \"127.0.0.1:0\"}\n";

// The event ids the generator of pipeline `name` in `yaml` makes, in order.
std::vector<std::string> ExpectedIds(const std::string& yaml, const std::string& name) {
  const DaemonConfig config = LoadConfigString(yaml, "expected");
  for (const PipelineConfig& p : config.pipelines) {
    if (p.name != name) continue;
    GeneratorSettings settings = ParseGeneratorSettings(p.source, p.name);
    settings.rate = 0;  // the same events, without the wait
    testing::CollectingEmitter out;
    GeneratorSource(settings).run(std::nullopt, out, std::stop_token());
    std::vector<std::string> ids;
    for (const ChangeEvent& ev : out.events) ids.push_back(ev.id);
    return ids;
  }
  return {};
}

std::vector<std::string> CommittedIds(const std::string& out) {
  std::vector<std::string> ids;
  for (const FileRecordLine& r : testing::CommittedChanges(out)) {
    ids.push_back(r.headers.at("cdcd.event_id"));
  }
  return ids;
}

// name -> events_committed of every pipeline /pipelines lists.
std::map<std::string, uint64_t> Committed(httplib::Client& http) {
  auto res = http.Get("/pipelines");
  std::map<std::string, uint64_t> out;
  if (!res) return out;
  for (const auto& p : nlohmann::json::parse(res->body)) {
    out[p["name"].get<std::string>()] = p["events_committed"].get<uint64_t>();
  }
  return out;
}

// Waits until the log has `n` lines containing `needle`.
bool WaitForLogLines(const std::string& log, const std::string& needle, size_t n) {
  for (int i = 0; i < 400; ++i) {
    const std::string text = testing::ReadFile(log);
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++count;
    }
    if (count >= n) return true;
    std::this_thread::sleep_for(25ms);
  }
  return false;
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = dir_.path().string();
    v1_ = "pipelines:\n" + Pipeline(out_, "keep", 1, Limit()) +
          Pipeline(out_, "change", 2, Limit()) + Pipeline(out_, "gone", 3, "") + kHttp;
    // `keep` written differently but the same; `change` gets another batch
    // setting; `gone` is gone; `fresh` is new.
    v2_ = "pipelines:\n" + Pipeline(out_, "change", 2, Limit(), "{linger: 20ms}") +
          "  - name: keep\n    source:\n      type: generator\n      rate: 2000\n      seed: 1\n"
          "      tables: [orders]\n      key_space: 200\n      limit: " +
          std::to_string(kLimit) + "\n    sink: {type: file, path: \"" + out_ +
          "/keep\", fsync: false}\n    format: {schemas: false}\n    batch: {linger: 10ms}\n" +
          Pipeline(out_, "fresh", 4, ", limit: 2000") + kHttp;
    testing::WriteFile(config_, v1_);
    cdcd_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{CDCD_BINARY, "run", "--config", config_}, log_);
    port_ = testing::WaitForHttpPort(log_);
    ASSERT_GT(port_, 0) << testing::ReadFile(log_);
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  // Waits until every pipeline of `names` committed something.
  void WaitAllCommitted(const std::vector<std::string>& names) {
    for (int i = 0; i < 400; ++i) {
      auto c = Committed(*http_);
      bool all = true;
      for (const std::string& n : names) all = all && c[n] > 0;
      if (all) return;
      std::this_thread::sleep_for(25ms);
    }
    FAIL() << "not every pipeline committed\n" << testing::ReadFile(log_);
  }

  testing::TempDir dir_;
  std::string out_;
  std::string config_ = (dir_.path() / "pipelines.yaml").string();
  std::string log_ = (dir_.path() / "cdcd.log").string();
  std::string v1_, v2_;
  std::unique_ptr<testing::ChildProcess> cdcd_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(ReloadTest, SighupAddsRemovesRestartsChangedAndLeavesTheRestRunning) {
  ASSERT_NO_FATAL_FAILURE(WaitAllCommitted({"keep", "change", "gone"}));
  const uint64_t keep_before = Committed(*http_)["keep"];
  // Scraped all along, as Prometheus would: a scrape holding a removed
  // pipeline must not keep its sink (the directory lock) from the new one.
  std::atomic<bool> scraping{true};
  std::thread scraper([&, port = port_] {
    httplib::Client c("127.0.0.1", port);
    while (scraping) c.Get("/metrics");
  });
  testing::WriteFile(config_, v2_);
  cdcd_->signal(SIGHUP);
  const bool reloaded = WaitForLogLines(log_, "reload: ", 1);
  std::this_thread::sleep_for(200ms);
  scraping = false;
  scraper.join();
  ASSERT_TRUE(reloaded) << testing::ReadFile(log_);
  EXPECT_TRUE(
      WaitForLogLines(log_, "added fresh; restarted change; removed gone; unchanged keep", 1))
      << testing::ReadFile(log_);
  ASSERT_NO_FATAL_FAILURE(WaitAllCommitted({"keep", "change", "fresh"}));
  auto after = Committed(*http_);
  EXPECT_EQ(after.count("gone"), 0u);
  // The same Pipeline object: its counter went on from where it was.
  EXPECT_GE(after["keep"], keep_before);
  // `gone` drained and stopped: its output no longer grows.
  const size_t gone = CommittedIds(out_ + "/gone").size();
  EXPECT_GT(gone, 0u);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(CommittedIds(out_ + "/gone").size(), gone);

  // Every pipeline left reaches its limit; then the daemon ends by itself.
  int status = -1;
  ASSERT_TRUE(cdcd_->wait_for(60s, status)) << testing::ReadFile(log_);
  EXPECT_EQ(status, 0) << testing::ReadFile(log_);
  for (const char* name : {"keep", "change", "fresh"}) {
    SCOPED_TRACE(name);
    ASSERT_NO_FATAL_FAILURE(
        testing::ExpectSameEventIds(CommittedIds(out_ + "/" + name), ExpectedIds(v2_, name)));
  }
  ASSERT_NO_FATAL_FAILURE(testing::ExpectUniqueEventIds(testing::CommittedChanges(out_ + "/gone")));
}

TEST_F(ReloadTest, AnInvalidConfigIsRejectedWithItsLineAndTheOldPipelinesRunOn) {
  ASSERT_NO_FATAL_FAILURE(WaitAllCommitted({"keep", "change", "gone"}));
  // Line 3 of the file: the source block of `keep`, with a key no one knows.
  std::string bad = v1_;
  bad.replace(bad.find("seed: 1,"), 8, "seed: 1, sped: 3,");
  testing::WriteFile(config_, bad);
  auto res = http_->Post("/reload", "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  const auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["reloaded"], false);
  EXPECT_NE(body["error"].get<std::string>().find(config_ + ":3:"), std::string::npos) << res->body;
  EXPECT_NE(body["error"].get<std::string>().find("sped"), std::string::npos) << res->body;
  // The same through SIGHUP: logged, and nothing stops.
  cdcd_->signal(SIGHUP);
  EXPECT_TRUE(WaitForLogLines(
      log_, "rejected, the running pipelines stay as they are: " + config_ + ":3:", 2))
      << testing::ReadFile(log_);
  const auto before = Committed(*http_);
  std::this_thread::sleep_for(300ms);
  const auto after = Committed(*http_);
  ASSERT_EQ(after.size(), 3u);
  for (const auto& [name, n] : before) EXPECT_GT(after.at(name), n) << name << " stopped";

  // Fixed, the same file reloads as a no-op through POST /reload.
  testing::WriteFile(config_, v1_);
  res = http_->Post("/reload", "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(nlohmann::json::parse(res->body)["unchanged"],
            nlohmann::json({"keep", "change", "gone"}));
  cdcd_->signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(cdcd_->wait_for(30s, status));
  EXPECT_EQ(status, 0) << testing::ReadFile(log_);
}

}  // namespace
}  // namespace cdc
