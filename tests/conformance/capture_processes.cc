#include "tests/conformance/capture_processes.h"

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/support/shell.h"
#include "tests/support/test_support.h"

namespace cdc::testing {
namespace {

std::string Tail(const std::string& path, size_t bytes = 4000) {
  if (!std::filesystem::exists(path)) return "(no " + path + ")";
  const std::string text = ReadFile(path);
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

// Debezium's table.include.list: anchored regular expressions, the dots
// escaped (written "\\." in a .properties file, which unescapes it once).
std::string IncludeList(const std::vector<std::string>& tables) {
  std::string out;
  for (const std::string& t : tables) {
    if (!out.empty()) out += ",";
    for (char c : t) out += c == '.' ? std::string("\\\\.") : std::string(1, c);
  }
  return out;
}

// Debezium's settings, defaults except where noted.
std::string DebeziumProperties(const PgServer& pg, const CaptureSide& side,
                               const std::vector<std::string>& tables, const std::string& dir) {
  return "connector.class=io.debezium.connector.postgresql.PostgresConnector\n"
         "database.hostname=" +
         pg.host + "\ndatabase.port=" + pg.port + "\ndatabase.user=" + pg.user +
         "\ndatabase.password=\ndatabase.dbname=" + pg.dbname + "\ntopic.prefix=" + side.prefix +
         "\nplugin.name=pgoutput\nslot.name=" + side.debezium_slot +
         "\npublication.name=" + side.debezium_slot +
         "\npublication.autocreate.mode=filtered\ntable.include.list=" + IncludeList(tables) +
         "\nsnapshot.mode=initial\n"
         // Debezium skips truncates by default ("t"); cdcd publishes them: compare them too.
         "skipped.operations=none\n"
         // Kafka's JsonConverter writes a column's default in place of an
         // actual NULL unless told not to; cdcd writes the NULL
         // (docs/debezium-compatibility.md, "NULL in a column with a default").
         "value.converter.replace.null.with.default=false\n"
         "offset.storage=org.apache.kafka.connect.storage.FileOffsetBackingStore\n"
         "offset.storage.file.filename=" +
         dir + "/offsets.dat\noffset.flush.interval.ms=0\n";
}

std::string Quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// One pipeline: the source and format as a user would write them; heartbeats
// and schema-change records off (Debezium's PostgreSQL connector has neither
// by default, and cdcd's heartbeat messages would reach Debezium's slot).
std::string CdcdPipeline(const PgServer& pg, const CaptureSide& side,
                         const std::vector<std::string>& tables, const std::string& out) {
  std::string list;
  for (const std::string& t : tables) list += (list.empty() ? "" : ", ") + Quoted(t);
  const std::string s = side.schemas ? "true" : "false";
  return "  - name: " + side.prefix +
         "\n    source:\n      type: postgres\n      dsn: " + Quoted(pg.dsn) + "\n      tables: [" +
         list + "]\n      slot: " + side.cdcd_slot + "\n      publication: " + side.cdcd_slot +
         "\n      signal_table: public.signal_" + side.prefix +
         // One table after the other, in the order listed: Debezium's
         // snapshot.max.threads=1, so the first and last marks fall on the same rows.
         "\n      snapshot: {mode: initial, workers: 1}\n      heartbeat_interval: 0s\n"
         "      status_interval: 500ms\n"
         "    sink: {type: file, path: " +
         Quoted(out) +
         ", fsync: false, schema_changes_topic: \"\"}\n"
         "    format: {envelope: debezium, schemas: " +
         s + ", tombstones: true}\n    batch: {linger: 5ms}\n";
}

}  // namespace

DebeziumCapture::DebeziumCapture(const PgServer& pg, const CaptureSide& side,
                                 const std::vector<std::string>& tables, const std::string& dir,
                                 std::chrono::milliseconds idle)
    : out_(dir + "/records.jsonl"), log_(dir + "/debezium.log"), ready_(dir + "/ready") {
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/pg.properties", DebeziumProperties(pg, side, tables, dir));
  // A small heap is plenty, and two of them run at once; the caller's own wins.
  setenv("CDCD_DBZ_JAVA_OPTS", "-Xmx384m", 0);
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{SourcePath("tests/conformance/debezium/run.sh").string(), "capture",
                               "--props", dir + "/pg.properties", "--out", out_, "--schemas",
                               side.schemas ? "true" : "false", "--idle-ms",
                               std::to_string(idle.count()), "--ready-file", ready_},
      log_);
}

bool DebeziumCapture::ready() const {
  return std::filesystem::exists(ready_);
}

bool DebeziumCapture::exited(int& status) {
  return process_->wait_for(std::chrono::milliseconds(1), status);
}

bool DebeziumCapture::has_topic(const std::string& topic) const {
  std::ifstream in(out_);
  const std::string needle = "{\"topic\":\"" + topic + "\"";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(needle, 0) == 0) return true;
  }
  return false;
}

std::string DebeziumCapture::log_tail() const {
  return "Debezium log " + log_ + ":\n" + Tail(log_);
}

CdcdCapture::CdcdCapture(const PgServer& pg, const std::vector<CaptureSide>& sides,
                         const std::vector<std::string>& tables, const std::string& dir)
    : dir_(dir), log_(dir + "/cdcd.log") {
  std::filesystem::create_directories(dir);
  std::string yaml = "pipelines:\n";
  for (const CaptureSide& side : sides) yaml += CdcdPipeline(pg, side, tables, out(side));
  yaml += "http: {enabled: false}\nlog: {level: info}\n";
  WriteFile(dir + "/pipelines.yaml", yaml);
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{CDCD_BINARY, "run", "--config", dir + "/pipelines.yaml"}, log_);
}

bool CdcdCapture::exited(int& status) {
  return process_->wait_for(std::chrono::milliseconds(1), status);
}

int CdcdCapture::stop(std::chrono::seconds timeout) {
  process_->signal(SIGTERM);
  int status = -1;
  return process_->wait_for(timeout, status) ? status : -1;
}

std::string CdcdCapture::log_tail() const {
  return "cdcd log " + log_ + ":\n" + Tail(log_);
}

bool JavaToolsAvailable() {
  std::string out;
  return Shell("command -v java && command -v javac && command -v mvn", out) == 0;
}

}  // namespace cdc::testing
