// TableState and BuildTableState: the projection of a table's changes, as of
// a time or an event, and its output.
#include "cdc/table_state.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/cdc/memory_capture.h"

namespace cdc::testing {
namespace {

std::string Output(const TableState& s, bool csv) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  csv ? s.write_csv(f) : s.write_jsonl(f);
  std::fclose(f);
  std::string out(buf, size);
  std::free(buf);
  return out;
}

StateResult Build(std::vector<Record> records, StateQuery q) {
  MemoryCapture capture("cap", std::move(records));
  return BuildTableState(capture, q, nullptr);
}

template <typename F>
std::string CaptureErrorOf(F&& f) {
  try {
    f();
  } catch (const CaptureError& e) {
    return e.what();
  }
  return "(no CaptureError)";
}

// orders: 1..3 created in L1 (one transaction), 2 updated in L2, 1 deleted in
// L3, 10 created in L4; items has changes of its own in between.
std::vector<Record> History() {
  return {
      Change("orders", 'c', 1, "a", 1'000'000, "L1:0"),
      Change("orders", 'c', 2, "b", 1'000'000, "L1:1"),
      Change("orders", 'c', 3, "c", 1'000'000, "L1:2"),
      Change("items", 'c', 1, "x", 1'500'000, "L1b:0"),
      Change("orders", 'u', 2, "B", 2'000'000, "L2:0"),
      Change("orders", 'd', 1, "a", 3'000'000, "L3:0"),
      Tombstone("orders", 1),
      Change("orders", 'c', 10, "j", 4'000'000, "L4:0"),
  };
}

TEST(TableStateTest, ProjectsCreatesUpdatesDeletes) {
  StateResult r = Build(History(), {"orders", std::nullopt, ""});
  EXPECT_EQ(r.table, "db.public.orders");
  EXPECT_EQ(r.applied, 6u);
  EXPECT_EQ(r.records, 8u);
  EXPECT_EQ(r.last_commit_us, 4'000'000);
  EXPECT_EQ(Output(r.state, false),
            "{\"id\":2,\"v\":\"B\"}\n{\"id\":3,\"v\":\"c\"}\n{\"id\":10,\"v\":\"j\"}\n");
}

TEST(TableStateTest, AsOfACommitTimeIncludesItsTransactionWhole) {
  StateResult r = Build(History(), {"public.orders", 1'999'999, ""});
  EXPECT_EQ(Output(r.state, false),
            "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n{\"id\":3,\"v\":\"c\"}\n");
  r = Build(History(), {"orders", 3'000'000, ""});
  EXPECT_EQ(Output(r.state, false), "{\"id\":2,\"v\":\"B\"}\n{\"id\":3,\"v\":\"c\"}\n");
  r = Build(History(), {"orders", 999'999, ""});
  EXPECT_EQ(r.state.size(), 0u);
}

TEST(TableStateTest, AtAnEventIncludesTheRestOfItsTransaction) {
  StateResult r = Build(History(), {"orders", std::nullopt, "L1:0"});
  EXPECT_EQ(r.state.size(), 3u);
  EXPECT_EQ(r.records, 4u);                              // read up to the first record after L1
  r = Build(History(), {"orders", std::nullopt, "L2"});  // a transaction id
  EXPECT_EQ(Output(r.state, false),
            "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"B\"}\n{\"id\":3,\"v\":\"c\"}\n");
  r = Build(History(), {"orders", std::nullopt, "L3:0"});  // its tombstone is read too
  EXPECT_EQ(r.state.size(), 2u);
  EXPECT_NE(CaptureErrorOf([] {
              Build(History(), {"orders", std::nullopt, "L9:0"});
            }).find("no event or transaction with that id"),
            std::string::npos);

  MemoryCapture partitioned("kafka:t", History());
  partitioned.set_partitioned();
  EXPECT_NE(CaptureErrorOf([&] {
              BuildTableState(partitioned, {"orders", std::nullopt, "L1:0"}, nullptr);
            }).find("several partitions"),
            std::string::npos);
}

TEST(TableStateTest, TruncateEmptiesTheTable) {
  std::vector<Record> h = History();
  h.push_back(Change("orders", 't', 0, "", 5'000'000, "L5:0"));
  h.push_back(Change("orders", 'c', 7, "g", 6'000'000, "L6:0"));
  EXPECT_EQ(Output(Build(h, {"orders", std::nullopt, ""}).state, false),
            "{\"id\":7,\"v\":\"g\"}\n");
}

TEST(TableStateTest, UnknownAmbiguousAndKeylessTablesAreRefused) {
  EXPECT_NE(CaptureErrorOf([] {
              Build(History(), {"nope", std::nullopt, ""});
            }).find("holds no change of that table (it holds db.public.items, db.public.orders)"),
            std::string::npos);
  std::vector<Record> h = History();
  Record other = Change("orders", 'c', 5, "e", 1, "M1:0");
  other.value = std::string(*other.value).replace(other.value->find("public"), 6, "sales");
  h.push_back(other);
  EXPECT_NE(CaptureErrorOf([&] {
              Build(h, {"orders", std::nullopt, ""});
            }).find("is ambiguous"),
            std::string::npos);
  EXPECT_EQ(Build(h, {"public.orders", std::nullopt, ""}).state.size(), 3u);

  Record keyless = Change("logs", 'c', 1, "x", 1, "K1:0");
  keyless.key.reset();
  EXPECT_NE(CaptureErrorOf([&] {
              Build({keyless}, {"logs", std::nullopt, ""});
            }).find("without a key"),
            std::string::npos);
}

TEST(TableStateTest, UnchangedColumnsKeepTheirValues) {
  TableState s;
  ChangeView c;
  c.kind = ChangeView::Kind::kChange;
  c.table = "db.public.docs";
  c.key = "{\"id\":1}";
  c.op = 'c';
  c.row = R"({"id":1,"title":"t","body":"long text"})";
  s.apply(c);
  c.op = 'u';
  c.row = R"({"id":1,"title":"t2"})";
  c.unchanged = {"body"};
  s.apply(c);
  EXPECT_EQ(*s.find("{\"id\":1}"), R"({"id":1,"title":"t2","body":"long text"})");
  // The flat envelope names nothing: every column the row lacks is kept.
  c.unchanged.clear();
  c.lacks_unchanged = true;
  c.row = R"({"id":1})";
  s.apply(c);
  EXPECT_EQ(*s.find("{\"id\":1}"), R"({"id":1,"title":"t2","body":"long text"})");
}

TEST(TableStateTest, AKeyChangeMovesTheRow) {
  TableState s;
  ChangeView c;
  c.kind = ChangeView::Kind::kChange;
  c.table = "t";
  c.op = 'c';
  c.key = "{\"id\":1}";
  c.row = R"({"id":1,"v":"a"})";
  s.apply(c);
  c.op = 'u';
  c.key = "{\"id\":-1}";
  c.old_key = "{\"id\":1}";
  c.row = R"({"id":-1,"v":"a"})";
  s.apply(c);
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.find("{\"id\":1}"), nullptr);
  EXPECT_EQ(*s.find("{\"id\":-1}"), R"({"id":-1,"v":"a"})");
}

TEST(TableStateTest, CsvHasEveryColumnAndQuotesWhatNeedsIt) {
  TableState s;
  ChangeView c;
  c.kind = ChangeView::Kind::kChange;
  c.op = 'c';
  c.table = "t";
  c.key = "{\"id\":2}";
  c.row = R"({"id":2,"name":"a, \"b\"","tags":[1,2],"note":null})";
  s.apply(c);
  c.key = "{\"id\":10}";
  c.row = R"({"id":10,"name":"line\nbreak","extra":true})";
  s.apply(c);
  EXPECT_EQ(Output(s, true),
            "id,name,tags,note,extra\n"
            "2,\"a, \"\"b\"\"\",\"[1,2]\",,\n"
            "10,\"line\nbreak\",,,true\n");
}

}  // namespace
}  // namespace cdc::testing
