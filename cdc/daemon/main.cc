// cdcd: the command line. Exit status: 0 ok, 1 runtime failure, 2 bad usage
// or bad config.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <thread>

#include "cdc/daemon/builtin_plugins.h"
#include "cdc/daemon/daemon.h"
#include "cdc/daemon/demo.h"
#include "cdc/error.h"
#include "cdc/logging.h"
#include "config/daemon_config.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// SIGTERM and SIGINT are taken by a dedicated thread (blocked everywhere
// else) that asks the daemon to drain, commit and stop.
class SignalWatcher {
 public:
  explicit SignalWatcher(cdc::Daemon& daemon) {
    thread_ = std::thread([this, &daemon] {
      int sig = 0;
      sigset_t set = Signals();
      while (sigwait(&set, &sig) == 0 && sig != SIGUSR1) {
        spdlog::info("received {}: draining and stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        daemon.stop();
      }
    });
  }
  ~SignalWatcher() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  static sigset_t Signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    return set;
  }

 private:
  std::thread thread_;
};

int Run(const std::string& config_path, const std::string& pipeline) {
  cdc::DaemonConfig config = cdc::LoadConfigFile(config_path);
  cdc::ConfigureLogging(config.log.level, config.log.format);
  auto pipelines = cdc::BuildPipelines(config, cdc::BuiltinRegistry(), pipeline);
  cdc::Daemon daemon(std::move(config), std::move(pipelines));
  SignalWatcher watcher(daemon);
  return daemon.run() ? kExitOk : kExitFailure;
}

int Validate(const std::string& config_path) {
  cdc::DaemonConfig config = cdc::LoadConfigFile(config_path);
  auto pipelines = cdc::BuildPipelines(config, cdc::BuiltinRegistry());
  std::string names;
  for (const auto& p : pipelines) names += (names.empty() ? "" : ", ") + p->name();
  std::printf("%s: ok (%zu pipeline%s: %s)\n", config_path.c_str(), pipelines.size(),
              pipelines.size() == 1 ? "" : "s", names.c_str());
  return kExitOk;
}

int OffsetsShow(const std::string& config_path, const std::string& pipeline) {
  cdc::DaemonConfig config = cdc::LoadConfigFile(config_path);
  cdc::Registry registry = cdc::BuiltinRegistry();
  nlohmann::json out = nlohmann::json::array();
  for (const cdc::PipelineConfig* p : cdc::SelectPipelines(config, pipeline)) {
    auto sink = registry.make_sink(p->sink, cdc::MakePipelineContext(*p));
    std::optional<cdc::Offset> offset = sink->committed_offset();
    out.push_back({{"pipeline", p->name},
                   {"sink", p->sink.get_string("type")},
                   {"offset", offset ? offset->to_json() : nlohmann::json()}});
  }
  std::printf("%s\n", out.dump(2).c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals = SignalWatcher::Signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  cdc::ConfigureLogging("info", "text");

  CLI::App app{
      "cdcd: change data capture from PostgreSQL and MySQL to Kafka or files, exactly once"};
  app.require_subcommand(1);
  std::string config_path, pipeline, demo_dir;
  uint64_t demo_events = 2000;

  auto* run = app.add_subcommand("run", "Run the pipelines of a config file until SIGTERM");
  run->add_option("-c,--config", config_path, "YAML config file")->required();
  run->add_option("-p,--pipeline", pipeline, "Run only this pipeline");

  auto* validate = app.add_subcommand("validate", "Check a config file without connecting");
  validate->add_option("-c,--config", config_path, "YAML config file")->required();

  auto* offsets = app.add_subcommand("offsets", "Inspect committed offsets");
  offsets->require_subcommand(1);
  auto* show = offsets->add_subcommand("show", "Print each pipeline's committed offset as JSON");
  show->add_option("-c,--config", config_path, "YAML config file")->required();
  show->add_option("-p,--pipeline", pipeline, "Only this pipeline");

  auto* demo = app.add_subcommand("demo", "Run the embedded demo pipeline and show some events");
  demo->add_option("--dir", demo_dir, "Output directory (default: a new temp dir)");
  demo->add_option("--events", demo_events, "How many events to generate");

  auto* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  try {
    if (*run) return Run(config_path, pipeline);
    if (*validate) return Validate(config_path);
    if (*show) return OffsetsShow(config_path, pipeline);
    if (*demo) return cdc::RunDemo(demo_dir, demo_events) ? kExitOk : kExitFailure;
    if (*version) {
      std::printf("cdcd %s\n", CDCD_VERSION);
      return kExitOk;
    }
  } catch (const cdc::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cdcd: %s\n", e.what());
    return kExitFailure;
  }
  return kExitUsage;
}
