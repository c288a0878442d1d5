#include "daemon/pipeline_set.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace cdc {

PipelineSet::~PipelineSet() {
  stop_all();
  std::list<Running> all;
  {
    std::lock_guard lock(mu_);
    all.swap(running_);  // the elements keep their addresses
  }
  for (Running& r : all) {
    if (r.thread.joinable()) r.thread.join();
  }
}

void PipelineSet::start(Entry entry) {
  std::lock_guard lock(mu_);
  if (!stopping_) start_locked(std::move(entry));
}

void PipelineSet::start_locked(Entry entry) {
  running_.push_back(Running{std::move(entry), {}, false, false});
  Running* r = &running_.back();
  r->thread = std::thread([this, r] {
    bool failed = false;
    try {
      r->entry.pipeline->run();
    } catch (const std::exception&) {
      failed = true;  // Pipeline::run logged the cause; the others keep running
    }
    std::lock_guard lock(mu_);
    r->ended = true;
    r->failed = failed;
    changed_.notify_all();
  });
}

std::vector<PipelineSet::Entry> PipelineSet::entries() const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  for (const Running& r : running_) out.push_back(r.entry);
  return out;
}

PipelineSet::Plan PipelineSet::plan(
    const std::vector<std::pair<std::string, std::string>>& next) const {
  std::lock_guard lock(mu_);
  Plan out;
  for (const auto& wanted : next) {
    const std::string& name = wanted.first;
    const std::string& fingerprint = wanted.second;
    auto it = std::find_if(running_.begin(), running_.end(),
                           [&](const Running& r) { return r.entry.pipeline->name() == name; });
    if (it == running_.end()) {
      out.add.push_back(name);
    } else if (it->entry.fingerprint != fingerprint || (it->ended && it->failed)) {
      out.restart.push_back(name);
    } else {
      out.keep.push_back(name);
    }
  }
  for (const Running& r : running_) {
    const std::string& name = r.entry.pipeline->name();
    if (std::none_of(next.begin(), next.end(), [&](const auto& n) { return n.first == name; })) {
      out.remove.push_back(name);
    }
  }
  return out;
}

void PipelineSet::remove(const std::string& name, std::unique_lock<std::mutex>& lock) {
  auto it = std::find_if(running_.begin(), running_.end(),
                         [&](const Running& r) { return r.entry.pipeline->name() == name; });
  if (it == running_.end()) return;
  std::shared_ptr<Pipeline> pipeline = it->entry.pipeline;
  // Unlocked while it drains: its thread takes the lock to say it ended, and
  // the HTTP status keeps answering. apply() calls are serialised by the
  // caller, so nothing else erases `it` meanwhile.
  lock.unlock();
  pipeline->stop();
  it->thread.join();
  lock.lock();
  running_.erase(it);
  lock.unlock();
  // An HTTP handler may still hold it for a moment (entries() hands out
  // copies). Its sink -- a directory lock, a transactional producer -- must
  // be gone before a pipeline of the same name starts, so wait for them.
  while (pipeline.use_count() > 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  pipeline.reset();
  lock.lock();
}

void PipelineSet::apply(const Plan& plan, std::vector<Entry> started) {
  std::unique_lock lock(mu_);
  if (stopping_) return;
  ++applying_;
  for (const std::vector<std::string>* names : {&plan.remove, &plan.restart}) {
    for (const std::string& name : *names) remove(name, lock);
  }
  if (!stopping_) {
    for (Entry& e : started) start_locked(std::move(e));
  }
  --applying_;
  changed_.notify_all();
}

void PipelineSet::stop_all() {
  std::vector<std::shared_ptr<Pipeline>> pipelines;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (const Running& r : running_) pipelines.push_back(r.entry.pipeline);
  }
  for (const auto& p : pipelines) p->stop();
}

bool PipelineSet::wait() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [this] {
    return applying_ == 0 &&
           std::all_of(running_.begin(), running_.end(), [](const Running& r) { return r.ended; });
  });
  bool ok = true;
  for (Running& r : running_) {
    ok = ok && !r.failed;
    // It said it ended, under this lock: joining returns at once.
    if (r.thread.joinable()) r.thread.join();
  }
  return ok;
}

}  // namespace cdc
