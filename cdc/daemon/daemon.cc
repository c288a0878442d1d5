#include "cdc/daemon/daemon.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "cdc/error.h"

namespace cdc {

PipelineContext MakePipelineContext(const PipelineConfig& config) {
  PipelineContext ctx;
  ctx.pipeline_name = config.name;
  ctx.format_options = config.format;
  ctx.format = MakeFormat(config.format);
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

std::vector<std::unique_ptr<Pipeline>> BuildPipelines(const DaemonConfig& config,
                                                      const Registry& registry,
                                                      const std::string& only) {
  std::vector<std::unique_ptr<Pipeline>> out;
  for (const PipelineConfig* p : SelectPipelines(config, only)) {
    PipelineContext ctx = MakePipelineContext(*p);
    auto source = registry.make_source(p->source, ctx);
    auto sink = registry.make_sink(p->sink, ctx);
    out.push_back(std::make_unique<Pipeline>(p->name, std::move(source), std::move(sink), p->batch,
                                             p->retry));
  }
  return out;
}

struct Daemon::Http {
  httplib::Server server;
  std::thread thread;
};

Daemon::Daemon(DaemonConfig config, std::vector<std::unique_ptr<Pipeline>> pipelines)
    : config_(std::move(config)), pipelines_(std::move(pipelines)) {}

Daemon::~Daemon() {
  if (http_) {
    http_->server.stop();
    if (http_->thread.joinable()) http_->thread.join();
  }
}

bool Daemon::run() {
  if (config_.http.enabled) start_http();
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (auto& p : pipelines_) {
    threads.emplace_back([&p, &failed] {
      try {
        p->run();
      } catch (const std::exception&) {
        // Pipeline::run logged the cause; the others keep running.
        failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  return !failed;
}

void Daemon::stop() {
  for (auto& p : pipelines_) p->stop();
}

bool Daemon::ready() const {
  for (const auto& p : pipelines_) {
    std::string s = p->status().state;
    if (s != "running") return false;
  }
  return true;
}

std::string Daemon::pipelines_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& p : pipelines_) {
    PipelineStatus s = p->status();
    arr.push_back({{"name", s.name},
                   {"state", s.state},
                   {"committed_offset", s.committed ? s.committed->to_json() : nlohmann::json()},
                   {"events_committed", s.events_committed},
                   {"batches_committed", s.batches_committed},
                   {"retries", s.retries},
                   {"queue_bytes", s.queue_bytes},
                   {"last_commit_ms", s.last_commit_ms},
                   {"last_error", s.last_error}});
  }
  return arr.dump(2);
}

std::string Daemon::metrics_text() const {
  std::ostringstream m;
  auto family = [&](const char* name, const char* type, const char* help) {
    m << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  };
  auto each = [&](const char* name, auto value_of) {
    for (const auto& p : pipelines_) {
      PipelineStatus s = p->status();
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
  each("cdcd_pipeline_up", [](const PipelineStatus& s) { return s.state == "running" ? 1 : 0; });
  return m.str();
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
  srv.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  srv.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    bool ok = ready();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "ready\n" : "not ready\n", "text/plain");
  });
  srv.Get("/pipelines", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(pipelines_json(), "application/json");
  });
  srv.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_text(), "text/plain; version=0.0.4");
  });
  if (port == 0) {
    port = srv.bind_to_any_port(host);
  } else if (!srv.bind_to_port(host, port)) {
    port = -1;
  }
  if (port < 0) throw Error("http: cannot listen on " + listen + " (in use, or bad address?)");
  spdlog::info("http: serving /healthz /readyz /metrics /pipelines on {}:{}", host, port);
  http_->thread = std::thread([&srv] { srv.listen_after_bind(); });
}

}  // namespace cdc
