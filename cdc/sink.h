// Sink: makes batches of events durable together with the offset after them.
//
// Contract (the exactly-once half of cdcd):
//  - recover() prepares the sink and returns the last committed offset, or
//    nullopt if nothing was ever committed. Whatever was written after that
//    commit is discarded or made invisible. It is called before the first
//    commit and again after any failure, before the pipeline resumes.
//  - commit(batch, next) writes the batch and `next` atomically: after a
//    crash at any instant, recover() returns either the previous offset (and
//    no event of the batch is visible) or `next` (and all of them are).
//    An empty batch commits only the offset (e.g. heartbeats moving on).
//  - committed_offset() reads the last committed offset without changing
//    anything or taking ownership (for `cdcd offsets show`); it may connect.
//  - Failures throw: TransientError when a retry may succeed, Error otherwise.
//  - Constructors only parse configuration: they must not connect or write.
#pragma once

#include <optional>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/offset.h"

namespace cdc {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual std::optional<Offset> recover() = 0;
  virtual std::optional<Offset> committed_offset() = 0;
  virtual void commit(const std::vector<ChangeEvent>& batch, const Offset& next) = 0;
};

}  // namespace cdc
