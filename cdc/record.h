// Record and RecordBuilder: the step between an event and a sink's write.
//
// Both sinks publish the same records: the Kafka sink as Kafka records, the
// file sink as JSON lines holding the very same key and value bytes. The
// builder decides the topic (template, per-table overrides, control topics),
// renders key and value with the pipeline's Format, adds the cdcd.* headers,
// appends a tombstone after a delete when asked to, and splits an update
// that changes the key into a delete and a create, as Debezium does.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/config_node.h"
#include "cdc/format.h"

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

class RecordBuilder {
 public:
  RecordBuilder(TopicRouting routing, std::shared_ptr<const Format> format);

  // Appends the records for `ev`: none (an unpublished control event), one,
  // two (a delete followed by its tombstone), or, for an update that changes
  // the key, a delete under the old key (with its tombstone) and a create
  // under the new one. Every record of one event carries its id; the ops
  // (header cdcd.op) tell the parts apart.
  void build(const ChangeEvent& ev, std::vector<Record>& out) const;
  std::string topic_for(const TableId& table) const;

 private:
  // One event's record (and tombstone), with `extra` among the headers
  // when it has a name.
  void append(const ChangeEvent& ev, const std::string& topic, Header extra,
              std::vector<Record>& out) const;
  std::string expand(const std::string& tmpl, const TableId& table) const;

  TopicRouting routing_;
  std::shared_ptr<const Format> format_;
};

}  // namespace cdc
