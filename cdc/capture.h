// CaptureReader: reads back what a sink committed -- a file sink's directory
// or Kafka topics -- record by record, for `cdcd replay` and `cdcd state`.
//
// Contract:
//  - next() yields committed records only, each exactly as the sink wrote it
//    (topic, key, value, headers), in commit order: a file capture in line
//    order; Kafka topics in offset order per partition, partitions
//    interleaved. It returns false at the end of the capture as it was when
//    reading reached it.
//  - position() is where a reader resumes right after the last record next()
//    returned (or where it was seek()ed); seek(p) before the first next()
//    resumes there. A position is JSON only the same kind of reader over the
//    same capture understands.
//  - single_order() is true when next() follows one order over the whole
//    capture (a directory, a topic with one partition), false when only each
//    partition is ordered.
//  - progress() tells how far the reader is, in a unit of its own (bytes of
//    a file capture, records of Kafka topics), for progress displays.
//  - Errors are exceptions: CaptureError when the capture itself is bad
//    input (not a cdcd capture, torn, a position that does not fit it),
//    TransientError when a server is unreachable, Error otherwise.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "cdc/error.h"
#include "cdc/record.h"

namespace cdc {

// The user pointed at something that is not a readable capture: a usage
// error (exit status 2), raised before anything is written anywhere.
class CaptureError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

struct CaptureProgress {
  uint64_t done = 0;
  uint64_t total = 0;  // 0: unknown
  const char* unit = "records";
};

class CaptureReader {
 public:
  virtual ~CaptureReader() = default;
  // Names the capture for logs and for the identity of a replay: a file
  // capture's absolute directory, "kafka:<topic>,<topic>" for topics.
  virtual std::string describe() const = 0;
  virtual void seek(const nlohmann::json& position) = 0;
  virtual bool next(Record& out) = 0;
  virtual nlohmann::json position() const = 0;
  virtual CaptureProgress progress() const = 0;
  virtual bool single_order() const { return true; }
};

}  // namespace cdc
