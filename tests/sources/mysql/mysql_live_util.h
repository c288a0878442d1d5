// Helpers of the live MySQL source tests (header-only): a session with
// pinned settings, capturing a source's events up to a marker row, and
// exact comparisons of rows and column schemas.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "sources/mysql/mysql_source.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/source_runner.h"

namespace cdc::mysql::testing {

using namespace std::chrono_literals;
using ::cdc::testing::RunningSource;
using ::cdc::testing::WatchedEmitter;

// The marker table: its insert, written last, tells that everything before
// it was delivered, so the counts below are exact.
constexpr const char* kMarker = "zz_end";

// One connection for several statements, so that session settings
// (time_zone, sql_mode) hold for all of them.
class Session {
 public:
  Session(const MySqlConnectOptions& server, const std::string& db) : c_(server, "test session") {
    c_.query("USE " + db, "USE");
    c_.query("SET time_zone = '+00:00'", "time_zone");
  }
  void sql(const std::string& statement) { c_.query(statement, statement); }

 private:
  MySqlConnection c_;
};

inline void CreateMarker(const TestSchema& db) {
  db.sql(std::string("CREATE TABLE ") + kMarker + " (id INT AUTO_INCREMENT PRIMARY KEY)");
}

// Runs a source from `from` (none: a first start, which snapshots unless
// the options say never) until a marker row arrives; returns the data
// events before it (a second Capture from the same offset stops at the
// first marker: the rows under test are all before it).
inline std::vector<ChangeEvent> Capture(const TestSchema& db, const MySqlSourceOptions& opts,
                                        const std::optional<Offset>& from) {
  db.sql(std::string("INSERT INTO ") + kMarker + " VALUES ()");
  MySqlSource source(opts);
  WatchedEmitter out;
  RunningSource run(source, from, out);
  auto marker_seen = [](const std::vector<ChangeEvent>& evs) {
    for (const ChangeEvent& e : evs) {
      if (e.schema && e.schema->id().table == kMarker) return true;
    }
    return false;
  };
  bool done = false;
  // Up to 60 s, but no longer than the source runs: a failed run ends it.
  for (int i = 0; i < 60 && !done && run.error().empty(); ++i) done = out.wait(marker_seen, 1s);
  EXPECT_TRUE(done) << "the marker row never arrived: " << run.error();
  EXPECT_EQ(run.error(), "");
  run.stop();
  std::vector<ChangeEvent> data;
  for (ChangeEvent& e : out.data()) {
    if (e.schema->id().table != kMarker) data.push_back(std::move(e));
  }
  return data;
}

inline std::vector<Op> Ops(const std::vector<ChangeEvent>& evs) {
  std::vector<Op> ops;
  for (const ChangeEvent& e : evs) ops.push_back(e.op);
  return ops;
}

// Compares a row image value by value, printing Values readably.
inline void ExpectRow(const std::optional<cdc::Row>& row, const std::vector<Value>& want,
                      const std::string& label) {
  ASSERT_TRUE(row.has_value()) << label;
  ASSERT_EQ(row->values.size(), want.size()) << label;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(row->values[i] == want[i])
        << label << " column " << i << ": got " << row->values[i].debug_string() << ", want "
        << want[i].debug_string();
  }
}

struct ColumnWant {
  std::string name;
  ColumnType type;
  std::string source_type;
};

inline void ExpectColumns(const TableSchemaPtr& schema, const std::vector<ColumnWant>& want,
                          const std::vector<size_t>& key) {
  ASSERT_NE(schema, nullptr);
  ASSERT_EQ(schema->columns().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const Column& c = schema->columns()[i];
    EXPECT_EQ(c.name, want[i].name) << i;
    EXPECT_EQ(ColumnTypeName(c.type), std::string(ColumnTypeName(want[i].type))) << c.name;
    EXPECT_EQ(c.source_type, want[i].source_type) << c.name;
  }
  EXPECT_EQ(schema->key_columns(), key);
}

// clang-format off
inline Value I(int64_t v) { return Value(v); }
inline Value Str(const std::string& s) { return Value(s); }
inline Value Raw(const std::string& s) { return Value(Bytes{s}); }
inline Value Dec(const std::string& s) { return Value(Decimal{s}); }
// clang-format on
inline const Value kNull = Value::Null();

}  // namespace cdc::mysql::testing
