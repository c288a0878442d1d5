#include "config/pipeline_config.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace cdc {
namespace {

// One of `choices` (name -> value) for `key`, listing the names on error.
template <typename T>
T Choose(const ConfigNode& node, const std::string& key,
         const std::vector<std::pair<std::string, T>>& choices, T dflt) {
  std::vector<std::string> names;
  for (const auto& [name, _] : choices) names.push_back(name);
  const std::string chosen = node.get_choice(key, names, "");
  for (const auto& [name, value] : choices) {
    if (name == chosen) return value;
  }
  return dflt;  // key absent
}

void RequireMapping(const ConfigNode& node, const std::string& what) {
  if (node.is_map()) return;
  // entries() names a scalar in its failure and returns nothing for a null.
  if (!node.is_sequence()) node.entries();
  node.fail("expected a mapping with " + what + ", got " +
            (node.is_sequence() ? "a list" : "nothing"));
}

std::string ParseName(const ConfigNode& node) {
  const std::string name = node.get_string("name");
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == '-';
  });
  if (!valid) {
    node.child("name").fail("invalid pipeline name \"" + name +
                            "\" (use letters, digits, '_', '.' and '-')");
  }
  return name;
}

// A source or sink block: only its `type` is the loader's business.
ConfigNode ParsePluginBlock(const ConfigNode& pipeline, const std::string& key) {
  ConfigNode block = pipeline.child(key);
  RequireMapping(block, "a 'type'");
  if (block.get_string("type").empty()) block.child("type").fail("must not be empty");
  return block;
}

FormatOptions ParseFormat(const std::optional<ConfigNode>& node) {
  using F = FormatOptions;
  F f;
  if (!node) return f;
  AllowOnlyKeys(*node, {"envelope", "schemas", "tombstones", "decimal_handling", "time_precision",
                        "unchanged_toast", "toast_placeholder", "bigint_unsigned"});
  f.envelope = Choose<F::Envelope>(
      *node, "envelope", {{"debezium", F::Envelope::kDebezium}, {"flat", F::Envelope::kFlat}},
      f.envelope);
  f.schemas = node->get_bool("schemas", f.schemas);
  f.tombstones = node->get_bool("tombstones", f.tombstones);
  f.decimal_handling = Choose<F::DecimalHandling>(*node, "decimal_handling",
                                                  {{"precise", F::DecimalHandling::kPrecise},
                                                   {"string", F::DecimalHandling::kString},
                                                   {"double", F::DecimalHandling::kDouble}},
                                                  f.decimal_handling);
  f.time_precision = Choose<F::TimePrecision>(*node, "time_precision",
                                              {{"adaptive", F::TimePrecision::kAdaptive},
                                               {"connect", F::TimePrecision::kConnect},
                                               {"isostring", F::TimePrecision::kIsoString}},
                                              f.time_precision);
  f.bigint_unsigned = Choose<F::BigIntUnsigned>(
      *node, "bigint_unsigned",
      {{"long", F::BigIntUnsigned::kLong}, {"precise", F::BigIntUnsigned::kPrecise}},
      f.bigint_unsigned);
  f.unchanged = Choose<F::Unchanged>(
      *node, "unchanged_toast",
      {{"placeholder", F::Unchanged::kPlaceholder}, {"omit", F::Unchanged::kOmit}}, f.unchanged);
  f.toast_placeholder = node->get_string("toast_placeholder", f.toast_placeholder);
  if (f.toast_placeholder.empty()) node->child("toast_placeholder").fail("must not be empty");
  return f;
}

// The node to blame for a bad `key`: its value if written, else the block.
ConfigNode Blame(const ConfigNode& block, const std::string& key) {
  return block.optional_child(key).value_or(block);
}

uint64_t PositiveSize(const ConfigNode& node, const std::string& key, uint64_t dflt) {
  uint64_t v = node.get_size(key, dflt);
  if (v == 0) Blame(node, key).fail("must be greater than 0");
  return v;
}

// Absent keys keep BatchOptions' defaults (cdc/pipeline.h says why they are
// 16 MiB of queue and 4 MiB batches: a bounded peak RSS under 64 MiB).
BatchOptions ParseBatch(const std::optional<ConfigNode>& node) {
  BatchOptions b;
  if (!node) return b;
  AllowOnlyKeys(*node, {"max_events", "max_bytes", "linger", "queue_bytes", "commit_when_idle",
                        "min_commit_interval"});
  int64_t events = node->get_int("max_events", static_cast<int64_t>(b.max_events));
  if (events <= 0) Blame(*node, "max_events").fail("must be greater than 0");
  b.max_events = static_cast<size_t>(events);
  b.max_bytes = PositiveSize(*node, "max_bytes", b.max_bytes);
  b.queue_bytes = PositiveSize(*node, "queue_bytes", b.queue_bytes);
  // 0 is allowed: a batch is then cut as soon as the queue runs dry.
  b.linger = node->get_duration("linger", b.linger);
  b.commit_when_idle = node->get_bool("commit_when_idle", b.commit_when_idle);
  b.min_commit_interval = node->get_duration("min_commit_interval", b.min_commit_interval);
  if (b.max_bytes > b.queue_bytes) {
    ConfigNode at =
        node->has("max_bytes") ? Blame(*node, "max_bytes") : Blame(*node, "queue_bytes");
    at.fail("max_bytes (" + std::to_string(b.max_bytes) + " bytes) must not exceed queue_bytes (" +
            std::to_string(b.queue_bytes) + " bytes)");
  }
  return b;
}

RetryOptions ParseRetry(const std::optional<ConfigNode>& node) {
  RetryOptions r;
  if (!node) return r;
  AllowOnlyKeys(*node, {"initial_backoff", "max_backoff"});
  r.initial_backoff = node->get_duration("initial_backoff", r.initial_backoff);
  r.max_backoff = node->get_duration("max_backoff", r.max_backoff);
  if (r.initial_backoff.count() == 0)
    Blame(*node, "initial_backoff").fail("must be greater than 0");
  if (r.max_backoff < r.initial_backoff) {
    ConfigNode at =
        node->has("max_backoff") ? Blame(*node, "max_backoff") : Blame(*node, "initial_backoff");
    at.fail("max_backoff (" + std::to_string(r.max_backoff.count()) +
            "ms) must not be less than initial_backoff (" +
            std::to_string(r.initial_backoff.count()) + "ms)");
  }
  return r;
}

}  // namespace

void AllowOnlyKeys(const ConfigNode& node, const std::vector<std::string>& keys) {
  for (const auto& key : keys) node.mark_used(key);
  node.reject_unknown_keys();
}

PipelineConfig ParsePipelineConfig(const ConfigNode& node) {
  RequireMapping(node, "name, source and sink");
  AllowOnlyKeys(node, {"name", "source", "sink", "format", "batch", "retry", "standby"});
  std::string name = ParseName(node);
  ConfigNode source = ParsePluginBlock(node, "source");
  ConfigNode sink = ParsePluginBlock(node, "sink");
  FormatOptions format = ParseFormat(node.optional_child("format"));
  // One switch, as Debezium's provide.transaction.metadata: the transaction
  // topic (the sink's routing) and the events' `transaction` block.
  format.transaction_metadata = sink.get_bool("transaction_metadata", false);
  RetryOptions retry = ParseRetry(node.optional_child("retry"));
  retry.standby = node.get_bool("standby", false);
  return PipelineConfig{std::move(name),
                        std::move(source),
                        std::move(sink),
                        std::move(format),
                        ParseBatch(node.optional_child("batch")),
                        retry,
                        node.canonical()};
}

}  // namespace cdc
