#include "cdc/value.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <optional>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/error.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

TEST(ValueTest, HoldsEachKindExactly) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_EQ(Value(true).as<bool>(), true);
  EXPECT_EQ(Value(int64_t{-9223372036854775807 - 1}).as<int64_t>(), INT64_MIN);
  EXPECT_EQ(Value(uint64_t{18446744073709551615u}).as<uint64_t>(), UINT64_MAX);
  EXPECT_EQ(Value(Decimal{"-12345678901234567890.000000001"}).as<Decimal>().text,
            "-12345678901234567890.000000001");
  EXPECT_EQ(Value("héllo").as<std::string>(), "héllo");
  EXPECT_EQ(Value(Bytes{std::string("\0\xff", 2)}).as<Bytes>().data.size(), 2u);
  EXPECT_EQ(Value(Timestamp{kInfinityMicros}).as<Timestamp>().micros, INT64_MAX);
  EXPECT_EQ(Value(Time{-3020399000000}).as<Time>().micros, -3020399000000);  // MySQL -838:59:59
  EXPECT_EQ(Value(Interval{14, 3, 1}).as<Interval>(), (Interval{14, 3, 1}));
  // int is int64, never bool or double.
  EXPECT_TRUE(Value(7).is<int64_t>());
}

TEST(ValueTest, ArraysCompareByContent) {
  Value a = Value::ArrayOf({Value(1), Value::Null(), Value::ArrayOf({Value("x")})});
  Value b = Value::ArrayOf({Value(1), Value::Null(), Value::ArrayOf({Value("x")})});
  Value c = Value::ArrayOf({Value(1)});
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_EQ(a.debug_string(), "[1,null,['x']]");
}

TEST(ValueTest, DifferentKindsWithTheSameNumberDiffer) {
  EXPECT_FALSE(Value(int64_t{1}) == Value(uint64_t{1}));
  EXPECT_FALSE(Value(Date{1}) == Value(int64_t{1}));
  EXPECT_FALSE(Value(Json{"\"a\""}) == Value("\"a\""));
}

TEST(ValueTest, HeapBytesKnowsTheInlineBuffer) {
  EXPECT_EQ(std::string().capacity(), 15u);  // HeapBytes assumes libstdc++'s
  EXPECT_EQ(HeapBytes(std::string(15, 'x')), 0u);
  EXPECT_EQ(HeapBytes(std::string(16, 'x')), MallocBytes(std::string(16, 'x').capacity() + 1));
  EXPECT_EQ(Value(std::string(100, 'x')).approx_bytes(),
            sizeof(Value) + Value(std::string(100, 'x')).heap_bytes());
}

TEST(ValueTest, ApproxBytesGrowsWithPayload) {
  EXPECT_GT(Value(std::string(1000, 'x')).approx_bytes(), 1000u);
  EXPECT_GT(
      Value::ArrayOf({Value(std::string(500, 'x')), Value(std::string(500, 'y'))}).approx_bytes(),
      1000u);
}

// The memory `n` copies of `proto` take, per copy, as glibc counts it (nullopt
// when the allocator keeps no statistics, as a sanitizer's does not).
std::optional<double> BytesPerCopy(const ChangeEvent& proto, size_t n) {
  std::vector<ChangeEvent> copies;
  copies.reserve(n);
  const struct mallinfo2 before = mallinfo2();
  for (size_t i = 0; i < n; ++i) copies.push_back(proto);
  const struct mallinfo2 after = mallinfo2();
  const double used = static_cast<double>(after.uordblks + after.hblkhd) -
                      static_cast<double>(before.uordblks + before.hblkhd);
  if (used <= 0) return std::nullopt;
  return used / static_cast<double>(n) + static_cast<double>(sizeof(ChangeEvent));
}

// approx_bytes is what the queue's byte bound counts: it must be the memory
// an event really holds, or a "16 MiB" queue holds more (it held ~1.5x).
TEST(ChangeEventTest, ApproxBytesIsTheHeapAnEventHolds) {
  ChangeEvent small = testing::CustomerEvent(Op::kCreate, 7, "a", 1, 0);

  ChangeEvent wide = testing::CustomerEvent(Op::kUpdate, 7, std::string(40, 'n'), 1, 0);
  wide.id = "binlog.000042:123456789:17";
  wide.source.tx_id = "0-1-1234567890123456";
  wide.source.fields.push_back({"file", ColumnType::kString, Value("binlog.000042"), false});
  wide.source.fields.push_back({"query", ColumnType::kString, Value(std::string(100, 'q')), true});
  wide.before = wide.after;
  for (int i = 0; i < 6; ++i) wide.after->values.push_back(Value(std::string(30 + i, 'v')));
  wide.after->values.push_back(Value::ArrayOf({Value(std::string(20, 'a')), Value(2)}));
  wide.next = Offset{"binlog.000042:123456789", 17, {{"gtid", "0-1-1234567890123456"}}};
  wide.tx = TxInfo{wide.source.tx_id, 17, 3};

  ChangeEvent control;
  control.op = Op::kSchemaChange;
  control.control = {{"ddl", std::string(200, 'd')}, {"columns", {"a", "b", "c"}}, {"v", 3}};

  for (const ChangeEvent* e : {&small, &wide, &control}) {
    std::optional<double> real = BytesPerCopy(*e, 2000);
    if (!real) GTEST_SKIP() << "malloc keeps no statistics here (a sanitizer's allocator)";
    const ChangeEvent copy = *e;  // capacities as in the copies measured
    const double approx = static_cast<double>(copy.approx_bytes());
    EXPECT_NEAR(approx / *real, 1.0, 0.1) << "approx " << approx << " real " << *real;
  }
}

TEST(RowTest, MissingColumnsAreNotPresent) {
  Row r{{Value(1), Value::Null(), Value("x")}, {1}};
  EXPECT_TRUE(r.has(0));
  EXPECT_FALSE(r.has(1));  // e.g. an unchanged TOASTed value: absent, not null
  EXPECT_TRUE(r.has(2));
  EXPECT_FALSE(r.has(3));
}

TEST(ChangeEventTest, KeyComesFromAfterOrBeforeForDeletes) {
  auto c = testing::CustomerEvent(Op::kCreate, 7, "a", 1, 0);
  auto d = testing::CustomerEvent(Op::kDelete, 8, "b", 1, 1);
  EXPECT_EQ(c.key(), std::vector<Value>{Value(int64_t{7})});
  EXPECT_EQ(d.key(), std::vector<Value>{Value(int64_t{8})});
  ChangeEvent heartbeat;
  heartbeat.op = Op::kHeartbeat;
  EXPECT_TRUE(heartbeat.key().empty());
}

TEST(TableSchemaTest, RejectsAKeyColumnOutOfRange) {
  EXPECT_THROW(TableSchema(TableId{"db", "", "t"}, 1, {Column{}}, {1}), Error);
  Column a, b;
  a.name = "a";
  b.name = "b";
  TableSchema s(TableId{"db", "", "t"}, 1, {a, b}, {1});
  EXPECT_EQ(s.find("b"), 1u);
  EXPECT_FALSE(s.find("c"));
  EXPECT_EQ(s.id().qualified(), "db.t");
  EXPECT_EQ((TableId{"db", "public", "t"}).qualified(), "db.public.t");
}

}  // namespace
}  // namespace cdc
