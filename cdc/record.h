// Record and RecordBuilder: the step between an event and a sink's write.
//
// Both sinks publish the same records: the Kafka sink as Kafka records, the
// file sink as JSON lines holding the very same key and value bytes. The
// builder decides the topic (template, per-table overrides, control topics),
// renders key and value with the pipeline's Format, adds the cdcd.* headers,
// appends a tombstone after a delete when asked to, and splits an update
// that changes the key into a delete and a create, as Debezium does.
//
// On the hot path a record is never built: the builder hands each one to the
// sink as a RecordRef, whose key and value the sink has rendered straight
// into its output buffer. Record is the materialized form, for records read
// back (replay) and for tests.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/config_node.h"
#include "cdc/format.h"
#include "cdc/out_buffer.h"

namespace cdc {

struct Header {
  std::string name;
  std::string value;
};

struct Record {
  std::string topic;
  std::optional<std::string> key;    // nullopt: null key
  std::optional<std::string> value;  // nullopt: tombstone
  std::vector<Header> headers;

  // Key and value as views, nullopt where null, for the sinks' writers.
  std::optional<std::string_view> key_bytes() const { return View(key); }
  std::optional<std::string_view> value_bytes() const { return View(value); }

 private:
  static std::optional<std::string_view> View(const std::optional<std::string>& bytes) {
    return bytes ? std::optional<std::string_view>(*bytes) : std::nullopt;
  }
};

struct HeaderRef {
  std::string_view name;
  std::string_view value;
};

// One record of an event, as RecordBuilder hands it to a RecordWriter: views
// into the event and the builder, valid during RecordWriter::write only.
class RecordRef {
 public:
  // `extra`: a header after the cdcd.* ones, when it has a name.
  RecordRef(const std::string& topic, const ChangeEvent& ev, const Format& format, bool tombstone,
            const Header& extra);
  RecordRef(const RecordRef&) = delete;  // headers_ point into ts_text_
  RecordRef& operator=(const RecordRef&) = delete;

  const std::string& topic() const { return topic_; }
  const ChangeEvent& event() const { return ev_; }
  // Whether key and value are JSON text on one line (Format::writes_json).
  bool json() const { return format_.writes_json(); }
  // Appends the key to `out`; false (nothing appended) for a null key.
  bool append_key(OutBuffer& out) const { return format_.append_key(ev_, out); }
  // Appends the value to `out`; false (nothing appended) for a tombstone.
  bool append_value(OutBuffer& out) const {
    if (tombstone_) return false;
    format_.append_value(ev_, out);
    return true;
  }
  // cdcd.event_id, cdcd.op, cdcd.source_ts_ms, then the extra one if any.
  std::span<const HeaderRef> headers() const { return {headers_.data(), header_count_}; }

  Record materialize() const;

 private:
  const std::string& topic_;
  const ChangeEvent& ev_;
  const Format& format_;
  bool tombstone_;
  char ts_text_[24];
  std::array<HeaderRef, 4> headers_;
  size_t header_count_;
};

// What a sink gives RecordBuilder::build to receive an event's records.
class RecordWriter {
 public:
  virtual void write(const RecordRef& record) = 0;

 protected:
  ~RecordWriter() = default;
};

struct TopicRouting {
  std::string prefix;  // {prefix}; the pipeline name unless configured
  // Placeholders {prefix} {database} {schema} {table}. Empty: Debezium's
  // naming, prefix.schema.table, or prefix.database.table where there is no schema.
  std::string topic_template;
  std::map<std::string, std::string> overrides;  // qualified table name -> topic
  std::string heartbeat_topic;                   // empty: heartbeats are not published
  std::string schema_topic;                      // empty: schema changes are not published
  std::string transaction_topic;                 // empty: transaction begin/end are not published
  bool tombstones = true;

  // Reads topic, topics, heartbeat_topic, schema_changes_topic,
  // transaction_topic and transaction_metadata from a sink block.
  static TopicRouting FromConfig(const ConfigNode& sink, const std::string& pipeline_name,
                                 bool tombstones);
};

// Used by one sink, on its commit thread: build() keeps the last data
// topic it worked out.
class RecordBuilder {
 public:
  RecordBuilder(TopicRouting routing, std::shared_ptr<const Format> format);

  // Hands `out` the records for `ev`, in order: none (an unpublished control
  // event), one, two (a delete followed by its tombstone), or, for an update
  // that changes the key, a delete under the old key (with its tombstone)
  // and a create under the new one. Every record of one event carries its
  // id; the ops (header cdcd.op) tell the parts apart.
  void build(const ChangeEvent& ev, RecordWriter& out);
  // The same records, materialized and appended to `out`.
  void build(const ChangeEvent& ev, std::vector<Record>& out);
  std::string topic_for(const TableId& table) const;

 private:
  // One event's record (and tombstone), with `extra` among the headers
  // when it has a name.
  void emit(const ChangeEvent& ev, const std::string& topic, const Header& extra,
            RecordWriter& out) const;
  // The topic of a data event's table: computed once per run of one table.
  const std::string& data_topic(const TableId& table);
  std::string expand(const std::string& tmpl, const TableId& table) const;

  TopicRouting routing_;
  std::shared_ptr<const Format> format_;
  std::optional<TableId> last_table_;
  std::string last_topic_;
};

}  // namespace cdc
