// Test doubles for the replay and state tests: a capture held in memory
// (positions are record indexes) and a sink that keeps replayed records and
// can be made to fail like a crash between two commits.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cdc/capture.h"
#include "cdc/error.h"
#include "cdc/sink.h"

namespace cdc::testing {

class MemoryCapture : public CaptureReader {
 public:
  MemoryCapture(std::string name, std::vector<Record> records)
      : name_(std::move(name)), records_(std::move(records)) {}

  std::string describe() const override { return name_; }
  void seek(const nlohmann::json& position) override {
    if (!position.is_number_unsigned() || position.get<size_t>() > records_.size()) {
      throw CaptureError("bad position " + position.dump());
    }
    next_ = position.get<size_t>();
  }
  bool next(Record& out) override {
    if (next_ >= records_.size()) return false;
    out = records_[next_++];
    return true;
  }
  nlohmann::json position() const override { return next_; }
  CaptureProgress progress() const override { return {next_, records_.size(), "records"}; }
  bool single_order() const override { return single_order_; }
  void set_partitioned() { single_order_ = false; }

 private:
  std::string name_;
  std::vector<Record> records_;
  size_t next_ = 0;
  bool single_order_ = true;
};

// A Debezium (schemas: false) change record of table db.public.<table> with
// columns id and v, committed at `ts_us`, with header cdcd.event_id `id`.
// Deletes carry only `before`; truncates neither image and a null key.
inline Record Change(const std::string& table, char op, int key, const std::string& v,
                     int64_t ts_us, const std::string& event_id) {
  nlohmann::json row = {{"id", key}, {"v", v}};
  nlohmann::json value = {{"before", op == 'd' ? row : nlohmann::json()},
                          {"after", op == 'd' || op == 't' ? nlohmann::json() : row},
                          {"source",
                           {{"ts_ms", ts_us / 1000},
                            {"db", "db"},
                            {"ts_us", ts_us},
                            {"schema", "public"},
                            {"table", table}}},
                          {"op", std::string(1, op)}};
  Record r;
  r.topic = "srv.public." + table;
  if (op != 't') r.key = nlohmann::json({{"id", key}}).dump();
  r.value = value.dump();
  r.headers = {{"cdcd.event_id", event_id}, {"cdcd.op", std::string(1, op)}};
  return r;
}

inline Record Tombstone(const std::string& table, int key) {
  return Record{"srv.public." + table, nlohmann::json({{"id", key}}).dump(), std::nullopt, {}};
}

// Keeps what commit_records() commits; after `fail_after` more commits it
// throws (TransientError when `transient`, else Error) without committing.
class ReplayTargetSink : public Sink {
 public:
  std::optional<Offset> recover() override { return committed; }
  std::optional<Offset> committed_offset() override { return committed; }
  void commit(const std::vector<ChangeEvent>&, const Offset&) override {
    throw Error("ReplayTargetSink takes records only");
  }
  void commit_records(const std::vector<Record>& batch, const Offset& next) override {
    if (fail_after && (*fail_after)-- == 0) {
      fail_after.reset();
      if (transient) throw TransientError("target briefly unavailable");
      throw Error("killed");
    }
    records.insert(records.end(), batch.begin(), batch.end());
    committed = next;
    ++commits;
  }

  std::vector<Record> records;
  std::optional<Offset> committed;
  std::optional<int> fail_after;
  bool transient = false;
  int commits = 0;
};

}  // namespace cdc::testing
