#include "cdc/record.h"

namespace cdc {

TopicRouting TopicRouting::FromConfig(const ConfigNode& sink, const std::string& pipeline_name,
                                      bool tombstones) {
  TopicRouting r;
  r.prefix = sink.get_string("topic_prefix", pipeline_name);
  r.topic_template = sink.get_string("topic", "");
  if (sink.has("topics")) r.overrides = sink.get_string_map("topics");
  r.heartbeat_topic = sink.get_string("heartbeat_topic", "__cdcd_heartbeat.{prefix}");
  r.schema_topic = sink.get_string("schema_changes_topic", "{prefix}.schema_changes");
  bool tx_metadata = sink.get_bool("transaction_metadata", false);
  r.transaction_topic = sink.get_string("transaction_topic", "{prefix}.transaction");
  if (!tx_metadata) r.transaction_topic.clear();
  r.tombstones = tombstones;
  return r;
}

RecordBuilder::RecordBuilder(TopicRouting routing, std::shared_ptr<const Format> format)
    : routing_(std::move(routing)), format_(std::move(format)) {}

std::string RecordBuilder::expand(const std::string& tmpl, const TableId& table) const {
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    auto take = [&](const char* ph, const std::string& value) {
      size_t n = std::char_traits<char>::length(ph);
      if (tmpl.compare(i, n, ph) != 0) return false;
      out += value;
      i += n;
      return true;
    };
    if (take("{prefix}", routing_.prefix) || take("{database}", table.database) ||
        take("{schema}", table.schema) || take("{table}", table.table)) {
      continue;
    }
    out += tmpl[i++];
  }
  return out;
}

std::string RecordBuilder::topic_for(const TableId& table) const {
  auto it = routing_.overrides.find(table.qualified());
  if (it != routing_.overrides.end()) return expand(it->second, table);
  if (!routing_.topic_template.empty()) return expand(routing_.topic_template, table);
  const std::string& ns = table.schema.empty() ? table.database : table.schema;
  return routing_.prefix + "." + ns + "." + table.table;
}

void RecordBuilder::build(const ChangeEvent& ev, std::vector<Record>& out) const {
  std::string topic;
  switch (ev.op) {
    case Op::kHeartbeat:
      topic = routing_.heartbeat_topic;
      break;
    case Op::kSchemaChange:
      topic = routing_.schema_topic;
      break;
    case Op::kTxBegin:
    case Op::kTxEnd:
      topic = routing_.transaction_topic;
      break;
    default:
      topic = topic_for(ev.source.table);
  }
  if (topic.empty()) return;
  if (!IsDataOp(ev.op)) topic = expand(topic, ev.source.table);

  Record rec;
  rec.topic = std::move(topic);
  rec.key = format_->key(ev);
  rec.value = format_->value(ev);
  rec.headers = {{"cdcd.event_id", ev.id},
                 {"cdcd.op", OpName(ev.op)},
                 {"cdcd.source_ts_ms", std::to_string(ev.source.commit_ts_us / 1000)}};
  bool tombstone = routing_.tombstones && ev.op == Op::kDelete && rec.key.has_value();
  out.push_back(rec);
  if (tombstone) {
    rec.value.reset();
    out.push_back(std::move(rec));
  }
}

}  // namespace cdc
