// The per-table cache behind the formats: reuse, invalidation, bounds and
// concurrent use.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cdc/format/debezium_format.h"
#include "tests/cdc/format/format_test_support.h"
#include "tests/cdc/format/sample_tables.h"

namespace cdc::testing::fmt {
namespace {

ChangeEvent EventOn(TableSchemaPtr t, int64_t id) {
  return MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt,
                   RowOf({Value(id), Value("n"), Value("l"), Value("e")}));
}

TEST(SchemaCache, ReusesOneEntryPerTableVersion) {
  format::DebeziumFormat f(Options());
  TableSchemaPtr t = DocCustomers();
  std::string first = f.value(EventOn(t, 1));
  EXPECT_EQ(f.value(EventOn(t, 1)), first);
  f.key(EventOn(t, 2));
  EXPECT_EQ(f.cached_tables(), 1u);
  f.value(EventOn(DocCustomers(), 1));  // a new version (another object)
  EXPECT_EQ(f.cached_tables(), 2u);
}

TEST(SchemaCache, RebuildsWhenTheSourceShapeDiffers) {
  format::DebeziumFormat f(Options());
  TableSchemaPtr t = DocCustomers();
  ChangeEvent a = EventOn(t, 1);
  ChangeEvent b = EventOn(t, 1);
  b.source.server_name = "other";
  b.source.fields.pop_back();
  OJson va = ParseRecord(f.value(a));
  OJson vb = ParseRecord(f.value(b));
  EXPECT_EQ(va["schema"]["name"], "PostgreSQL_server.public.customers.Envelope");
  EXPECT_EQ(vb["schema"]["name"], "other.public.customers.Envelope");
  EXPECT_EQ(vb["schema"]["fields"][2]["fields"].size(), 15u);  // origin_lsn gone
  EXPECT_EQ(ParseRecord(f.value(a)), va);
}

// The source block's cached parts name the table the entry was built for:
// an event whose source names another table (a renamed table's events
// carrying the old schema) shows its own.
TEST(SchemaCache, SourceBlockNamesTheEventsOwnTable) {
  format::DebeziumFormat f(Options());
  TableSchemaPtr t = DocCustomers();
  ChangeEvent a = EventOn(t, 1);
  ChangeEvent b = EventOn(t, 2);
  b.source.table = TableId{"otherdb", "archive", "old_customers"};
  OJson sa = ParseRecord(f.value(a))["payload"]["source"];
  OJson sb = ParseRecord(f.value(b))["payload"]["source"];
  EXPECT_EQ(sa["db"], a.source.table.database);
  EXPECT_EQ(sa["table"], "customers");
  EXPECT_EQ(sb["db"], "otherdb");
  EXPECT_EQ(sb["schema"], "archive");
  EXPECT_EQ(sb["table"], "old_customers");
  EXPECT_EQ(Keys(sa), Keys(sb));
}

TEST(SchemaCache, StaysBounded) {
  format::DebeziumFormat f(Options(FormatOptions::Envelope::kDebezium, false));
  std::vector<TableSchemaPtr> tables;
  for (int i = 0; i < 4100; ++i) tables.push_back(DocCustomers());
  for (const auto& t : tables) f.value(EventOn(t, 1));
  EXPECT_LE(f.cached_tables(), 4096u);
  EXPECT_GE(f.cached_tables(), 1u);
}

TEST(SchemaCache, ConcurrentRenderingMatchesSerial) {
  auto format = MakeFormat(Options());
  std::vector<TableSchemaPtr> tables = {DocCustomers(), DocCustomers(), DocCustomers()};
  std::vector<std::string> expected;
  for (size_t i = 0; i < tables.size(); ++i) {
    auto serial = MakeFormat(Options());
    expected.push_back(serial->value(EventOn(tables[i], static_cast<int64_t>(i))));
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int n = 0; n < 3000; ++n) {
        size_t i = static_cast<size_t>(n + th) % tables.size();
        if (format->value(EventOn(tables[i], static_cast<int64_t>(i))) != expected[i]) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace cdc::testing::fmt
