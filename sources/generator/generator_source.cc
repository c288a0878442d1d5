#include "sources/generator/generator_source.h"

#include <condition_variable>
#include <ctime>
#include <mutex>
#include <vector>

#include "cdc/error.h"

namespace cdc {
namespace {

int64_t ParseIsoUtc(const ConfigNode& config, const std::string& key, int64_t dflt) {
  if (!config.has(key)) return dflt;
  std::string text = config.get_string(key);
  std::tm tm{};
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
      z != 'Z') {
    config.child(key).fail("expected an ISO-8601 UTC time like 2025-01-01T00:00:00Z, got \"" +
                           text + "\"");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000000;
}

uint32_t Positive32(const ConfigNode& node, const std::string& key, int64_t dflt) {
  int64_t v = node.get_int(key, dflt);
  if (v < 0 || v > UINT32_MAX) node.child(key).fail("must be between 0 and 4294967295");
  return static_cast<uint32_t>(v);
}

// Sleeps until `t` or until stop is requested; false if stopped.
bool SleepUntil(std::chrono::steady_clock::time_point t, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_until(lock, stop, t, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace

GeneratorSettings ParseGeneratorSettings(const ConfigNode& config,
                                         const std::string& pipeline_name) {
  GeneratorSettings s;
  config.mark_used("type");
  s.server_name = pipeline_name;
  s.rate = config.get_double("rate", 0);
  if (s.rate < 0) config.child("rate").fail("must be >= 0");
  s.database = config.get_string("database", s.database);
  s.tables = config.get_string_list("tables", s.tables);
  int64_t keys = config.get_int("key_space", 1000);
  if (keys < 1) config.child("key_space").fail("must be >= 1");
  s.key_space = static_cast<uint64_t>(keys);
  if (auto mix = config.optional_child("op_mix")) {
    s.weight_create = Positive32(*mix, "create", 5);
    s.weight_update = Positive32(*mix, "update", 4);
    s.weight_delete = Positive32(*mix, "delete", 1);
    mix->reject_unknown_keys();
  }
  if (auto size = config.optional_child("transaction_size")) {
    s.tx_min = Positive32(*size, "min", 1);
    s.tx_max = Positive32(*size, "max", 10);
    size->reject_unknown_keys();
  }
  s.seed = static_cast<uint64_t>(config.get_int("seed", 1));
  int64_t limit = config.get_int("limit", 0);
  if (limit < 0) config.child("limit").fail("must be >= 0");
  s.limit = static_cast<uint64_t>(limit);
  s.start_time_us = ParseIsoUtc(config, "start_time", s.start_time_us);
  config.reject_unknown_keys();
  try {
    GeneratorModel check(s);
  } catch (const ConfigError& e) {
    config.fail(e.what());
  }
  return s;
}

GeneratorSource::GeneratorSource(GeneratorSettings settings) : model_(std::move(settings)) {}

void GeneratorSource::run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) {
  uint64_t tx = 1, seq = 0;
  uint32_t index = 0;
  if (from) {
    try {
      tx = std::stoull(from->tx);
      seq = from->state.get<uint64_t>();
    } catch (const std::exception&) {
      throw Error("generator: offset " + from->debug_string() + " was not made by a generator");
    }
    index = static_cast<uint32_t>(from->index);
  }
  const GeneratorSettings& s = model_.settings();
  const uint64_t first_seq = seq;
  const auto started = std::chrono::steady_clock::now();
  // Per-table event counts inside the current transaction (TxInfo); a resume
  // mid-transaction recounts the events it skips.
  std::vector<uint64_t> table_counts(s.tables.size(), 0);
  for (uint32_t i = 0; i < index; ++i) ++table_counts[model_.table_of(tx, i)];

  while (!stop.stop_requested() && (s.limit == 0 || seq < s.limit)) {
    if (index >= model_.tx_size(tx)) {
      ++tx;
      index = 0;
      std::fill(table_counts.begin(), table_counts.end(), 0);
    }
    if (s.rate > 0) {
      auto due = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double>((seq - first_seq) / s.rate));
      if (due > std::chrono::steady_clock::now()) out.idle();  // ahead of the rate
      if (!SleepUntil(due, stop)) return;
    }
    uint64_t order = ++table_counts[model_.table_of(tx, index)];
    ChangeEvent ev = model_.event(tx, index, seq, order);
    ev.capture_ts_us = NowMicros();
    if (!out.emit(std::move(ev))) return;
    ++index;
    ++seq;
  }
}

void GeneratorSource::acknowledge(const Offset& committed) {
  if (committed.state.is_number_unsigned()) acked_ = committed.state.get<uint64_t>();
}

void RegisterGeneratorSource(Registry& registry) {
  registry.add_source("generator", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<GeneratorSource>(ParseGeneratorSettings(config, ctx.pipeline_name));
  });
}

}  // namespace cdc
