#include "tests/support/test_support.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace cdc::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "cdcd-test.XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + p.string());
  out << content;
}

TableSchemaPtr CustomersSchema() {
  std::vector<Column> cols(3);
  cols[0].name = "id";
  cols[0].type = ColumnType::kInt32;
  cols[0].source_type = "int4";
  cols[0].nullable = false;
  cols[1].name = "name";
  cols[1].type = ColumnType::kString;
  cols[1].source_type = "text";
  cols[1].nullable = false;
  cols[2].name = "score";
  cols[2].type = ColumnType::kDecimal;
  cols[2].source_type = "numeric(10,2)";
  cols[2].precision = 10;
  cols[2].scale = 2;
  return std::make_shared<const TableSchema>(TableId{"inventory", "public", "customers"}, 1,
                                             std::move(cols), std::vector<size_t>{0});
}

ChangeEvent CustomerEvent(Op op, int32_t id, const std::string& name, uint64_t tx, uint64_t index) {
  ChangeEvent ev;
  ev.id = "tx-" + std::to_string(tx) + ":" + std::to_string(index);
  ev.op = op;
  ev.schema = CustomersSchema();
  ev.source.connector = "test";
  ev.source.server_name = "test";
  ev.source.table = ev.schema->id();
  ev.source.commit_ts_us = 1'700'000'000'000'000 + static_cast<int64_t>(tx) * 1000;
  ev.source.tx_id = std::to_string(tx);
  ev.capture_ts_us = ev.source.commit_ts_us + 5000;
  Row row{{Value(int64_t{id}), Value(name), Value(Decimal{"12.50"})}, {}};
  if (op != Op::kDelete) ev.after = row;
  if (op == Op::kUpdate || op == Op::kDelete) ev.before = row;
  ev.next = Offset{"tx-" + std::to_string(tx), index + 1, nullptr};
  return ev;
}

bool CollectingEmitter::emit(ChangeEvent&& ev) {
  if (resolve_offsets) ev.next.resolve();
  events.push_back(std::move(ev));
  return true;
}

Emitter::Result CollectingEmitter::try_emit_for(ChangeEvent& ev, std::chrono::milliseconds) {
  emit(std::move(ev));
  return Result::kEmitted;
}

std::optional<std::string> ServiceEnv(const std::string& service, const std::string& key) {
  const char* dir = std::getenv("CDCD_TEST_SERVICES_DIR");
  if (!dir) return std::nullopt;
  std::ifstream in(fs::path(dir) / (service + ".env"));
  if (!in) return std::nullopt;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || line.compare(0, eq, key) != 0 || eq != key.size()) continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  }
  return std::nullopt;
}

bool ServicesRequired() {
  const char* v = std::getenv("CDCD_REQUIRE_SERVICES");
  return v && *v && std::string(v) != "0";
}

fs::path SourcePath(const std::string& relative) {
  return fs::path(CDCD_SOURCE_DIR) / relative;
}
fs::path BinaryPath(const std::string& relative) {
  return fs::path(CDCD_BINARY_DIR) / relative;
}

}  // namespace cdc::testing
