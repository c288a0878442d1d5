// PipelineSet: the daemon's running pipelines, one thread each, and the
// changes a config reload makes to them.
//
// Invariants:
// - A pipeline leaves the set only after it drained, committed and its
//   thread ended (Pipeline::stop, then join): a reload never loses or
//   repeats a change, since the next pipeline of that name resumes from the
//   sink's committed offset.
// - A removed pipeline's sink is destroyed (its directory lock released, its
//   producer closed) before any pipeline a reload starts.
// - Pipelines a reload does not touch keep running; they are not paused.
// - wait() returns only when every pipeline has ended and no reload is
//   applying, so a reload that replaces the last pipeline does not end the
//   daemon in between.
#pragma once

#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cdc/pipeline.h"

namespace cdc {

class PipelineSet {
 public:
  struct Entry {
    std::shared_ptr<Pipeline> pipeline;
    std::string fingerprint;  // PipelineConfig::fingerprint it was built from
  };
  // What a reload to a config with these (name, fingerprint) pairs does.
  struct Plan {
    std::vector<std::string> add;      // new names
    std::vector<std::string> restart;  // fingerprint changed, or ended with an error
    std::vector<std::string> remove;   // names no longer in the config
    std::vector<std::string> keep;     // untouched
  };

  PipelineSet() = default;
  PipelineSet(const PipelineSet&) = delete;
  PipelineSet& operator=(const PipelineSet&) = delete;
  ~PipelineSet();  // stops and joins whatever still runs

  // Starts `entry`'s pipeline on its own thread (not after stop_all()).
  void start(Entry entry);
  // The pipelines as they are now, in start order (copies share them).
  std::vector<Entry> entries() const;

  Plan plan(const std::vector<std::pair<std::string, std::string>>& next) const;
  // Carries out `plan`: stops removed and restarted pipelines (each drains
  // and commits), then starts `started` (one per added or restarted name).
  // Nothing happens after stop_all().
  void apply(const Plan& plan, std::vector<Entry> started);

  // Asks every pipeline to drain, commit and stop; later starts are refused.
  void stop_all();
  // Blocks until every pipeline has ended (and no apply() runs); true when
  // none of those still in the set failed.
  bool wait();

 private:
  struct Running {
    Entry entry;
    std::thread thread;
    bool ended = false;
    bool failed = false;
  };
  void start_locked(Entry entry);
  // Stops, joins and erases the named pipeline; `lock` is released meanwhile.
  void remove(const std::string& name, std::unique_lock<std::mutex>& lock);

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::list<Running> running_;  // list: threads keep their element's address
  bool stopping_ = false;
  int applying_ = 0;
};

}  // namespace cdc
