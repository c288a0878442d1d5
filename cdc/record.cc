#include "cdc/record.h"

#include <charconv>

namespace cdc {

RecordRef::RecordRef(const std::string& topic, const ChangeEvent& ev, const Format& format,
                     bool tombstone, const Header& extra)
    : topic_(topic), ev_(ev), format_(format), tombstone_(tombstone) {
  const char* ts_end =
      std::to_chars(ts_text_, ts_text_ + sizeof ts_text_, ev.source.commit_ts_us / 1000).ptr;
  headers_[0] = {"cdcd.event_id", ev.id};
  headers_[1] = {"cdcd.op", OpName(ev.op)};
  headers_[2] = {"cdcd.source_ts_ms", std::string_view(ts_text_, ts_end - ts_text_)};
  header_count_ = 3;
  if (!extra.name.empty()) headers_[header_count_++] = {extra.name, extra.value};
}

Record RecordRef::materialize() const {
  Record r;
  r.topic = topic_;
  r.key = format_.key(ev_);
  if (!tombstone_) r.value = format_.value(ev_);
  for (const HeaderRef& h : headers())
    r.headers.push_back({std::string(h.name), std::string(h.value)});
  return r;
}

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
  if (!routing_.overrides.empty()) {
    // The table as the source's `tables` names it ("public.orders",
    // "shop.orders") or with its database too ("shop.public.orders").
    auto it = routing_.overrides.find(table.qualified());
    if (it == routing_.overrides.end() && !table.schema.empty()) {
      it = routing_.overrides.find(table.schema + "." + table.table);
    }
    if (it != routing_.overrides.end()) return expand(it->second, table);
  }
  if (!routing_.topic_template.empty()) return expand(routing_.topic_template, table);
  const std::string& ns = table.schema.empty() ? table.database : table.schema;
  return routing_.prefix + "." + ns + "." + table.table;
}

namespace {

// An update that changes the primary key: Debezium publishes it as a delete
// under the old key (and its tombstone) and a create under the new one, so
// that a compacted topic forgets the old key. A before image without the key
// (not logged) cannot show a change.
bool ChangesKey(const ChangeEvent& ev) {
  if (ev.op != Op::kUpdate || !ev.before || !ev.after || !ev.schema) return false;
  for (size_t k : ev.schema->key_columns()) {
    if (!ev.before->has(k) || !ev.after->has(k)) return false;
  }
  for (size_t k : ev.schema->key_columns()) {
    if (!(ev.before->values[k] == ev.after->values[k])) return true;
  }
  return false;
}

}  // namespace

const std::string& RecordBuilder::data_topic(const TableId& table) {
  if (!last_table_ || !(*last_table_ == table)) {
    last_topic_ = topic_for(table);
    last_table_ = table;
  }
  return last_topic_;
}

void RecordBuilder::build(const ChangeEvent& ev, RecordWriter& out) {
  if (!IsDataOp(ev.op)) {
    const std::string& tmpl = ev.op == Op::kHeartbeat      ? routing_.heartbeat_topic
                              : ev.op == Op::kSchemaChange ? routing_.schema_topic
                                                           : routing_.transaction_topic;
    if (tmpl.empty()) return;  // not published
    return emit(ev, expand(tmpl, ev.source.table), {}, out);
  }
  const std::string& topic = data_topic(ev.source.table);
  if (!ChangesKey(ev)) return emit(ev, topic, {}, out);

  // Copies, on this rare path only; the headers name the other key, as
  // Debezium's __debezium.newkey / __debezium.oldkey do.
  ChangeEvent removed = ev, added = ev;
  removed.op = Op::kDelete;
  removed.after.reset();
  added.op = Op::kCreate;
  added.before.reset();
  const std::optional<std::string> old_key = format_->key(removed);
  const std::optional<std::string> new_key = format_->key(added);
  emit(removed, topic, {"__debezium.newkey", new_key.value_or("")}, out);
  emit(added, topic, {"__debezium.oldkey", old_key.value_or("")}, out);
}

void RecordBuilder::build(const ChangeEvent& ev, std::vector<Record>& out) {
  struct Collect final : RecordWriter {
    std::vector<Record>& records;
    explicit Collect(std::vector<Record>& r) : records(r) {}
    void write(const RecordRef& r) override { records.push_back(r.materialize()); }
  } collect(out);
  build(ev, collect);
}

void RecordBuilder::emit(const ChangeEvent& ev, const std::string& topic, const Header& extra,
                         RecordWriter& out) const {
  out.write(RecordRef(topic, ev, *format_, /*tombstone=*/false, extra));
  // A delete's tombstone: a table without a key gets one too (null key and
  // value), as Debezium's.
  if (routing_.tombstones && ev.op == Op::kDelete) {
    out.write(RecordRef(topic, ev, *format_, /*tombstone=*/true, extra));
  }
}

}  // namespace cdc
