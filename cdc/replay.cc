#include "cdc/replay.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "cdc/format/envelope_reader.h"

namespace cdc {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kTxPrefix[] = "replay:";
constexpr uint64_t kProgressEvery = 4096;  // records between progress calls

// Which records a replay keeps; see ReplayOptions::tables.
class ReplayFilter {
 public:
  explicit ReplayFilter(const ReplayOptions& options) : o_(options) {}

  bool keep(const Record& r) {
    if (!o_.filtered()) return true;
    reader_.read(r, view_);
    if (view_.kind == ChangeView::Kind::kTombstone) {
      // A tombstone follows its delete (same topic and key) and shares its fate.
      auto it = last_delete_.find(r.topic);
      return it != last_delete_.end() && r.key == it->second.first && it->second.second;
    }
    if (view_.kind != ChangeView::Kind::kChange) return false;
    bool keep = o_.tables.empty() ||
                std::any_of(o_.tables.begin(), o_.tables.end(),
                            [&](const std::string& t) { return TableNameMatches(view_.table, t); });
    if (o_.since_us || o_.until_us) {
      keep = keep && view_.commit_ts_us && (!o_.since_us || *view_.commit_ts_us >= *o_.since_us) &&
             (!o_.until_us || *view_.commit_ts_us <= *o_.until_us);
    }
    if (view_.op == 'd') last_delete_[r.topic] = {r.key, keep};
    return keep;
  }

 private:
  const ReplayOptions& o_;
  EnvelopeReader reader_;
  ChangeView view_;
  std::map<std::string, std::pair<std::optional<std::string>, bool>> last_delete_;
};

// Reads until a change of every filter table was seen; CaptureError naming
// the ones the capture does not hold.
void CheckTablesPresent(CaptureReader& reader, const std::vector<std::string>& tables) {
  std::set<std::string> missing(tables.begin(), tables.end());
  std::set<std::string> seen;
  EnvelopeReader envelopes;
  ChangeView view;
  Record r;
  spdlog::info("replay: checking that {} holds changes of {}", reader.describe(),
               tables.size() == 1 ? tables[0] : std::to_string(tables.size()) + " tables");
  while (!missing.empty() && reader.next(r)) {
    envelopes.read(r, view);
    if (view.kind != ChangeView::Kind::kChange || view.table.empty()) continue;
    if (seen.size() < 50) seen.insert(view.table);
    for (auto it = missing.begin(); it != missing.end();) {
      it = TableNameMatches(view.table, *it) ? missing.erase(it) : std::next(it);
    }
  }
  if (missing.empty()) return;
  std::string names, known;
  for (const std::string& t : missing) names += (names.empty() ? "" : ", ") + t;
  for (const std::string& t : seen) known += (known.empty() ? "" : ", ") + t;
  throw CaptureError("capture " + reader.describe() + " holds no change of table " + names +
                     " (it holds " + (known.empty() ? "no table changes" : known) + ")");
}

std::string Rename(const ReplayOptions& o, const std::string& topic) {
  auto it = o.topic_renames.find(topic);
  return o.topic_prefix + (it == o.topic_renames.end() ? topic : it->second);
}

// The replay's own state in the target's committed offset.
struct Committed {
  std::optional<nlohmann::json> position;
  uint64_t read = 0, written = 0;
};

Committed CheckCommitted(const std::optional<Offset>& offset, const std::string& from,
                         const ReplayOptions& o) {
  if (!offset) return {};
  const std::string tx = kTxPrefix + o.name;
  const nlohmann::json* state = offset->state.is_object() && offset->state.contains("replay")
                                    ? &offset->state["replay"]
                                    : nullptr;
  if (offset->tx.rfind(kTxPrefix, 0) != 0 || !state || !state->is_object()) {
    throw CaptureError("the target already holds a pipeline's committed output (offset " +
                       offset->debug_string() +
                       "), not a replay: replay into an empty directory, or into Kafka");
  }
  const auto field = [&](const char* name) { return state->value(name, nlohmann::json()); };
  if (offset->tx != tx || field("from") != from || field("options") != o.identity()) {
    const nlohmann::json name = field("name");
    throw CaptureError("the target holds replay '" +
                       (name.is_string() ? name.get<std::string>() : name.dump()) + "' of " +
                       field("from").dump() + " with options " + field("options").dump() +
                       "; this replay is '" + o.name + "' of \"" + from + "\" with options " +
                       o.identity().dump() +
                       ": repeat that one's command to resume it, or give this one another "
                       "--name (Kafka) or an empty directory");
  }
  Committed c;
  c.position = field("position");
  c.read = field("read").get<uint64_t>();
  c.written = field("written").get<uint64_t>();
  return c;
}

class ReplayRun {
 public:
  ReplayRun(const ReplayOptions& o, Sink& target,
            const std::function<void(const ReplayProgress&)>& on_progress)
      : o_(o), target_(target), on_progress_(on_progress), filter_(o) {}

  // One attempt from the committed position; true when the capture ended.
  bool run(CaptureReader& reader, const Committed& from, std::stop_token stop) {
    read_ = from.read;
    written_ = from.written;
    read_at_commit_ = read_;
    from_ = reader.describe();
    last_commit_ = Clock::now();
    Record r;
    while (!stop.stop_requested()) {
      if (!reader.next(r)) {
        if (read_ > read_at_commit_ || !from.position) commit(reader);
        report(reader);
        return true;
      }
      ++read_;
      if (filter_.keep(r)) {
        bytes_ += r.topic.size() + (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
        r.topic = Rename(o_, r.topic);
        batch_.push_back(std::move(r));
        r = Record{};
      }
      if (batch_.size() >= o_.max_records || bytes_ >= o_.max_bytes ||
          Clock::now() - last_commit_ >= o_.commit_every) {
        commit(reader);
      }
      if (read_ % kProgressEvery == 0) report(reader);
    }
    if (read_ > read_at_commit_) commit(reader);
    report(reader);
    return false;
  }

  uint64_t read() const { return read_; }
  uint64_t written() const { return written_; }

 private:
  void commit(const CaptureReader& reader) {
    nlohmann::json state = {{"replay",
                             {{"name", o_.name},
                              {"from", from_},
                              {"options", o_.identity()},
                              {"position", reader.position()},
                              {"read", read_},
                              {"written", written_ + batch_.size()}}}};
    target_.commit_records(batch_, Offset{kTxPrefix + o_.name, written_ + batch_.size(), state});
    written_ += batch_.size();
    batch_.clear();
    bytes_ = 0;
    read_at_commit_ = read_;
    last_commit_ = Clock::now();
  }

  void report(const CaptureReader& reader) {
    if (on_progress_) on_progress_({reader.progress(), read_, written_});
  }

  const ReplayOptions& o_;
  Sink& target_;
  const std::function<void(const ReplayProgress&)>& on_progress_;
  ReplayFilter filter_;
  std::string from_;
  std::vector<Record> batch_;
  uint64_t bytes_ = 0, read_ = 0, written_ = 0, read_at_commit_ = 0;
  Clock::time_point last_commit_;
};

// Sleeps the backoff for the n-th consecutive failure; false if stopped.
bool BackOff(const ReplayOptions& o, int failures, std::stop_token stop) {
  auto delay = std::min<std::chrono::milliseconds>(
      o.initial_backoff * (1LL << std::min(failures - 1, 16)), o.max_backoff);
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, delay, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace

nlohmann::json ReplayOptions::identity() const {
  nlohmann::json renames = nlohmann::json::object();
  for (const auto& [from, to] : topic_renames) renames[from] = to;
  return {{"tables", tables},
          {"since_us", since_us ? nlohmann::json(*since_us) : nlohmann::json()},
          {"until_us", until_us ? nlohmann::json(*until_us) : nlohmann::json()},
          {"topic_renames", renames},
          {"topic_prefix", topic_prefix}};
}

ReplayResult RunReplay(const CaptureOpener& open, Sink& target, const ReplayOptions& options,
                       const std::function<void(const ReplayProgress&)>& on_progress,
                       std::stop_token stop) {
  ReplayResult result;
  bool checked_tables = false;
  uint64_t last_committed = 0;
  for (int failures = 0;;) {
    try {
      std::unique_ptr<CaptureReader> reader = open();
      // Checked before recover(), which may create and lock things: a
      // replay refused here leaves the target as it was.
      if (!checked_tables) {
        const Committed peek =
            CheckCommitted(target.committed_offset(), reader->describe(), options);
        if (!peek.position && !options.tables.empty()) {
          CheckTablesPresent(*reader, options.tables);
          reader = open();
        }
        checked_tables = true;
      }
      const Committed committed = CheckCommitted(target.recover(), reader->describe(), options);
      if (committed.read > last_committed) failures = 0;  // the last attempt got somewhere
      last_committed = committed.read;
      result.resumed = committed.position.has_value();
      if (committed.position) {
        reader->seek(*committed.position);
        spdlog::info("replay {}: resuming {} after {} records read, {} written", options.name,
                     reader->describe(), committed.read, committed.written);
      }
      ReplayRun run(options, target, on_progress);
      result.completed = run.run(*reader, committed, stop);
      result.read = run.read();
      result.written = run.written();
      return result;
    } catch (const TransientError& e) {
      if (++failures > options.max_retries) throw;
      spdlog::warn("replay {}: {} (retry {} of {}, resuming from the committed position)",
                   options.name, e.what(), failures, options.max_retries);
      if (!BackOff(options, failures, stop)) return result;
    }
  }
}

}  // namespace cdc
