// Signals read from signal-table changes, and the snapshot settings (both
// config forms, key_columns).
#include "cdc/snapshot_signal.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "cdc/config_node.h"
#include "cdc/error.h"
#include "cdc/snapshot_mode.h"

namespace cdc {
namespace {

ChangeEvent SignalEvent(Op op, const std::string& id, const std::string& type,
                        const std::string& data) {
  auto col = [](const char* name) {
    Column c;
    c.name = name;
    c.type = ColumnType::kString;
    return c;
  };
  ChangeEvent ev;
  ev.op = op;
  ev.schema = std::make_shared<const TableSchema>(
      TableId{"db", "public", "cdcd_signal"}, 1,
      std::vector<Column>{col("id"), col("type"), col("data")}, std::vector<size_t>{0});
  Row row{{Value(id), Value(type), data.empty() ? Value() : Value(data)}, {}};
  if (op == Op::kDelete) {
    ev.before = row;
  } else {
    ev.after = row;
  }
  return ev;
}

TEST(SnapshotSignalTest, ReadsDebeziumAndCdcdExecuteSignals) {
  std::optional<SnapshotSignal> s = ReadSignal(
      SignalEvent(Op::kCreate, "s1", "execute-snapshot",
                  R"({"data-collections": ["public.a", "public.b"], "type": "incremental",
          "additional-conditions": [{"data-collection": "public.a", "filter": "x > 1"}]})"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, SnapshotSignal::Kind::kExecute);
  EXPECT_EQ(s->id, "s1");
  EXPECT_EQ(s->tables, (std::vector<std::string>{"public.a", "public.b"}));
  EXPECT_EQ(s->filters.at("public.a"), "x > 1");
  EXPECT_EQ(s->filters.count("public.b"), 0u);
  EXPECT_EQ(s->error, "");

  s = ReadSignal(SignalEvent(Op::kCreate, "s2", "execute-snapshot",
                             R"({"tables": ["t"], "where": "id < 5", "pipeline": "shop"})"));
  EXPECT_EQ(s->tables, std::vector<std::string>{"t"});
  EXPECT_EQ(s->filters.at("t"), "id < 5");
  EXPECT_EQ(s->pipeline, "shop");

  // What cdcd writes reads back.
  s = ReadSignal(SignalEvent(Op::kUpdate, "s3", "execute-snapshot",
                             ExecuteSnapshotData({"public.a"}, "v = 'x'", "p")));
  EXPECT_EQ(s->tables, std::vector<std::string>{"public.a"});
  EXPECT_EQ(s->filters.at("public.a"), "v = 'x'");
  EXPECT_EQ(s->pipeline, "p");
}

TEST(SnapshotSignalTest, StopWatermarksAndBadData) {
  std::optional<SnapshotSignal> s = ReadSignal(SignalEvent(Op::kCreate, "x", "stop-snapshot", ""));
  EXPECT_EQ(s->kind, SnapshotSignal::Kind::kStop);
  EXPECT_TRUE(s->tables.empty());
  s = ReadSignal(SignalEvent(Op::kUpdate, "p-watermark", "snapshot-window-close", "c-7"));
  EXPECT_EQ(s->kind, SnapshotSignal::Kind::kWindowClose);
  EXPECT_EQ(s->chunk, "c-7");
  s = ReadSignal(SignalEvent(Op::kCreate, "y", "execute-snapshot", "{oops"));
  EXPECT_EQ(s->kind, SnapshotSignal::Kind::kExecute);
  EXPECT_NE(s->error, "");
  s = ReadSignal(SignalEvent(Op::kCreate, "y", "execute-snapshot", R"({"type": "incremental"})"));
  EXPECT_NE(s->error.find("names no table"), std::string::npos) << s->error;
  s = ReadSignal(SignalEvent(Op::kCreate, "z", "log", "hello"));
  EXPECT_EQ(s->kind, SnapshotSignal::Kind::kOther);
  EXPECT_FALSE(ReadSignal(SignalEvent(Op::kDelete, "z", "execute-snapshot", "{}")));
}

SnapshotSettings Parse(const std::string& yaml) {
  ConfigNode node(YAML::Load(yaml), "test.yaml", "source");
  SnapshotSettings s = ParseSnapshotSettings(node);
  return s;
}

TEST(SnapshotSettingsTest, FlatKeysOrOneBlock) {
  SnapshotSettings flat = Parse("snapshot: always\nsnapshot_workers: 3\nsnapshot_chunk_size: 7\n");
  EXPECT_EQ(flat.mode, SnapshotMode::kAlways);
  EXPECT_EQ(flat.workers, 3);
  EXPECT_EQ(flat.chunk_size, 7);
  SnapshotSettings block = Parse(
      "snapshot:\n  mode: never\n  workers: 4\n  chunk_size: 100\n"
      "  key_columns: {\"public.events\": [event_id, seq]}\n");
  EXPECT_EQ(block.mode, SnapshotMode::kNever);
  EXPECT_EQ(block.workers, 4);
  EXPECT_EQ(block.chunk_size, 100);
  EXPECT_EQ(block.key_columns.at("public.events"), (std::vector<std::string>{"event_id", "seq"}));
  EXPECT_NE(KeyColumnsFor(block.key_columns, "public.events"), nullptr);
  EXPECT_NE(KeyColumnsFor({{"events", {"id"}}}, "public.events"), nullptr);
  EXPECT_EQ(KeyColumnsFor(block.key_columns, "public.other"), nullptr);
  EXPECT_FALSE(block.reread_keyless);
  EXPECT_FALSE(flat.reread_keyless);
  EXPECT_TRUE(Parse("snapshot: {mode: initial, keyless_tables: reread}\n").reread_keyless);
  EXPECT_FALSE(Parse("snapshot: {keyless_tables: refuse}\n").reread_keyless);
}

TEST(SnapshotSettingsTest, MistakesNameTheirLine) {
  auto error = [](const std::string& yaml) {
    try {
      Parse(yaml);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error("snapshot:\n  mode: sometimes\n").find("test.yaml:2"), std::string::npos);
  EXPECT_NE(error("snapshot:\n  mode: initial\n  chunks: 5\n").find("chunks"), std::string::npos);
  EXPECT_NE(error("snapshot: {mode: initial}\nsnapshot_workers: 2\n").find("inside the snapshot"),
            std::string::npos);
  EXPECT_NE(error("snapshot:\n  key_columns: [a]\n").find("mapping"), std::string::npos);
  EXPECT_NE(error("snapshot:\n  keyless_tables: yes\n").find("keyless_tables"), std::string::npos);
}

}  // namespace
}  // namespace cdc
