#include "daemon/daemon.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "cdc/error.h"
#include "daemon/process_metrics.h"
#include "daemon/snapshot_bar.h"

namespace cdc {

PipelineContext MakePipelineContext(const PipelineConfig& config) {
  PipelineContext ctx;
  ctx.pipeline_name = config.name;
  ctx.format_options = config.format;
  ctx.format = MakeFormat(config.format);
  ctx.standby = config.retry.standby;
  return ctx;
}

std::vector<const PipelineConfig*> SelectPipelines(const DaemonConfig& config,
                                                   const std::string& only) {
  std::vector<const PipelineConfig*> out;
  std::string known;
  for (const PipelineConfig& p : config.pipelines) {
    if (only.empty() || p.name == only) out.push_back(&p);
    known += (known.empty() ? "" : ", ") + p.name;
  }
  if (out.empty()) {
    throw ConfigError(config.file + ": no pipeline named '" + only + "' (pipelines: " + known +
                      ")");
  }
  return out;
}

std::unique_ptr<Pipeline> BuildPipeline(const PipelineConfig& p, const Registry& registry) {
  PipelineContext ctx = MakePipelineContext(p);
  auto source = registry.make_source(p.source, ctx);
  auto sink = registry.make_sink(p.sink, ctx);
  return std::make_unique<Pipeline>(p.name, std::move(source), std::move(sink), p.batch, p.retry,
                                    p.sink.get_string("type"));
}

std::vector<std::unique_ptr<Pipeline>> BuildPipelines(const DaemonConfig& config,
                                                      const Registry& registry,
                                                      const std::string& only) {
  std::vector<std::unique_ptr<Pipeline>> out;
  for (const PipelineConfig* p : SelectPipelines(config, only)) {
    out.push_back(BuildPipeline(*p, registry));
  }
  return out;
}

namespace {

// Shortest text that reads back as `v`: 42, 0.25, 1e+21.
std::string PromNumber(double v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// A label value escaped as the Prometheus text format requires.
std::string PromLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// The HELP and TYPE lines of a metric family.
void PromFamily(std::ostream& m, const char* name, const char* type, const char* help) {
  m << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

}  // namespace

std::string PipelineDetailMetrics(const std::vector<PipelineStatus>& statuses) {
  std::ostringstream m;
  m.precision(15);
  auto family = [&](const char* name, const char* type, const char* help) {
    PromFamily(m, name, type, help);
  };
  family("cdcd_source_lag_bytes", "gauge",
         "Bytes of the database's log (WAL, binlog) past the sink's committed offset.");
  for (const PipelineStatus& s : statuses) {
    if (s.source_lag_bytes) {
      m << "cdcd_source_lag_bytes{pipeline=\"" << PromLabel(s.name) << "\"} " << *s.source_lag_bytes
        << "\n";
    }
  }
  family("cdcd_events_total", "counter",
         "Committed events by table and op (c, u, d, r, t; heartbeat etc. with table \"\").");
  for (const PipelineStatus& s : statuses) {
    for (const auto& [key, n] : s.events_by_table_op) {
      m << "cdcd_events_total{pipeline=\"" << PromLabel(s.name) << "\",table=\""
        << PromLabel(key.first) << "\",op=\"" << PromLabel(key.second) << "\"} " << n << "\n";
    }
  }
  family("cdcd_commit_duration_seconds", "histogram", "Durations of sink commits.");
  for (const PipelineStatus& s : statuses) {
    const std::string labels = "pipeline=\"" + PromLabel(s.name) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.commit_seconds_counts.size(); ++i) {
      cumulative += s.commit_seconds_counts[i];
      const std::string le =
          i < kCommitSecondsBounds.size() ? PromNumber(kCommitSecondsBounds[i]) : "+Inf";
      m << "cdcd_commit_duration_seconds_bucket{" << labels << ",le=\"" << le << "\"} "
        << cumulative << "\n";
    }
    m << "cdcd_commit_duration_seconds_sum{" << labels << "} " << s.commit_seconds_sum << "\n"
      << "cdcd_commit_duration_seconds_count{" << labels << "} " << cumulative << "\n";
  }
  family("cdcd_pipeline_state", "gauge", "1 for the state the pipeline is in, 0 for the others.");
  for (const PipelineStatus& s : statuses) {
    for (PipelineState state : kAllPipelineStates) {
      m << "cdcd_pipeline_state{pipeline=\"" << PromLabel(s.name) << "\",state=\""
        << StateName(state) << "\"} " << (s.state == state ? 1 : 0) << "\n";
    }
  }
  family("cdcd_last_error_timestamp_seconds", "gauge",
         "Unix time of the pipeline's last error (0: none since it started).");
  for (const PipelineStatus& s : statuses) {
    m << "cdcd_last_error_timestamp_seconds{pipeline=\"" << PromLabel(s.name) << "\"} "
      << static_cast<double>(s.last_error_us) / 1e6 << "\n";
  }
  return m.str();
}

std::string SinkMetricsText(const std::vector<PipelineSinkMetrics>& sinks) {
  struct Family {
    const SinkMetric* first;
    std::string samples;
  };
  std::vector<std::string> order;
  std::map<std::string, Family> families;
  for (const PipelineSinkMetrics& s : sinks) {
    for (const SinkMetric& m : s.metrics) {
      std::string name = "cdcd_sink_" + s.sink_type + "_" + m.name;
      auto [it, added] = families.try_emplace(name, Family{&m, ""});
      if (added) order.push_back(name);
      it->second.samples +=
          name + "{pipeline=\"" + PromLabel(s.pipeline) + "\"} " + PromNumber(m.value) + "\n";
    }
  }
  std::string out;
  for (const std::string& name : order) {
    const Family& f = families.at(name);
    out += "# HELP " + name + " " + f.first->help + "\n# TYPE " + name + " " +
           (f.first->type == SinkMetric::Type::kCounter ? "counter" : "gauge") + "\n" + f.samples;
  }
  return out;
}

struct Daemon::Http {
  httplib::Server server;
  std::thread thread;
};

namespace {

using Server = httplib::Server;
constexpr size_t kMaxRequestBytes = 1 << 20;

// "Bearer <token>", compared in constant time so that response times do not
// tell how much of a guess was right.
bool BearerTokenMatches(const std::string& header, const std::string& token) {
  const std::string want = "Bearer " + token;
  if (header.size() != want.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(header[i] ^ want[i]);
  return diff == 0;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "-" : out;
}

}  // namespace

std::string ReloadResult::summary() const {
  if (!ok) return "rejected, the running pipelines stay as they are: " + error;
  return "added " + JoinNames(plan.add) + "; restarted " + JoinNames(plan.restart) + "; removed " +
         JoinNames(plan.remove) + "; unchanged " + JoinNames(plan.keep);
}

Daemon::Daemon(DaemonConfig config, Registry registry, std::string only)
    : config_(std::move(config)), registry_(std::move(registry)), only_(std::move(only)) {
  for (const PipelineConfig* p : SelectPipelines(config_, only_)) initial_.push_back(build(*p));
}

Daemon::~Daemon() {
  // The HTTP threads read the pipelines: they stop first.
  if (http_) {
    http_->server.stop();
    if (http_->thread.joinable()) http_->thread.join();
  }
}

PipelineSet::Entry Daemon::build(const PipelineConfig& p) const {
  return {BuildPipeline(p, registry_), p.fingerprint};
}

bool Daemon::run() {
  if (config_.http.enabled) start_http();
  {
    std::lock_guard lock(reload_mu_);
    for (PipelineSet::Entry& e : initial_) pipelines_.start(std::move(e));
    initial_.clear();
    started_ = true;
  }
  SnapshotBar bar([this] {
    std::vector<std::pair<std::string, SnapshotStatus>> statuses;
    for (const PipelineSet::Entry& e : pipelines_.entries()) {
      statuses.emplace_back(e.pipeline->name(), e.pipeline->snapshot_status());
    }
    return statuses;
  });
  return pipelines_.wait();
}

void Daemon::stop() {
  pipelines_.stop_all();
}

ReloadResult Daemon::reload() {
  std::lock_guard lock(reload_mu_);
  ReloadResult result;
  std::vector<PipelineSet::Entry> started;
  try {
    if (!started_) throw Error("the pipelines have not started yet");
    const DaemonConfig next = LoadConfigFile(config_.file);
    const std::vector<const PipelineConfig*> selected = SelectPipelines(next, only_);
    std::vector<std::pair<std::string, std::string>> wanted;
    for (const PipelineConfig* p : selected) wanted.emplace_back(p->name, p->fingerprint);
    result.plan = pipelines_.plan(wanted);
    // Every new pipeline is built (its blocks parsed) before any is stopped.
    auto planned = [](const std::vector<std::string>& names, const std::string& name) {
      return std::find(names.begin(), names.end(), name) != names.end();
    };
    for (const PipelineConfig* p : selected) {
      if (planned(result.plan.add, p->name) || planned(result.plan.restart, p->name)) {
        started.push_back(build(*p));
      }
    }
    const char* env_level = std::getenv("CDCD_LOG_LEVEL");  // wins over the file, as at start
    if (next.log.level != config_.log.level && !(env_level && *env_level)) {
      spdlog::set_level(spdlog::level::from_str(next.log.level));
      config_.log.level = next.log.level;
    }
    if (next.http.enabled != config_.http.enabled || next.http.listen != config_.http.listen ||
        next.log.format != config_.log.format) {
      spdlog::warn("reload: {}: http and log.format changes take effect at the next start",
                   config_.file);
    }
  } catch (const std::exception& e) {
    result.error = e.what();
    spdlog::error("reload: {}: {}", config_.file, result.summary());
    return result;
  }
  result.ok = true;
  spdlog::info("reload: {}: {}", config_.file, result.summary());
  pipelines_.apply(result.plan, std::move(started));
  return result;
}

std::string Daemon::not_ready() const {
  std::string why;
  for (const PipelineSet::Entry& e : pipelines_.entries()) {
    // A pipeline whose source ended (an initial_only snapshot, a limited
    // generator) has done its work: it does not hold the others back.
    const PipelineStatus s = e.pipeline->status();
    // A standby is healthy too: it is ready to take over.
    if (s.state == PipelineState::kRunning || s.state == PipelineState::kFinished ||
        s.state == PipelineState::kStandby) {
      continue;
    }
    why += "pipeline " + e.pipeline->name() + " is " + StateName(s.state);
    if (!s.last_error.empty()) why += ": " + s.last_error;
    why += "\n";
  }
  return why;
}

namespace {

nlohmann::json SnapshotJson(const SnapshotStatus& s) {
  nlohmann::json j = {{"running", !s.kind.empty()}, {"completed", s.snapshots_completed}};
  if (s.kind.empty()) return j;
  j.update({{"kind", s.kind},
            {"id", s.id},
            {"table", s.table},
            {"rows", s.rows},
            {"rows_estimated", s.rows_estimated},
            {"tables_done", s.tables_done},
            {"tables_total", s.tables_total},
            {"rows_per_second", s.rows_per_second},
            {"eta_seconds", s.eta_seconds >= 0 ? nlohmann::json(s.eta_seconds) : nullptr}});
  return j;
}

}  // namespace

std::pair<int, std::string> Daemon::request_snapshot(const std::string& pipeline,
                                                     const std::string& body) {
  auto error = [](int status, const std::string& message) {
    return std::pair(status, nlohmann::json({{"error", message}}).dump() + "\n");
  };
  std::shared_ptr<Pipeline> target;
  for (const PipelineSet::Entry& e : pipelines_.entries()) {
    if (e.pipeline->name() == pipeline) target = e.pipeline;
  }
  if (!target) return error(404, "no pipeline named " + pipeline);
  nlohmann::json req = nlohmann::json::parse(body, nullptr, false);
  std::vector<std::string> tables;
  std::string where;
  try {
    if (!req.is_object()) throw std::runtime_error("the body is not a JSON object");
    if (req.contains("table")) tables.push_back(req["table"].get<std::string>());
    if (req.contains("tables")) {
      for (const auto& t : req["tables"]) tables.push_back(t.get<std::string>());
    }
    where = req.value("where", "");
    if (tables.empty())
      throw std::runtime_error("name the tables: {\"tables\": [\"schema.table\"]}");
  } catch (const std::exception& e) {
    return error(400, std::string("bad snapshot request: ") + e.what());
  }
  try {
    const std::string id = target->request_snapshot(tables, where);
    return {202, nlohmann::json(
                     {{"pipeline", pipeline}, {"id", id}, {"tables", tables}, {"where", where}})
                         .dump() +
                     "\n"};
  } catch (const ConfigError& e) {
    return error(400, e.what());
  } catch (const std::exception& e) {
    return error(503, e.what());
  }
}

std::string Daemon::pipelines_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const PipelineSet::Entry& e : pipelines_.entries()) {
    const std::shared_ptr<Pipeline>& p = e.pipeline;
    PipelineStatus s = p->status();
    arr.push_back({{"name", s.name},
                   {"state", StateName(s.state)},
                   {"committed_offset", s.committed ? s.committed->to_json() : nlohmann::json()},
                   {"events_committed", s.events_committed},
                   {"batches_committed", s.batches_committed},
                   {"retries", s.retries},
                   {"queue_bytes", s.queue_bytes},
                   {"last_commit_ms", s.last_commit_ms},
                   {"last_error", s.last_error},
                   {"last_error_at_ms", s.last_error_us / 1000},
                   {"source_lag_bytes",
                    s.source_lag_bytes ? nlohmann::json(*s.source_lag_bytes) : nlohmann::json()},
                   {"snapshot", SnapshotJson(p->snapshot_status())}});
  }
  return arr.dump(2);
}

std::string Daemon::metrics_text() const {
  // One view of the set, and one status per pipeline, for the whole page.
  const std::vector<PipelineSet::Entry> entries = pipelines_.entries();
  std::vector<PipelineStatus> statuses;
  for (const PipelineSet::Entry& e : entries) statuses.push_back(e.pipeline->status());
  std::ostringstream m;
  auto family = [&](const char* name, const char* type, const char* help) {
    PromFamily(m, name, type, help);
  };
  auto each = [&](const char* name, auto value_of) {
    for (const PipelineStatus& s : statuses) {
      m << name << "{pipeline=\"" << s.name << "\"} " << value_of(s) << "\n";
    }
  };
  family("cdcd_events_committed_total", "counter", "Events committed to the sink.");
  each("cdcd_events_committed_total", [](const PipelineStatus& s) { return s.events_committed; });
  family("cdcd_batches_committed_total", "counter", "Batches committed to the sink.");
  each("cdcd_batches_committed_total", [](const PipelineStatus& s) { return s.batches_committed; });
  family("cdcd_retries_total", "counter", "Transient failures the pipeline resumed from.");
  each("cdcd_retries_total", [](const PipelineStatus& s) { return s.retries; });
  family("cdcd_queue_bytes", "gauge", "Bytes of events waiting between source and sink.");
  each("cdcd_queue_bytes", [](const PipelineStatus& s) { return s.queue_bytes; });
  family("cdcd_commit_latency_seconds", "gauge", "Duration of the last sink commit.");
  each("cdcd_commit_latency_seconds",
       [](const PipelineStatus& s) { return s.last_commit_ms / 1000.0; });
  family("cdcd_lag_seconds", "gauge",
         "Now minus the source commit time of the last committed event.");
  each("cdcd_lag_seconds", [](const PipelineStatus& s) {
    return s.last_event_ts_us ? (NowMicros() - s.last_event_ts_us) / 1e6 : 0.0;
  });
  family("cdcd_pipeline_up", "gauge", "1 while the pipeline is running.");
  each("cdcd_pipeline_up",
       [](const PipelineStatus& s) { return s.state == PipelineState::kRunning ? 1 : 0; });
  m << PipelineDetailMetrics(statuses);
  auto snapshot = [&](const char* name, const char* type, const char* help, auto value_of) {
    family(name, type, help);
    for (const PipelineSet::Entry& e : entries) {
      m << name << "{pipeline=\"" << e.pipeline->name() << "\"} "
        << value_of(e.pipeline->snapshot_status()) << "\n";
    }
  };
  snapshot("cdcd_snapshot_running", "gauge", "1 while a snapshot (initial or incremental) runs.",
           [](const SnapshotStatus& s) { return s.kind.empty() ? 0 : 1; });
  snapshot("cdcd_snapshot_rows", "gauge", "Rows the running snapshot emitted so far.",
           [](const SnapshotStatus& s) { return s.rows; });
  snapshot("cdcd_snapshot_rows_estimated", "gauge",
           "Rows the running snapshot is expected to read (0: unknown).",
           [](const SnapshotStatus& s) { return s.rows_estimated; });
  snapshot("cdcd_snapshot_rows_per_second", "gauge", "Rate of the running snapshot.",
           [](const SnapshotStatus& s) { return s.rows_per_second; });
  snapshot("cdcd_snapshot_eta_seconds", "gauge",
           "Estimated seconds until the running snapshot is done (-1: unknown).",
           [](const SnapshotStatus& s) { return s.kind.empty() ? 0.0 : s.eta_seconds; });
  snapshot("cdcd_snapshot_tables_done", "gauge", "Tables the running snapshot finished.",
           [](const SnapshotStatus& s) { return s.tables_done; });
  snapshot("cdcd_snapshot_tables_total", "gauge", "Tables the running snapshot reads.",
           [](const SnapshotStatus& s) { return s.tables_total; });
  snapshot("cdcd_snapshots_completed_total", "counter",
           "Snapshots completed since the process started.",
           [](const SnapshotStatus& s) { return s.snapshots_completed; });
  m << SinkMetricsText(sink_metrics());
  m << ProcessMetricsText();
  return m.str();
}

std::vector<PipelineSinkMetrics> Daemon::sink_metrics() const {
  std::vector<PipelineSinkMetrics> out;
  for (const PipelineSet::Entry& e : pipelines_.entries()) {
    out.push_back({e.pipeline->name(), e.pipeline->sink_type(), e.pipeline->sink_metrics()});
  }
  return out;
}

void Daemon::start_http() {
  const std::string& listen = config_.http.listen;
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    throw ConfigError(config_.file + ": http.listen: expected HOST:PORT, got \"" + listen + "\"");
  }
  std::string host = listen.substr(0, colon);
  int port = std::stoi(listen.substr(colon + 1));
  http_ = std::make_unique<Http>();
  auto& srv = http_->server;
  // Requests are small JSON documents: a larger body is refused (413).
  srv.set_payload_max_length(kMaxRequestBytes);
  if (!config_.http.token.empty()) {
    srv.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (req.path == "/healthz" || req.path == "/readyz")
        return Server::HandlerResponse::Unhandled;
      if (BearerTokenMatches(req.get_header_value("Authorization"), config_.http.token)) {
        return Server::HandlerResponse::Unhandled;
      }
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer");
      res.set_content("a bearer token is required (http.token)\n", "text/plain");
      return Server::HandlerResponse::Handled;
    });
  }
  srv.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  srv.Get("/readyz", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string why = not_ready();
    res.status = why.empty() ? 200 : 503;
    // Probes need no token; the reasons (table names, hosts) only go to
    // callers that could read /pipelines anyway.
    const bool may_see_why =
        config_.http.token.empty() ||
        BearerTokenMatches(req.get_header_value("Authorization"), config_.http.token);
    res.set_content(why.empty() ? "ready\n" : "not ready\n" + (may_see_why ? why : ""),
                    "text/plain");
  });
  srv.Get("/pipelines", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(pipelines_json(), "application/json");
  });
  srv.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_text(), "text/plain; version=0.0.4");
  });
  srv.Post("/reload", [this](const httplib::Request&, httplib::Response& res) {
    const ReloadResult r = reload();
    nlohmann::json body = {{"reloaded", r.ok}};
    if (r.ok) {
      body.update({{"added", r.plan.add},
                   {"restarted", r.plan.restart},
                   {"removed", r.plan.remove},
                   {"unchanged", r.plan.keep}});
    } else {
      body["error"] = r.error;
    }
    res.status = r.ok ? 200 : 400;
    res.set_content(body.dump() + "\n", "application/json");
  });
  srv.Post(R"(/pipelines/([A-Za-z0-9_.\-]+)/snapshots)",
           [this](const httplib::Request& req, httplib::Response& res) {
             auto [status, body] = request_snapshot(req.matches[1], req.body);
             res.status = status;
             res.set_content(body, "application/json");
           });
  if (port == 0) {
    port = srv.bind_to_any_port(host);
  } else if (!srv.bind_to_port(host, port)) {
    port = -1;
  }
  if (port < 0) throw Error("http: cannot listen on " + listen + " (in use, or bad address?)");
  spdlog::info("http: serving /healthz /readyz /metrics /pipelines /reload on {}:{}", host, port);
  http_->thread = std::thread([&srv] { srv.listen_after_bind(); });
}

}  // namespace cdc
