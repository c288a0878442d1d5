#include "sources/generator/generator_source.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <thread>

#include "cdc/error.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

using VectorEmitter = testing::CollectingEmitter;

GeneratorSettings Settings(uint64_t limit) {
  GeneratorSettings s;
  s.tables = {"orders", "customers"};
  s.key_space = 50;
  s.tx_min = 1;
  s.tx_max = 7;
  s.seed = 99;
  s.limit = limit;
  return s;
}

std::vector<ChangeEvent> RunFrom(const GeneratorSettings& s, const std::optional<Offset>& from) {
  GeneratorSource source(s);
  VectorEmitter out;
  source.run(from, out, std::stop_token());
  return std::move(out.events);
}

TEST(GeneratorSourceTest, SameSeedSameStream) {
  auto a = RunFrom(Settings(300), std::nullopt);
  auto b = RunFrom(Settings(300), std::nullopt);
  ASSERT_EQ(a.size(), 300u);
  ASSERT_EQ(b.size(), 300u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].op, b[i].op);
    EXPECT_EQ(a[i].key(), b[i].key());
    EXPECT_EQ(a[i].next, b[i].next);
  }
}

TEST(GeneratorSourceTest, ResumingFromAnyEventsOffsetYieldsExactlyTheRest) {
  auto all = RunFrom(Settings(200), std::nullopt);
  for (size_t k : {0, 1, 2, 5, 17, 99, 198, 199}) {
    auto rest = RunFrom(Settings(200), all[k].next);
    ASSERT_EQ(rest.size(), all.size() - k - 1) << "resume after event " << k;
    for (size_t i = 0; i < rest.size(); ++i) {
      ASSERT_EQ(rest[i].id, all[k + 1 + i].id) << "resume after event " << k;
      ASSERT_EQ(rest[i].after.has_value(), all[k + 1 + i].after.has_value());
      if (rest[i].after) {
        EXPECT_EQ(rest[i].after->values, all[k + 1 + i].after->values);
      }
      EXPECT_EQ(rest[i].tx->data_collection_order, all[k + 1 + i].tx->data_collection_order);
    }
  }
}

TEST(GeneratorSourceTest, OffsetsMoveToTheNextTransactionAfterItsLastEvent) {
  auto all = RunFrom(Settings(100), std::nullopt);
  GeneratorModel model(Settings(100));
  for (const ChangeEvent& ev : all) {
    uint64_t tx = std::stoull(ev.source.tx_id);
    uint64_t index = ev.tx->total_order - 1;
    uint32_t size = model.tx_size(tx);
    ASSERT_GE(size, 1u);
    ASSERT_LE(size, 7u);
    if (index + 1 == size) {
      EXPECT_EQ(ev.next.tx, std::to_string(tx + 1));
      EXPECT_EQ(ev.next.index, 0u);
    } else {
      EXPECT_EQ(ev.next.tx, std::to_string(tx));
      EXPECT_EQ(ev.next.index, index + 1);
    }
    EXPECT_EQ(ev.id, "gen-" + std::to_string(tx) + "-" + std::to_string(index));
  }
}

TEST(GeneratorSourceTest, EventsAreWellFormed) {
  auto all = RunFrom(Settings(500), std::nullopt);
  int creates = 0, updates = 0, deletes = 0;
  for (const ChangeEvent& ev : all) {
    ASSERT_TRUE(ev.schema);
    EXPECT_EQ(ev.source.connector, "generator");
    EXPECT_EQ(ev.key().size(), 1u);
    EXPECT_GT(ev.capture_ts_us, 0);
    EXPECT_EQ(ev.source.commit_ts_us,
              1735689600000000 + static_cast<int64_t>(std::stoull(ev.source.tx_id)) * 1000);
    switch (ev.op) {
      case Op::kCreate:
        ++creates;
        EXPECT_TRUE(ev.after && !ev.before);
        break;
      case Op::kUpdate:
        ++updates;
        EXPECT_TRUE(ev.after && ev.before);
        break;
      case Op::kDelete:
        ++deletes;
        EXPECT_TRUE(!ev.after && ev.before);
        break;
      default:
        ADD_FAILURE() << "unexpected op";
    }
    int64_t key = ev.key()[0].as<int64_t>();
    EXPECT_GE(key, 1);
    EXPECT_LE(key, 50);
  }
  // Weights 5:4:1 over 500 events.
  EXPECT_GT(creates, 180);
  EXPECT_GT(updates, 130);
  EXPECT_GT(deletes, 20);
}

TEST(GeneratorSourceTest, StopInterruptsARateLimitedRun) {
  GeneratorSettings s = Settings(0);
  s.rate = 2;  // one event every 500 ms
  GeneratorSource source(s);
  VectorEmitter out;
  std::stop_source stop;
  std::thread t([&] { source.run(std::nullopt, out, stop.get_token()); });
  std::this_thread::sleep_for(100ms);
  stop.request_stop();
  t.join();  // would take 500 ms per event without the interruptible sleep
  EXPECT_LE(out.events.size(), 1u);
}

TEST(GeneratorSourceTest, ParsesConfig) {
  ConfigNode node(YAML::Load(R"(
type: generator
rate: 10
tables: [a, b, c]
key_space: 7
op_mix: {create: 1, update: 0, delete: 0}
transaction_size: {min: 2, max: 2}
seed: 5
limit: 9
start_time: "2024-02-29T12:00:00Z"
)"),
                  "gen.yaml", "source");
  GeneratorSettings s = ParseGeneratorSettings(node, "p");
  EXPECT_EQ(s.tables, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.key_space, 7u);
  EXPECT_EQ(s.tx_min, 2u);
  EXPECT_EQ(s.limit, 9u);
  EXPECT_EQ(s.start_time_us, 1709208000000000);
  EXPECT_EQ(s.server_name, "p");
  auto events = RunFrom(s, std::nullopt);
  ASSERT_EQ(events.size(), 9u);
  for (const auto& ev : events) EXPECT_EQ(ev.op, Op::kCreate);
}

TEST(GeneratorSourceTest, ConfigErrorsNameFileAndLine) {
  auto error_of = [](const std::string& yaml) {
    try {
      ParseGeneratorSettings(ConfigNode(YAML::Load(yaml), "gen.yaml", "source"), "p");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("type: generator\nkey_space: 0\n").find("gen.yaml:2:"), std::string::npos);
  EXPECT_NE(error_of("type: generator\nsede: 1\n").find("gen.yaml:2:"), std::string::npos);
  EXPECT_NE(error_of("type: generator\ntransaction_size: {min: 5, max: 2}\n").find("gen.yaml:"),
            std::string::npos);
  EXPECT_NE(error_of("type: generator\nstart_time: yesterday\n").find("gen.yaml:2:"),
            std::string::npos);
}

}  // namespace
}  // namespace cdc
