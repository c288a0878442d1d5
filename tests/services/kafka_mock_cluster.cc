// kafka_mock_cluster: a librdkafka mock Kafka cluster with an HTTP control API for fault injection.
//
// Usage: kafka_mock_cluster [--brokers N] [--control-port PORT]
//   --brokers N         number of mock brokers, ids 1..N (default 3)
//   --control-port P    loopback port of the control API (default 0: any free port)
//
// Once both the brokers and the control API listen, it prints exactly one line on stdout and
// nothing else there (librdkafka's own log lines go to stderr):
//   ready bootstraps=127.0.0.1:P1,127.0.0.1:P2,... control=http://127.0.0.1:PORT
// SIGTERM or SIGINT (or POST /shutdown) stops the control API, destroys the cluster, exits 0.
//
// Control API on 127.0.0.1 (plain HTTP/1.1, query-string parameters, text/plain answers "ok" or
// "error: ..."; 400 bad parameters, 404 unknown broker/path, 409 topic exists, 500 librdkafka
// error). <api> is a Kafka ApiKey, by number (0..74) or by name (Produce, Fetch, Metadata,
// InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit, FindCoordinator,
// ...; see kApiKeys). <errors> is a comma-separated list of rd_kafka_resp_err_t codes, by number
// (6, -195) or by name with or without the RD_KAFKA_RESP_ERR_ prefix (NOT_LEADER_FOR_PARTITION,
// _TRANSPORT). _TRANSPORT (-195) makes the broker drop the connection instead of answering.
// <broker> is a broker id 1..N; -1 means all brokers where noted.
//
//   GET  /health                                    "ok"
//   GET  /bootstraps                                bootstrap.servers list
//   GET  /info                                      {"bootstraps":"...","brokers":N}
//   POST /errors?api=&errors=                       next requests of <api> to ANY broker fail with
//                                                   <errors>, in order (push_request_errors)
//   POST /errors?api=&errors=&broker=[&rtt=MS]      same, on one broker only, each answer delayed
//   by
//                                                   MS (broker_push_request_error_rtts); broker
//                                                   errors take precedence over cluster errors
//   GET  /errors?api=&broker=                       {"count":N} errors still queued on that broker
//   DELETE /errors?api=                             drop the cluster-wide queue for <api>
//   POST /broker/<id>/down  /broker/<id>/up         close and refuse / accept connections (id or
//   -1);
//                                                   does NOT move partition leadership
//   POST /broker/<id>/rtt?ms=                       delay every answer of a broker (id or -1)
//   POST /topic?name=[&partitions=1][&replication=1]   create a topic
//   POST /topic/error?name=&error=                  error for Metadata/AddPartitionsToTxn on that
//                                                   topic (error=0 clears it)
//   POST /partition/leader?topic=&partition=&broker=    move the leader (broker -1: no leader)
//   POST /partition/follower?topic=&partition=&broker=  set the preferred follower
//   POST /coordinator?type=transaction|group&key=&broker=   pin a txn/group coordinator
//   POST /apiversion?api=&min=&max=                 advertised version range (-1,-1 disables)
//   POST /shutdown                                  same as SIGTERM
//
// Limits of the librdkafka 2.0.2 mock (see README.md): it does not hide aborted or open
// transactions from read_committed consumers, does not fence zombie producers, keeps ~5 MB per
// partition, and auto-created topics get the mock's default partition count. Never use it to
// prove exactly-once delivery; use the real broker (svc start kafka) for that.
#include <httplib.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct ApiKeyName {
  const char* name;
  int16_t key;
};

// Kafka protocol request types (ApiKey numbers), as named in the Kafka protocol guide.
constexpr ApiKeyName kApiKeys[] = {
    {"Produce", 0},
    {"Fetch", 1},
    {"ListOffsets", 2},
    {"Metadata", 3},
    {"LeaderAndIsr", 4},
    {"StopReplica", 5},
    {"UpdateMetadata", 6},
    {"ControlledShutdown", 7},
    {"OffsetCommit", 8},
    {"OffsetFetch", 9},
    {"FindCoordinator", 10},
    {"JoinGroup", 11},
    {"Heartbeat", 12},
    {"LeaveGroup", 13},
    {"SyncGroup", 14},
    {"DescribeGroups", 15},
    {"ListGroups", 16},
    {"SaslHandshake", 17},
    {"ApiVersions", 18},
    {"CreateTopics", 19},
    {"DeleteTopics", 20},
    {"DeleteRecords", 21},
    {"InitProducerId", 22},
    {"OffsetForLeaderEpoch", 23},
    {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25},
    {"EndTxn", 26},
    {"WriteTxnMarkers", 27},
    {"TxnOffsetCommit", 28},
    {"DescribeAcls", 29},
    {"CreateAcls", 30},
    {"DeleteAcls", 31},
    {"DescribeConfigs", 32},
    {"AlterConfigs", 33},
    {"AlterReplicaLogDirs", 34},
    {"DescribeLogDirs", 35},
    {"SaslAuthenticate", 36},
    {"CreatePartitions", 37},
    {"CreateDelegationToken", 38},
    {"RenewDelegationToken", 39},
    {"ExpireDelegationToken", 40},
    {"DescribeDelegationToken", 41},
    {"DeleteGroups", 42},
    {"ElectLeaders", 43},
    {"IncrementalAlterConfigs", 44},
    {"AlterPartitionReassignments", 45},
    {"ListPartitionReassignments", 46},
    {"OffsetDelete", 47},
    {"DescribeClientQuotas", 48},
    {"AlterClientQuotas", 49},
    {"DescribeUserScramCredentials", 50},
    {"AlterUserScramCredentials", 51},
};
constexpr int kMaxApiKey = 74;

// Thrown by parameter helpers; becomes a 4xx answer.
struct BadRequest {
  int status;
  std::string message;
};

std::optional<long> parse_long(std::string_view s) {
  long v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string param(const httplib::Request& req, const char* name, const char* fallback = nullptr) {
  if (req.has_param(name)) return req.get_param_value(name);
  if (fallback) return fallback;
  throw BadRequest{400, std::string("missing parameter '") + name + "'"};
}

long int_param(const httplib::Request& req, const char* name, const char* fallback = nullptr) {
  std::string v = param(req, name, fallback);
  auto n = parse_long(v);
  if (!n) throw BadRequest{400, std::string("parameter '") + name + "' is not an integer: " + v};
  return *n;
}

int16_t api_key(const std::string& s) {
  if (auto n = parse_long(s)) {
    if (*n < 0 || *n > kMaxApiKey) throw BadRequest{400, "ApiKey out of range: " + s};
    return static_cast<int16_t>(*n);
  }
  for (const auto& a : kApiKeys)
    if (strcasecmp(a.name, s.c_str()) == 0) return a.key;
  throw BadRequest{400, "unknown ApiKey: " + s};
}

rd_kafka_resp_err_t error_code(std::string s) {
  if (auto n = parse_long(s)) return static_cast<rd_kafka_resp_err_t>(*n);
  constexpr std::string_view prefix = "RD_KAFKA_RESP_ERR_";
  if (s.size() > prefix.size() && strncasecmp(s.c_str(), prefix.data(), prefix.size()) == 0)
    s.erase(0, prefix.size());
  const rd_kafka_err_desc* descs = nullptr;
  size_t cnt = 0;
  rd_kafka_get_err_descs(&descs, &cnt);
  for (size_t i = 0; i < cnt; i++)
    if (descs[i].name && strcasecmp(descs[i].name, s.c_str()) == 0) return descs[i].code;
  throw BadRequest{400, "unknown error code: " + s};
}

std::vector<rd_kafka_resp_err_t> error_list(const std::string& csv) {
  std::vector<rd_kafka_resp_err_t> out;
  size_t pos = 0;
  while (pos <= csv.size()) {
    size_t comma = csv.find(',', pos);
    if (comma == std::string::npos) comma = csv.size();
    std::string item = csv.substr(pos, comma - pos);
    if (!item.empty()) out.push_back(error_code(item));
    pos = comma + 1;
  }
  if (out.empty()) throw BadRequest{400, "empty error list"};
  return out;
}

class ControlServer {
 public:
  ControlServer(rd_kafka_mock_cluster_t* mc, int brokers) : mc_(mc), brokers_(brokers) { routes(); }

  int bind(int port) {
    if (port == 0) return svr_.bind_to_any_port("127.0.0.1");
    return svr_.bind_to_port("127.0.0.1", port) ? port : -1;
  }
  void serve() { svr_.listen_after_bind(); }
  bool running() const { return svr_.is_running(); }
  void stop() { svr_.stop(); }

 private:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  // Runs a handler under the mock lock and maps failures to HTTP answers.
  Handler wrap(Handler h) {
    return [this, h](const httplib::Request& req, httplib::Response& res) {
      try {
        std::lock_guard<std::mutex> lock(mu_);
        h(req, res);
      } catch (const BadRequest& e) {
        res.status = e.status;
        res.set_content("error: " + e.message + "\n", "text/plain");
      }
    };
  }

  // POST/DELETE handlers take the body through a ContentReader: httplib 0.11 otherwise waits
  // for a body until its read timeout when a client (e.g. `curl -X POST`) sends no
  // Content-Length. Bodies are ignored, but drained when announced so keep-alive stays in sync.
  static httplib::Server::HandlerWithContentReader bodyless(Handler h) {
    return [h](const httplib::Request& req, httplib::Response& res,
               const httplib::ContentReader& content) {
      if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding"))
        content([](const char*, size_t) { return true; });
      h(req, res);
    };
  }

  static void ok(httplib::Response& res) { res.set_content("ok\n", "text/plain"); }

  // Answers from a librdkafka result: 200, or 500 with the error's text.
  static void answer(httplib::Response& res, rd_kafka_resp_err_t err) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return ok(res);
    res.status = err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS ? 409 : 500;
    res.set_content(
        std::string("error: ") + rd_kafka_err2name(err) + ": " + rd_kafka_err2str(err) + "\n",
        "text/plain");
  }

  int32_t broker_id(const std::string& s, bool allow_all) const {
    auto n = parse_long(s);
    if (!n) throw BadRequest{400, "broker id is not an integer: " + s};
    if (*n == -1 && allow_all) return -1;
    if (*n < 1 || *n > brokers_) throw BadRequest{404, "no such broker: " + s};
    return static_cast<int32_t>(*n);
  }

  void get(const std::string& pattern, Handler h) { svr_.Get(pattern, wrap(std::move(h))); }
  void post(const std::string& pattern, Handler h) {
    svr_.Post(pattern, bodyless(wrap(std::move(h))));
  }
  void del(const std::string& pattern, Handler h) {
    svr_.Delete(pattern, bodyless(wrap(std::move(h))));
  }

  void routes() {
    using Req = httplib::Request;
    using Res = httplib::Response;

    get("/health", [](const Req&, Res& res) { ok(res); });

    get("/bootstraps", [this](const Req&, Res& res) {
      res.set_content(std::string(rd_kafka_mock_cluster_bootstraps(mc_)) + "\n", "text/plain");
    });

    get("/info", [this](const Req&, Res& res) {
      res.set_content(std::string("{\"bootstraps\":\"") + rd_kafka_mock_cluster_bootstraps(mc_) +
                          "\",\"brokers\":" + std::to_string(brokers_) + "}\n",
                      "application/json");
    });

    post("/errors", [this](const Req& req, Res& res) {
      int16_t api = api_key(param(req, "api"));
      auto errors = error_list(param(req, "errors"));
      if (!req.has_param("broker")) {
        rd_kafka_mock_push_request_errors_array(mc_, api, errors.size(), errors.data());
        return ok(res);
      }
      int32_t broker = broker_id(req.get_param_value("broker"), false);
      int rtt = static_cast<int>(int_param(req, "rtt", "0"));
      // The broker variant is va-arg only: push one (error, rtt) tuple at a time, which
      // appends to the broker's queue in order.
      for (auto err : errors) {
        rd_kafka_resp_err_t r =
            rd_kafka_mock_broker_push_request_error_rtts(mc_, broker, api, 1, err, rtt);
        if (r) return answer(res, r);
      }
      ok(res);
    });

    get("/errors", [this](const Req& req, Res& res) {
      int16_t api = api_key(param(req, "api"));
      int32_t broker = broker_id(param(req, "broker"), false);
      size_t cnt = 0;
      rd_kafka_resp_err_t r = rd_kafka_mock_broker_error_stack_cnt(mc_, broker, api, &cnt);
      if (r) return answer(res, r);
      res.set_content("{\"count\":" + std::to_string(cnt) + "}\n", "application/json");
    });

    del("/errors", [this](const Req& req, Res& res) {
      rd_kafka_mock_clear_request_errors(mc_, api_key(param(req, "api")));
      ok(res);
    });

    post(R"(/broker/(-?\d+)/(down|up))", [this](const Req& req, Res& res) {
      int32_t broker = broker_id(req.matches[1], true);
      answer(res, req.matches[2] == "down" ? rd_kafka_mock_broker_set_down(mc_, broker)
                                           : rd_kafka_mock_broker_set_up(mc_, broker));
    });

    post(R"(/broker/(-?\d+)/rtt)", [this](const Req& req, Res& res) {
      int32_t broker = broker_id(req.matches[1], true);
      int ms = static_cast<int>(int_param(req, "ms"));
      answer(res, rd_kafka_mock_broker_set_rtt(mc_, broker, ms));
    });

    post("/topic", [this](const Req& req, Res& res) {
      std::string name = param(req, "name");
      int partitions = static_cast<int>(int_param(req, "partitions", "1"));
      int replication = static_cast<int>(int_param(req, "replication", "1"));
      if (name.empty() || partitions < 1 || replication < 1 || replication > brokers_)
        throw BadRequest{400, "need a name, partitions >= 1, 1 <= replication <= brokers"};
      answer(res, rd_kafka_mock_topic_create(mc_, name.c_str(), partitions, replication));
    });

    post("/topic/error", [this](const Req& req, Res& res) {
      std::string name = param(req, "name");
      rd_kafka_mock_topic_set_error(mc_, name.c_str(), error_code(param(req, "error")));
      ok(res);
    });

    post(R"(/partition/(leader|follower))", [this](const Req& req, Res& res) {
      std::string topic = param(req, "topic");
      auto partition = static_cast<int32_t>(int_param(req, "partition"));
      if (req.matches[1] == "leader") {
        std::string b = param(req, "broker");
        int32_t broker = b == "-1" ? -1 : broker_id(b, false);
        return answer(res,
                      rd_kafka_mock_partition_set_leader(mc_, topic.c_str(), partition, broker));
      }
      auto broker = static_cast<int32_t>(int_param(req, "broker"));
      answer(res, rd_kafka_mock_partition_set_follower(mc_, topic.c_str(), partition, broker));
    });

    post("/coordinator", [this](const Req& req, Res& res) {
      std::string type = param(req, "type");
      if (type != "transaction" && type != "group")
        throw BadRequest{400, "type must be transaction or group"};
      std::string key = param(req, "key");
      auto broker = static_cast<int32_t>(int_param(req, "broker"));
      answer(res, rd_kafka_mock_coordinator_set(mc_, type.c_str(), key.c_str(), broker));
    });

    post("/apiversion", [this](const Req& req, Res& res) {
      int16_t api = api_key(param(req, "api"));
      auto lo = static_cast<int16_t>(int_param(req, "min"));
      auto hi = static_cast<int16_t>(int_param(req, "max"));
      answer(res, rd_kafka_mock_set_apiversion(mc_, api, lo, hi));
    });

    post("/shutdown", [](const Req&, Res& res) {
      ok(res);
      // SIGTERM is blocked in every thread; main's sigwait() picks it up.
      kill(getpid(), SIGTERM);
    });

    // Registered last so they only catch unknown paths, and answer at once instead of
    // waiting for a body that a bodyless POST never sends.
    post(".*", [](const Req& req, Res& res) { no_such_endpoint(req, res); });
    del(".*", [](const Req& req, Res& res) { no_such_endpoint(req, res); });

    svr_.set_error_handler([](const Req& req, Res& res) {
      if (res.body.empty() && res.status == 404) no_such_endpoint(req, res);
    });
  }

  static void no_such_endpoint(const httplib::Request& req, httplib::Response& res) {
    res.status = 404;
    res.set_content("error: no such endpoint: " + req.method + " " + req.path + "\n", "text/plain");
  }

  httplib::Server svr_;
  std::mutex mu_;
  rd_kafka_mock_cluster_t* mc_;
  int brokers_;
};

[[noreturn]] void usage(int code) {
  std::fprintf(stderr, "usage: kafka_mock_cluster [--brokers N] [--control-port PORT]\n");
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 3;
  int control_port = 0;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    auto next_int = [&](int lo, int hi) {
      if (i + 1 >= argc) usage(2);
      auto v = parse_long(argv[++i]);
      if (!v || *v < lo || *v > hi) usage(2);
      return static_cast<int>(*v);
    };
    if (a == "--brokers")
      brokers = next_int(1, 64);
    else if (a == "--control-port")
      control_port = next_int(0, 65535);
    else if (a == "-h" || a == "--help")
      usage(0);
    else
      usage(2);
  }

  // Block the stop signals before librdkafka and httplib start threads, so that only sigwait()
  // below sees them; ignore SIGPIPE from clients that hang up.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "client.id", "kafka_mock_cluster", errstr, sizeof errstr);
  // This handle only hosts the cluster; hide its notice about having no bootstrap.servers.
  rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    std::fprintf(stderr, "kafka_mock_cluster: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    std::fprintf(stderr, "kafka_mock_cluster: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  int rc = 0;
  {
    ControlServer control(mc, brokers);
    int port = control.bind(control_port);
    if (port <= 0) {
      std::fprintf(stderr, "kafka_mock_cluster: cannot bind control API on 127.0.0.1:%d\n",
                   control_port);
      rc = 1;
    } else {
      std::thread http([&control] { control.serve(); });
      // stop() is a no-op until the accept loop runs: only announce readiness once it does.
      while (!control.running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::printf("ready bootstraps=%s control=http://127.0.0.1:%d\n",
                  rd_kafka_mock_cluster_bootstraps(mc), port);
      std::fflush(stdout);

      int sig = 0;
      sigwait(&stop_signals, &sig);
      control.stop();
      http.join();
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return rc;
}
