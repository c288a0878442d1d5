#include "sources/mysql/mysql_options.h"

#include <algorithm>
#include <functional>

#include "cdc/table_pattern.h"

namespace cdc::mysql {

bool IsSystemDatabase(const std::string& db) {
  return db == "mysql" || db == "sys" || db == "information_schema" || db == "performance_schema";
}

uint32_t XaReplayServerId(uint32_t server_id) {
  const uint32_t flipped = server_id ^ 0x80000000u;
  return flipped != 0 ? flipped : 0x80000001u;
}

bool TableCaptured(const MySqlSourceOptions& o, const std::string& database,
                   const std::string& table) {
  if (IsSystemDatabase(database) || IsSignalTable(o, database, table)) return false;
  return TableSelected(o.tables, o.exclude_tables, database + "." + table);
}

bool IsSignalTable(const MySqlSourceOptions& o, const std::string& database,
                   const std::string& table) {
  return !o.signal_table.empty() && o.signal_table == database + "." + table;
}

bool TableNamed(const MySqlSourceOptions& o, const std::string& database,
                const std::string& table) {
  const std::string qualified = database + "." + table;
  return TableCaptured(o, database, table) &&
         std::any_of(o.tables.begin(), o.tables.end(), [&](const std::string& pattern) {
           return pattern.find('*') == std::string::npos && GlobMatch(pattern, qualified);
         });
}

bool TableStreamed(const MySqlSourceOptions& o, const std::string& database,
                   const std::string& table) {
  return TableCaptured(o, database, table) || IsSignalTable(o, database, table);
}

// cdcd_signal in the database of the first `tables` pattern, when that names
// one database; "" (no signal table) otherwise.
std::string DefaultSignalTable(const std::vector<std::string>& tables) {
  if (tables.empty()) return "";
  const std::string& first = tables.front();
  const std::string db = first.substr(0, first.find('.'));
  if (db.empty() || db.find('*') != std::string::npos) return "";
  return db + ".cdcd_signal";
}

MySqlSourceOptions ParseMySqlSourceOptions(const ConfigNode& config,
                                           const std::string& pipeline_name) {
  MySqlSourceOptions o;
  config.mark_used("type");
  o.pipeline = pipeline_name;
  o.connect.host = config.get_string("host", "127.0.0.1");
  const int64_t port = config.get_int("port", 3306);
  if (port < 1 || port > 65535) config.child("port").fail("must be between 1 and 65535");
  o.connect.port = static_cast<uint16_t>(port);
  o.connect.user = config.get_string("user");
  if (o.connect.user.empty()) config.child("user").fail("must not be empty");
  o.connect.password = config.get_secret("password");
  o.connect.ssl_mode = config.get_choice(
      "ssl_mode", {"disabled", "preferred", "required", "verify_ca", "verify_identity"},
      "preferred");
  o.connect.ssl_ca = config.get_string("ssl_ca", "");
  const bool verifying =
      o.connect.ssl_mode == "verify_ca" || o.connect.ssl_mode == "verify_identity";
  if (verifying && o.connect.ssl_ca.empty()) {
    config.child("ssl_mode").fail("verify_ca and verify_identity need `ssl_ca`");
  }
  // A stable default, so restarts register as the same replica.
  const uint32_t derived =
      1000000000u + static_cast<uint32_t>(std::hash<std::string>{}(pipeline_name) % 1000000000u);
  const int64_t server_id = config.get_int("server_id", derived);
  if (server_id < 1 || server_id > 4294967295LL) {
    config.child("server_id").fail("must be between 1 and 4294967295");
  }
  o.server_id = static_cast<uint32_t>(server_id);
  o.tables = config.get_string_list("tables");
  o.exclude_tables = config.get_string_list("exclude_tables");
  for (const char* key : {"tables", "exclude_tables"}) {
    if (!config.has(key)) continue;
    const ConfigNode list = config.child(key);
    std::vector<ConfigNode> items = list.is_sequence() ? list.items() : std::vector{list};
    for (const ConfigNode& item : items) {
      if (item.scalar().find('.') == std::string::npos) {
        item.fail("a table pattern is \"database.table\" ('*' matches any run of characters)");
      }
    }
  }
  o.snapshot = ParseSnapshotSettings(config);
  o.signal_table = config.get_string("signal_table", DefaultSignalTable(o.tables));
  o.signal_table_off = config.has("signal_table") && o.signal_table.empty();
  if (!o.signal_table.empty() && o.signal_table.find('.') == std::string::npos) {
    config.child("signal_table").fail("a signal table is \"database.table\"");
  }
  o.heartbeat_interval = config.get_duration("heartbeat_interval", o.heartbeat_interval);
  if (o.heartbeat_interval.count() < 1000 && o.heartbeat_interval.count() != 0) {
    config.child("heartbeat_interval").fail("must be at least 1s (or 0 to disable)");
  }
  o.zero_dates = config.get_choice("zero_dates", {"null", "string"}, "null") == "string"
                     ? ZeroDatePolicy::kString
                     : ZeroDatePolicy::kNull;
  const std::string by = config.get_choice("resume_by", {"auto", "gtid", "position"}, "auto");
  o.resume_by = by == "gtid"       ? ResumeBy::kGtid
                : by == "position" ? ResumeBy::kPosition
                                   : ResumeBy::kAuto;
  config.reject_unknown_keys();
  return o;
}

}  // namespace cdc::mysql
