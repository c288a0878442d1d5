#include "sources/mysql/mysql_source_fields.h"

namespace cdc::mysql {

std::vector<SourceField> MySqlSourceFields(const MySqlSourcePlace& at) {
  auto text_or_null = [](const std::string& s) { return s.empty() ? Value::Null() : Value(s); };
  return {
      {"server_id", ColumnType::kInt64, Value(static_cast<int64_t>(at.server_id)), false},
      {"gtid", ColumnType::kString, text_or_null(at.gtid), true},
      {"file", ColumnType::kString, Value(at.file), false},
      {"pos", ColumnType::kInt64, Value(static_cast<int64_t>(at.pos)), false},
      {"row", ColumnType::kInt32, Value(int64_t{at.row}), false},
      {"thread", ColumnType::kInt64,
       at.thread ? Value(static_cast<int64_t>(at.thread)) : Value::Null(), true},
      {"query", ColumnType::kString, Value::Null(), true},
  };
}

}  // namespace cdc::mysql
