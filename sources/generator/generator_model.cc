#include "sources/generator/generator_model.h"

#include <cstdio>

#include "cdc/error.h"

namespace cdc {
namespace {

// SplitMix64 finaliser: a cheap, well-mixed hash of several inputs.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t Hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t salt) {
  return Mix(Mix(Mix(seed ^ salt) ^ a) ^ b);
}

enum Salt : uint64_t { kSize = 1, kTable = 2, kKey = 3, kOp = 4, kValue = 5 };

const char* const kStatuses[] = {"new", "paid", "shipped", "cancelled"};

Column MakeColumn(const char* name, ColumnType type, const char* source_type, bool nullable) {
  Column c;
  c.name = name;
  c.type = type;
  c.source_type = source_type;
  c.nullable = nullable;
  return c;
}

TableSchemaPtr OrdersLikeSchema(const std::string& database, const std::string& table) {
  std::vector<Column> cols = {
      MakeColumn("id", ColumnType::kInt64, "bigint", false),
      MakeColumn("customer", ColumnType::kString, "text", false),
      MakeColumn("amount", ColumnType::kDecimal, "numeric(12,2)", false),
      MakeColumn("quantity", ColumnType::kInt32, "integer", false),
      MakeColumn("status", ColumnType::kString, "text", false),
      MakeColumn("updated_at", ColumnType::kTimestampTz, "timestamptz", false),
      MakeColumn("version", ColumnType::kInt64, "bigint", false),
      MakeColumn("note", ColumnType::kString, "text", true),
  };
  cols[2].precision = 12;
  cols[2].scale = 2;
  cols[5].precision = 6;
  return std::make_shared<const TableSchema>(TableId{database, "public", table}, 1, std::move(cols),
                                             std::vector<size_t>{0});
}

}  // namespace

GeneratorModel::GeneratorModel(GeneratorSettings settings) : s_(std::move(settings)) {
  if (s_.tables.empty()) throw ConfigError("generator: tables must not be empty");
  if (s_.tx_min == 0 || s_.tx_min > s_.tx_max) {
    throw ConfigError("generator: transaction_size needs 1 <= min <= max");
  }
  if (s_.weight_create + s_.weight_update + s_.weight_delete == 0) {
    throw ConfigError("generator: op_mix weights must not all be 0");
  }
  for (const std::string& t : s_.tables) schemas_.push_back(OrdersLikeSchema(s_.database, t));
}

uint32_t GeneratorModel::tx_size(uint64_t tx) const {
  uint32_t span = s_.tx_max - s_.tx_min + 1;
  return s_.tx_min + static_cast<uint32_t>(Hash(s_.seed, tx, 0, kSize) % span);
}

size_t GeneratorModel::table_of(uint64_t tx, uint32_t index) const {
  return Hash(s_.seed, tx, index, kTable) % s_.tables.size();
}

Row GeneratorModel::row(uint64_t key, uint64_t version, int64_t ts_us) const {
  uint64_t h = Hash(s_.seed, key, version, kValue);
  char amount[32];
  std::snprintf(amount, sizeof amount, "%llu.%02llu", static_cast<unsigned long long>(h % 100000),
                static_cast<unsigned long long>((h >> 20) % 100));
  Row r;
  r.values = {Value(static_cast<int64_t>(key)),
              Value("customer-" + std::to_string(key % 97)),
              Value(Decimal{amount}),
              Value(static_cast<int64_t>((h >> 8) % 50 + 1)),
              Value(kStatuses[(h >> 40) % 4]),
              Value(TimestampTz{ts_us}),
              Value(static_cast<int64_t>(version)),
              (h >> 50) % 5 == 0 ? Value::Null() : Value("note " + std::to_string(h % 1000))};
  return r;
}

ChangeEvent GeneratorModel::event(uint64_t tx, uint32_t index, uint64_t seq,
                                  uint64_t table_order) const {
  const size_t table = table_of(tx, index);
  const uint64_t key = 1 + Hash(s_.seed, tx, index, kKey) % s_.key_space;
  const uint64_t pick =
      Hash(s_.seed, tx, index, kOp) % (s_.weight_create + s_.weight_update + s_.weight_delete);
  const int64_t commit_us = s_.start_time_us + static_cast<int64_t>(tx) * 1000;

  ChangeEvent ev;
  ev.id = "gen-" + std::to_string(tx) + "-" + std::to_string(index);
  ev.schema = schemas_[table];
  ev.source.connector = "generator";
  ev.source.server_name = s_.server_name;
  ev.source.table = ev.schema->id();
  ev.source.commit_ts_us = commit_us;
  ev.source.tx_id = std::to_string(tx);
  ev.source.fields = {{"seq", ColumnType::kInt64, Value(static_cast<int64_t>(seq))}};
  ev.tx = TxInfo{std::to_string(tx), index + 1ull, table_order};
  if (pick < s_.weight_create) {
    ev.op = Op::kCreate;
    ev.after = row(key, tx, commit_us);
  } else if (pick < s_.weight_create + s_.weight_update) {
    ev.op = Op::kUpdate;
    ev.before = row(key, tx - 1, commit_us - 1000);
    ev.after = row(key, tx, commit_us);
  } else {
    ev.op = Op::kDelete;
    ev.before = row(key, tx - 1, commit_us - 1000);
  }
  const bool last = index + 1 == tx_size(tx);
  ev.next =
      Offset{std::to_string(last ? tx + 1 : tx), last ? 0 : index + 1ull, nlohmann::json(seq + 1)};
  return ev;
}

}  // namespace cdc
