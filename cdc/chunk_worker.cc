#include "cdc/chunk_worker.h"

#include <spdlog/spdlog.h>

#include "cdc/error.h"
#include "cdc/snapshot_signal.h"

namespace cdc {

ChunkWorker::ChunkWorker(SourceConnector& connector, std::string watermark_id, int64_t limit,
                         std::string context)
    : connector_(connector),
      watermark_id_(std::move(watermark_id)),
      limit_(limit),
      context_(std::move(context)) {}

ChunkWorker::~ChunkWorker() {
  if (thread_.joinable()) {
    thread_.request_stop();
    cv_.notify_all();
  }
}

void ChunkWorker::request(Request r) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::move(r);
  }
  cv_.notify_all();
  if (!thread_.joinable()) thread_ = std::jthread([this](std::stop_token st) { run(st); });
}

std::optional<std::vector<std::string>> ChunkWorker::key_names(const std::string& chunk_id) {
  std::lock_guard lock(mu_);
  if (announced_chunk_ != chunk_id) return std::nullopt;
  return announced_keys_;
}

std::optional<ChunkWorker::Result> ChunkWorker::take(const std::string& chunk_id) {
  std::lock_guard lock(mu_);
  if (!result_ || result_->chunk_id != chunk_id) return std::nullopt;
  std::optional<Result> out = std::move(result_);
  result_.reset();
  return out;
}

void ChunkWorker::rethrow() {
  std::lock_guard lock(mu_);
  if (error_) std::rethrow_exception(error_);
}

void ChunkWorker::run(std::stop_token stop) {
  try {
    std::unique_ptr<IncrementalReader> reader = connector_.incremental_reader();
    while (!stop.stop_requested()) {
      Request r;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, stop, [&] { return pending_.has_value(); });
        if (stop.stop_requested()) return;
        r = std::move(*pending_);
        pending_.reset();
      }
      read_one(*reader, r);
    }
  } catch (...) {
    spdlog::debug("{}: incremental snapshot reader failed", context_);
    std::lock_guard lock(mu_);
    error_ = std::current_exception();
  }
}

void ChunkWorker::read_one(IncrementalReader& reader, const Request& r) {
  Result res;
  res.chunk_id = r.chunk_id;
  try {
    res.table = reader.describe(r.table);
  } catch (const TransientError&) {
    throw;
  } catch (const Error& e) {
    res.error = e.what();
  }
  {
    std::lock_guard lock(mu_);
    announced_chunk_ = r.chunk_id;
    announced_keys_.clear();
    if (res.table) {
      for (size_t k : res.table->order_key) {
        announced_keys_.push_back(res.table->schema->columns()[k].name);
      }
    }
  }
  reader.write_signals({{watermark_id_, kWindowOpen, r.chunk_id}});
  if (res.error.empty() && res.table && !res.table->order_key.empty()) {
    try {
      res.chunk = reader.read(*res.table, r.after, limit_, r.filter);
    } catch (const TransientError&) {
      throw;
    } catch (const Error& e) {
      res.error = e.what();
    }
  }
  {
    std::lock_guard lock(mu_);
    result_ = std::move(res);
  }
  reader.write_signals({{watermark_id_, kWindowClose, r.chunk_id}});
}

}  // namespace cdc
