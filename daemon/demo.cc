#include "daemon/demo.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cdc/error.h"
#include "daemon/builtin_plugins.h"
#include "daemon/daemon.h"
#include "sinks/file/file_sink_reader.h"

namespace cdc {

std::string DemoConfigYaml(const std::string& dir, uint64_t events) {
  return R"(# cdcd demo: synthetic orders and customers into JSON Lines files.
pipelines:
  - name: demo
    source:
      type: generator
      tables: [orders, customers]
      key_space: 100
      transaction_size: {min: 1, max: 5}
      seed: 42
      limit: )" +
         std::to_string(events) + R"(
    sink:
      type: file
      path: ")" +
         dir + R"("
      rotate_bytes: 1MiB
    format:
      envelope: debezium
      schemas: false
      decimal_handling: string
    batch:
      max_events: 500
      linger: 20ms
http:
  enabled: false
)";
}

bool RunDemo(const std::string& dir_arg, uint64_t events) {
  std::string dir = dir_arg;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cdcd-demo.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw Error("demo: cannot create a temp dir under /tmp");
    dir = tmpl;
  }
  DaemonConfig config = LoadConfigString(DemoConfigYaml(dir, events), "<embedded demo config>");
  Daemon daemon(config, BuiltinRegistry());
  if (!daemon.run()) return false;

  std::vector<FileRecordLine> records = ReadCommittedRecords(dir);
  size_t tombstones = 0;
  for (const FileRecordLine& r : records) tombstones += r.value.is_null();
  std::printf("cdcd demo: %zu change events captured into %s (%zu records with %zu tombstones)\n",
              records.size() - tombstones, dir.c_str(), records.size(), tombstones);
  // The first lines as written (committed, since the run finished), so the
  // key order and bytes are exactly what a consumer gets.
  std::ifstream first(std::filesystem::path(dir) / "events-000001.jsonl");
  std::string line;
  std::printf("\nThe first records of events-000001.jsonl:\n");
  for (int i = 0; i < 3 && std::getline(first, line); ++i) std::printf("%s\n", line.c_str());
  std::printf("\nCommitted offset: %s\n", ReadOffsetsFile(dir).value_or(nullptr).dump().c_str());
  return true;
}

}  // namespace cdc
