#include "sources/postgres/postgres_options.h"

#include <libpq-fe.h>

#include <cctype>
#include <memory>
#include <set>

#include "cdc/table_pattern.h"

namespace cdc::pg {
namespace {

bool ValidSlotName(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

// libpq's parse errors quote pieces of the string, which may be the
// password: only the names of unknown options are kept.
std::string RedactParseError(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.rfind("invalid connection option", 0) == 0 ||
      message.rfind("invalid URI query parameter", 0) == 0) {
    return message;
  }
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    const size_t open = message.find('"', i);
    const size_t close = open == std::string::npos ? open : message.find('"', open + 1);
    if (close == std::string::npos) {
      out += message.substr(i);
      break;
    }
    const std::string inner = message.substr(open + 1, close - open - 1);
    out += message.substr(i, open - i) + "\"" + (inner == "=" ? inner : "...") + "\"";
    i = close + 1;
  }
  return out;
}

// `value` is a comma-separated list (one per host) of integers in [lo, hi].
bool IntegerList(const std::string& value, long lo, long hi) {
  size_t start = 0;
  while (true) {
    const size_t end = value.find(',', start);
    const std::string part = value.substr(start, end - start);
    if (part.empty() || part.size() > 9 ||
        part.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    const long n = std::stol(part);
    if (n < lo || n > hi) return false;
    if (end == std::string::npos) return true;
    start = end + 1;
  }
}

}  // namespace

std::optional<std::string> DsnProblem(const std::string& dsn) {
  // As PgConnection hands it to libpq (dbname with expand_dbname): without
  // an '=' or a URI prefix the whole value is a database name.
  if (dsn.find('=') == std::string::npos && dsn.rfind("postgresql://", 0) != 0 &&
      dsn.rfind("postgres://", 0) != 0) {
    return std::nullopt;
  }
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(dsn.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string message = error ? RedactParseError(error) : "out of memory";
    if (error) PQfreemem(error);
    return "not a valid libpq connection string or URI: " + message;
  }
  static const std::set<std::string> kIntegers = {"connect_timeout",  "keepalives",
                                                  "keepalives_idle",  "keepalives_interval",
                                                  "keepalives_count", "tcp_user_timeout"};
  static const std::set<std::string> kSslModes = {"disable", "allow",     "prefer",
                                                  "require", "verify-ca", "verify-full"};
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    const std::string key = o->keyword, value = o->val;
    if (key == "port" && !IntegerList(value, 1, 65535)) {
      return "port: expected a port number (1 to 65535, one per host), got \"" + value + "\"";
    }
    if (kIntegers.count(key) && !IntegerList(value, 0, 2147483647)) {
      return key + ": expected a whole number, got \"" + value + "\"";
    }
    if (key == "sslmode" && !kSslModes.count(value)) {
      return "sslmode: expected one of disable, allow, prefer, require, verify-ca, verify-full; "
             "got \"" +
             value + "\"";
    }
  }
  return std::nullopt;
}

std::string DefaultObjectName(const std::string& pipeline_name) {
  std::string out = "cdcd_";
  for (char c : pipeline_name) {
    unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  return out.substr(0, 63);
}

bool TableMatches(const std::string& pattern, const std::string& qualified) {
  std::string p = pattern.find('.') == std::string::npos ? "public." + pattern : pattern;
  return GlobMatch(p, qualified);
}

PostgresSourceOptions ParsePostgresSourceOptions(const ConfigNode& config,
                                                 const std::string& pipeline_name) {
  PostgresSourceOptions o;
  config.mark_used("type");
  o.pipeline = pipeline_name;
  o.dsn = config.get_secret("dsn");
  if (o.dsn.empty()) {
    if (!config.has("dsn")) config.fail("missing required key 'dsn' (or dsn_file)");
    config.child("dsn").fail("must not be empty");
  }
  if (std::optional<std::string> problem = DsnProblem(o.dsn)) {
    config.child(config.has("dsn") ? "dsn" : "dsn_file").fail(*problem);
  }
  o.tables = config.get_string_list("tables");
  o.exclude_tables = config.get_string_list("exclude_tables");
  o.slot = config.get_string("slot", DefaultObjectName(pipeline_name));
  if (!ValidSlotName(o.slot)) {
    config.child("slot").fail("a replication slot name has 1 to 63 characters of [a-z0-9_]");
  }
  o.publication = config.get_string("publication", DefaultObjectName(pipeline_name));
  if (o.publication.empty() || o.publication.size() > 63) {
    config.child("publication").fail("must have 1 to 63 characters");
  }
  o.snapshot = ParseSnapshotSettings(config);
  o.signal_table = config.get_string("signal_table", o.signal_table);
  o.heartbeat_interval = config.get_duration("heartbeat_interval", o.heartbeat_interval);
  if (o.heartbeat_interval.count() < 0) config.child("heartbeat_interval").fail("must be >= 0");
  o.status_interval = config.get_duration("status_interval", o.status_interval);
  if (o.status_interval.count() <= 0) config.child("status_interval").fail("must be > 0");
  o.slot_busy_timeout = config.get_duration("slot_busy_timeout", o.slot_busy_timeout);
  if (o.slot_busy_timeout.count() < 0) config.child("slot_busy_timeout").fail("must be >= 0");
  o.drop_slot_on_stop = config.get_bool("drop_slot_on_stop", false);
  if (config.has("toast_placeholder")) {
    config.child("toast_placeholder")
        .fail(
            "moved to the pipeline's format: `format: {toast_placeholder: ...}` (and "
            "`unchanged_toast: omit` to leave unchanged values out instead)");
  }
  config.reject_unknown_keys();
  return o;
}

}  // namespace cdc::pg
