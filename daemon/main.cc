// cdcd: the command line. Exit status: 0 ok, 1 runtime failure, 2 bad usage
// or bad config.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <iostream>
#include <stop_token>
#include <thread>

#include "cdc/error.h"
#include "cdc/logging.h"
#include "config/daemon_config.h"
#include "daemon/allocator.h"
#include "daemon/builtin_plugins.h"
#include "daemon/daemon.h"
#include "daemon/demo.h"
#include "daemon/health_command.h"
#include "daemon/replay_command.h"
#include "daemon/snapshot_command.h"
#include "daemon/state_command.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// SIGTERM, SIGINT and SIGHUP are taken by a dedicated thread (blocked
// everywhere else): the first two ask the work to drain, commit and stop,
// SIGHUP to re-read the config (commands without one log and go on).
class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void()> on_stop, std::function<void()> on_reload = {}) {
    thread_ = std::thread([on_stop = std::move(on_stop), on_reload = std::move(on_reload)] {
      int sig = 0;
      sigset_t set = Signals();
      while (sigwait(&set, &sig) == 0 && sig != SIGUSR1) {
        if (sig == SIGHUP) {
          spdlog::info("received SIGHUP: {}",
                       on_reload ? "reloading the config" : "nothing to reload in this command");
          if (on_reload) on_reload();
          continue;
        }
        spdlog::info("received {}: draining and stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        on_stop();
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
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    return set;
  }

 private:
  std::thread thread_;
};

int Run(const std::string& config_path, const std::string& pipeline) {
  cdc::DaemonConfig config = cdc::LoadConfigFile(config_path);
  cdc::ConfigureLogging(config.log.level, config.log.format);
  cdc::Daemon daemon(std::move(config), cdc::BuiltinRegistry(), pipeline);
  SignalWatcher watcher([&daemon] { daemon.stop(); }, [&daemon] { daemon.reload(); });
  return daemon.run() ? kExitOk : kExitFailure;
}

int Replay(const cdc::ReplayCommand& cmd) {
  std::stop_source stop;
  SignalWatcher watcher([&stop] { stop.request_stop(); });
  return cdc::RunReplayCommand(cmd, cdc::BuiltinRegistry(), stop.get_token());
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
  try {
    cdc::ConfigureLogging("info", "text");
  } catch (const cdc::ConfigError& e) {  // CDCD_LOG_LEVEL names no level
    std::fprintf(stderr, "cdcd: %s\n", e.what());
    return kExitUsage;
  }

  CLI::App app{
      "cdcd: change data capture from PostgreSQL and MySQL to Kafka or files, exactly once"};
  app.require_subcommand(1);
  std::string config_path, pipeline, demo_dir;
  uint64_t demo_events = 2000;

  auto* run = app.add_subcommand(
      "run", "Run the pipelines of a config file until SIGTERM; SIGHUP reloads it");
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

  cdc::ReplayCommand rp;
  auto* replay = app.add_subcommand(
      "replay",
      "Publish a capture (file sink directory or Kafka topics) through a pipeline's "
      "sink, exactly once; a killed replay resumes when run again");
  replay->add_option("--from", rp.from, "DIR, or kafka:TOPIC[,TOPIC]")->required();
  replay->add_option("-c,--config", rp.config_path, "YAML config file")->required();
  replay->add_option("-p,--pipeline", rp.pipeline, "The pipeline whose sink is the target")
      ->required();
  replay->add_option("--table", rp.tables, "Only changes of this table (repeatable)");
  replay->add_option("--since", rp.since, "Only changes committed at or after this time");
  replay->add_option("--until", rp.until, "Only changes committed at or before this time");
  replay->add_option("--topic-prefix", rp.topic_prefix, "Prepended to every topic");
  replay->add_option("--rename-topic", rp.renames, "OLD=NEW (repeatable)");
  replay->add_option("--name", rp.name, "The replay's identity in the target (default replay)");
  replay->add_option("--brokers", rp.brokers, "Brokers of a kafka: capture");

  cdc::StateCommand st;
  auto* state = app.add_subcommand(
      "state", "Print a table's rows as of a commit time or an event, computed from a capture");
  state->add_option("--from", st.from, "DIR, or kafka:TOPIC[,TOPIC]")->required();
  state->add_option("--table", st.table, "The table (schema.table, db.table or table)")->required();
  state->add_option("--as-of", st.as_of, "Source commit time (default: the capture's end)");
  state->add_option("--at-offset", st.at_offset, "An event id (header cdcd.event_id)");
  state->add_option("--format", st.format, "jsonl (default) or csv");
  state->add_option("--brokers", st.brokers, "Brokers of a kafka: capture");
  state->add_option("-c,--config", st.config_path, "Config whose pipeline names the brokers");
  state->add_option("-p,--pipeline", st.pipeline, "That pipeline");

  cdc::SnapshotCommand sn;
  auto* snapshot = app.add_subcommand(
      "snapshot", "Ask the running cdcd for an incremental snapshot of tables while it streams");
  snapshot->add_option("-c,--config", sn.config_path, "The running daemon's config file")
      ->required();
  snapshot->add_option("-p,--pipeline", sn.pipeline, "The pipeline")->required();
  snapshot->add_option("--table", sn.tables, "A table to snapshot (repeatable)")->required();
  snapshot->add_option("--where", sn.where, "Only rows matching this SQL condition");

  std::string health_url = cdc::kDefaultHealthUrl;
  int health_timeout_ms = 3000;
  auto* health = app.add_subcommand(
      "health", "Exit 0 when a running cdcd answers 200 (container health checks, probes)");
  health->add_option("--url", health_url, "http://HOST:PORT/PATH, e.g. .../readyz")
      ->default_str(cdc::kDefaultHealthUrl);
  health->add_option("--timeout-ms", health_timeout_ms, "How long to wait for the answer")
      ->default_str("3000");

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
    if (*replay) return Replay(rp);
    if (*snapshot) return cdc::RunSnapshotCommand(sn);
    if (*state) return cdc::RunStateCommand(st, cdc::BuiltinRegistry(), stdout);
    if (*health) return cdc::RunHealthCommand(health_url, health_timeout_ms);
    if (*demo) return cdc::RunDemo(demo_dir, demo_events) ? kExitOk : kExitFailure;
    if (*version) {
      std::printf("cdcd %s\nallocator: %s\n", CDCD_VERSION, cdc::AllocatorDescription().c_str());
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
