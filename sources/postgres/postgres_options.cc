#include "sources/postgres/postgres_options.h"

#include <cctype>

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

bool Glob(const char* p, const char* s) {
  // Iterative '*' matching with backtracking to the last star.
  const char* star = nullptr;
  const char* resume = nullptr;
  while (*s) {
    if (*p == '*') {
      star = p++;
      resume = s;
    } else if (*p == *s) {
      ++p;
      ++s;
    } else if (star) {
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (*p == '*') ++p;
  return *p == '\0';
}

}  // namespace

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
  return Glob(p.c_str(), qualified.c_str());
}

PostgresSourceOptions ParsePostgresSourceOptions(const ConfigNode& config,
                                                 const std::string& pipeline_name) {
  PostgresSourceOptions o;
  config.mark_used("type");
  o.pipeline = pipeline_name;
  o.dsn = config.get_string("dsn");
  if (o.dsn.empty()) config.child("dsn").fail("must not be empty");
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
