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

}  // namespace

std::string DebeziumIncludeList(const std::vector<std::string>& tables) {
  std::string out;
  for (const std::string& t : tables) {
    if (!out.empty()) out += ",";
    for (char c : t) out += c == '.' ? std::string("\\\\.") : std::string(1, c);
  }
  return out;
}

std::string DebeziumOffsetProperties(const std::string& dir) {
  return "offset.storage=org.apache.kafka.connect.storage.FileOffsetBackingStore\n"
         "offset.storage.file.filename=" +
         dir + "/offsets.dat\noffset.flush.interval.ms=0\n";
}

std::string Quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string CdcdSinkAndFormat(const CaptureSide& side, const std::string& out) {
  return "    sink: {type: file, path: " + Quoted(out) +
         // No heartbeat records: Debezium publishes none by default
         // (heartbeat.interval.ms 0), and an idle stream makes cdcd's.
         ", fsync: false, schema_changes_topic: \"\", heartbeat_topic: \"\"}\n"
         "    format: {envelope: debezium, schemas: " +
         std::string(side.schemas ? "true" : "false") +
         ", tombstones: true}\n    batch: {linger: 5ms}\n";
}

DebeziumCapture::DebeziumCapture(const std::string& properties, bool schemas,
                                 const std::string& dir, std::chrono::milliseconds idle,
                                 const std::string& pom)
    : out_(dir + "/records.jsonl"), log_(dir + "/debezium.log"), ready_(dir + "/ready") {
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/connector.properties", properties);
  // A small heap is plenty, and two of them run at once; the caller's own wins.
  setenv("CDCD_DBZ_JAVA_OPTS", "-Xmx384m", 0);
  std::vector<std::string> argv = {"/usr/bin/env"};
  if (!pom.empty()) argv.push_back("CDCD_DBZ_POM=" + pom);
  for (const std::string& a :
       {SourcePath("tests/conformance/debezium/run.sh").string(), std::string("capture"),
        std::string("--props"), dir + "/connector.properties", std::string("--out"), out_,
        std::string("--schemas"), std::string(schemas ? "true" : "false"), std::string("--idle-ms"),
        std::to_string(idle.count()), std::string("--ready-file"), ready_}) {
    argv.push_back(a);
  }
  process_ = std::make_unique<ChildProcess>(argv, log_);
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

CdcdCapture::CdcdCapture(const std::string& pipelines, const std::string& dir)
    : dir_(dir), log_(dir + "/cdcd.log") {
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/pipelines.yaml",
            "pipelines:\n" + pipelines + "http: {enabled: false}\nlog: {level: info}\n");
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
