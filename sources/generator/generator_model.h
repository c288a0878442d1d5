// GeneratorModel: the synthetic "database log" behind the generator source.
//
// Transaction t (t = 1, 2, ...) has tx_size(t) events, and event (t, i) is a
// pure function of (seed, t, i): nothing depends on what was generated
// before. That is what lets the generator resume from any Offset exactly as
// a real source resumes from a log position, and lets tests regenerate the
// expected stream independently of the pipeline under test.
//
// Rows are synthetic: an update's before-image is the row as the generator
// would have written it one version earlier, not necessarily the row a
// previous event wrote for that key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cdc/change_event.h"

namespace cdc {

struct GeneratorSettings {
  double rate = 0;  // events per second; 0 = as fast as the pipeline takes them
  std::string database = "generator";
  std::vector<std::string> tables = {"orders"};
  uint64_t key_space = 1000;
  uint32_t weight_create = 5, weight_update = 4, weight_delete = 1;
  uint32_t tx_min = 1, tx_max = 10;
  uint64_t seed = 1;
  uint64_t limit = 0;                        // total events; 0 = forever
  int64_t start_time_us = 1735689600000000;  // 2025-01-01T00:00:00Z
  std::string server_name = "generator";
};

class GeneratorModel {
 public:
  explicit GeneratorModel(GeneratorSettings settings);

  const GeneratorSettings& settings() const { return s_; }
  uint32_t tx_size(uint64_t tx) const;
  // Which of settings().tables event (tx, index) touches.
  size_t table_of(uint64_t tx, uint32_t index) const;
  // Event `index` of transaction `tx`, the `seq`-th event overall (0-based).
  // `table_order` is its 1-based position among the transaction's events on
  // the same table.
  ChangeEvent event(uint64_t tx, uint32_t index, uint64_t seq, uint64_t table_order) const;
  const std::vector<TableSchemaPtr>& schemas() const { return schemas_; }

 private:
  Row row(uint64_t key, uint64_t version, int64_t ts_us) const;

  GeneratorSettings s_;
  std::vector<TableSchemaPtr> schemas_;
};

}  // namespace cdc
