#include "sinks/kafka/kafka_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "cdc/error.h"

namespace cdc::kafka {
namespace {

// Guards what is recorded per client from librdkafka's threads.
std::mutex recorded_mu;

// The last transaction failure librdkafka logged (facility TXNERR) per
// producer. When a transaction fails, librdkafka purges its queued records
// and their delivery reports say only "purged": the cause is in this log line.
std::map<const rd_kafka_t*, std::string>& TxnErrors() {
  static auto* errors = new std::map<const rd_kafka_t*, std::string>();
  return *errors;
}

// The last permanent connection refusal per client (see ConnectionRefusal).
std::map<const rd_kafka_t*, std::string>& Refusals() {
  static auto* refusals = new std::map<const rd_kafka_t*, std::string>();
  return *refusals;
}

// SASL failures are permanent (wrong mechanism, user or password); of the
// TLS failures only a certificate that does not verify is: a handshake cut
// short by a broker going down is an ordinary outage.
bool IsPermanentRefusal(rd_kafka_resp_err_t code, const char* reason) {
  if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION) return true;
  return code == RD_KAFKA_RESP_ERR__SSL && std::strstr(reason, "certificate verify failed");
}

// librdkafka logs at syslog levels (0 emerg .. 7 debug).
void OnLog(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  const char* who = rd_kafka_opaque(rk) ? static_cast<const char*>(rd_kafka_opaque(rk)) : "kafka";
  // Consumers reading the offsets topic get the producer's properties too
  // (security settings must apply to both); librdkafka warns about each
  // producer-only one, which is noise here.
  // Connection failures ("FAIL") are reported once more through OnError.
  if ((std::strcmp(fac, "CONFWARN") == 0 && rd_kafka_type(rk) == RD_KAFKA_CONSUMER) ||
      std::strcmp(fac, "FAIL") == 0) {
    spdlog::debug("{}: librdkafka {}: {}", who, fac, buf);
    return;
  }
  if (std::strcmp(fac, "TXNERR") == 0) {
    std::lock_guard lock(recorded_mu);
    TxnErrors()[rk] = buf;
  }
  if (level <= 3) {
    spdlog::error("{}: librdkafka {}: {}", who, fac, buf);
  } else if (level == 4) {
    spdlog::warn("{}: librdkafka {}: {}", who, fac, buf);
  } else if (level <= 6) {
    spdlog::info("{}: librdkafka {}: {}", who, fac, buf);
  } else {
    spdlog::debug("{}: librdkafka {}: {}", who, fac, buf);
  }
}

// Broker connection failures and the like arrive here; librdkafka keeps
// retrying them itself, and the sink sees their effect as timeouts. Fatal
// errors are reported again, with context, by the call that fails.
void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  const char* who = opaque ? static_cast<const char*>(opaque) : "kafka";
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof buf);
    spdlog::error("{}: librdkafka fatal error {}: {}", who, rd_kafka_err2name(orig), buf);
    return;
  }
  if (IsPermanentRefusal(code, reason)) {
    std::lock_guard lock(recorded_mu);
    Refusals()[rk] = std::string(rd_kafka_err2name(code)) + ": " + reason;
  }
  spdlog::warn("{}: librdkafka {}: {}", who, rd_kafka_err2name(code), reason);
}

}  // namespace

void ClientDeleter::operator()(rd_kafka_t* rk) const {
  rd_kafka_destroy(rk);
  // After destroy no callback runs; a later client may get the same address.
  std::lock_guard lock(recorded_mu);
  TxnErrors().erase(rk);
  Refusals().erase(rk);
}

std::string SetProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK) {
    return errstr;
  }
  return "";
}

ConfPtr MakeConf(const std::map<std::string, std::string>& properties) {
  ConfPtr conf(rd_kafka_conf_new());
  for (const auto& [name, value] : properties) {
    std::string err = SetProperty(conf.get(), name, value);
    if (!err.empty()) {
      // Secrets (sasl.password, ssl.key.password, ...) are never echoed.
      const bool secret =
          name.find("password") != std::string::npos || name.find("secret") != std::string::npos;
      throw ConfigError("librdkafka rejects property " + name +
                        (secret ? "" : "=\"" + value + "\"") + ": " + err);
    }
  }
  return conf;
}

ClientPtr NewClient(rd_kafka_type_t type, ConfPtr conf, const std::string& role) {
  // The role string must outlive the client: it is its opaque, read by the
  // callbacks on librdkafka's threads. Roles are few and long-lived (one per
  // sink and client kind), so they are interned for the process lifetime.
  static std::mutex mu;
  static std::set<std::string>* roles = new std::set<std::string>();
  const char* opaque;
  {
    std::lock_guard lock(mu);
    opaque = roles->insert(role).first->c_str();
  }
  rd_kafka_conf_set_opaque(conf.get(), const_cast<char*>(opaque));
  rd_kafka_conf_set_log_cb(conf.get(), OnLog);
  rd_kafka_conf_set_error_cb(conf.get(), OnError);
  char errstr[512];
  // rd_kafka_new takes ownership of conf only when it succeeds.
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (!rk) throw ConfigError(role + ": librdkafka refuses the configuration: " + errstr);
  conf.release();
  return ClientPtr(rk);
}

std::string ConnectionRefusal(const rd_kafka_t* rk) {
  std::lock_guard lock(recorded_mu);
  auto it = Refusals().find(rk);
  return it == Refusals().end() ? "" : it->second;
}

std::string TakeTransactionError(const rd_kafka_t* rk) {
  std::lock_guard lock(recorded_mu);
  auto it = TxnErrors().find(rk);
  if (it == TxnErrors().end()) return "";
  std::string text = std::move(it->second);
  TxnErrors().erase(it);
  return text;
}

std::string Describe(const rd_kafka_error_t* error) {
  return std::string("librdkafka: ") + rd_kafka_error_name(error) + ": " +
         rd_kafka_error_string(error);
}

std::string Describe(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + ": " + rd_kafka_err2str(err);
}

int RemainingMs(std::chrono::steady_clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                  std::chrono::steady_clock::now())
                .count();
  return static_cast<int>(std::clamp<int64_t>(ms, 1, INT_MAX));
}

}  // namespace cdc::kafka
