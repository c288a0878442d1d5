// `cdcd state`: one table's rows as of a commit time or an event, computed
// from a capture (cdc/table_state.h), written to stdout.
//
//   cdcd state --from DIR|kafka:TOPIC[,TOPIC] --table T
//              [--as-of TIMESTAMP | --at-offset EVENT_ID] [--format jsonl|csv]
//              [--brokers B | --config F --pipeline P]
//
// Kafka captures need brokers: --brokers, or a pipeline whose Kafka sink
// names them (with its properties).
#pragma once

#include <cstdio>
#include <string>

#include "cdc/registry.h"

namespace cdc {

struct StateCommand {
  std::string from;
  std::string table;
  std::string as_of;      // a timestamp (cdc/timestamp.h); empty: the end
  std::string at_offset;  // an event or transaction id; empty: none
  std::string format = "jsonl";
  std::string brokers;
  std::string config_path, pipeline;
};

// Writes the rows to `out`; progress and a summary go to stderr. Bad input
// (options, a capture, a table not in it) throws ConfigError before any row
// is written.
int RunStateCommand(const StateCommand& cmd, const Registry& registry, std::FILE* out);

}  // namespace cdc
