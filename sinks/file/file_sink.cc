#include "sinks/file/file_sink.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>

#include <cerrno>
#include <utility>

#include "cdc/error.h"
#include "sinks/file/directory_layout.h"
#include "sinks/file/record_line.h"

namespace cdc {

using filesink::CommitPoint;
using filesink::JoinPath;
using filesink::SegmentName;
using filesink::UniqueFd;

namespace {

// `lead` then the parts separated by "; "; nothing for no parts.
std::string Join(const char* lead, const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? lead : "; ") + p;
  return out;
}

}  // namespace

FileSinkOptions FileSinkOptions::FromConfig(const ConfigNode& config) {
  FileSinkOptions o;
  o.path = config.get_string("path");
  if (o.path.empty()) config.child("path").fail("must name a directory");
  o.rotate_bytes = config.get_size("rotate_bytes", o.rotate_bytes);
  if (o.rotate_bytes == 0) config.child("rotate_bytes").fail("must be at least 1 byte");
  o.fsync = config.get_bool("fsync", o.fsync);
  return o;
}

FileSink::FileSink(FileSinkOptions options, RecordBuilder builder)
    : options_(std::move(options)), builder_(std::move(builder)) {}

std::string FileSink::path_of(const std::string& name) const {
  return JoinPath(options_.path, name);
}

std::optional<Offset> FileSink::recover() {
  ready_ = false;
  segment_fd_.reset();
  filesink::MakeDirs(options_.path, options_.fsync);
  lock_directory();

  std::vector<std::string> actions;
  remove_stale_tmp(actions);
  std::optional<CommitPoint> cp = filesink::ReadCommitPoint(options_.path);
  std::vector<uint64_t> present = filesink::ListSegments(options_.path);
  // Rotation needs a committed length of at least rotate_bytes (>= 1), so
  // before the first commit only segment 1 can exist. A later one means
  // offsets.json was lost: starting over would publish its data twice.
  if (!cp && !present.empty() && present.back() > 1) {
    throw Error("file sink " + options_.path + " holds " + SegmentName(present.back()) +
                " but no " + filesink::kOffsetsFile +
                ": the commit point was lost; refusing to start over, which would duplicate data "
                "(restore offsets.json, or empty the directory to start afresh)");
  }
  CommitPoint point = cp.value_or(CommitPoint{});
  remove_segments_after(point.segment, present, actions);
  trim_segment(point, actions);
  if (!actions.empty() && options_.fsync) filesink::SyncDir(options_.path);
  open_segment(point.segment, /*create_new=*/false);
  committed_ = point;
  ready_ = true;

  if (cp) {
    spdlog::info("file sink {}: recovered offset {} ({} bytes into {}, {} records){}",
                 options_.path, cp->offset.debug_string(), cp->length, SegmentName(cp->segment),
                 cp->records, Join("; ", actions));
    return cp->offset;
  }
  if (actions.empty()) {
    spdlog::info("file sink {}: nothing committed yet", options_.path);
  } else {
    spdlog::warn("file sink {}: nothing committed yet (no {}), discarded uncommitted leftovers{}",
                 options_.path, filesink::kOffsetsFile, Join(": ", actions));
  }
  return std::nullopt;
}

std::optional<Offset> FileSink::committed_offset() {
  // A missing directory reads as a missing offsets.json: nothing committed.
  std::optional<CommitPoint> cp = filesink::ReadCommitPoint(options_.path);
  if (!cp) return std::nullopt;
  return cp->offset;
}

void FileSink::commit(const std::vector<ChangeEvent>& batch, const Offset& next) {
  require_ready();
  BatchWrite w{committed_};
  buffer_.clear();
  // Each record's line goes straight into the piece.
  struct Lines final : RecordWriter {
    FileSink& sink;
    BatchWrite& w;
    Lines(FileSink& s, BatchWrite& bw) : sink(s), w(bw) {}
    void write(const RecordRef& r) override {
      filesink::AppendRecordLine(r, sink.buffer_, sink.scratch_);
      ++w.lines;
    }
  } lines(*this, w);
  for (const ChangeEvent& ev : batch) {
    builder_.build(ev, lines);
    write_piece(w, /*last=*/false);
  }
  write_piece(w, /*last=*/true);
  finish_batch(w, next);
}

void FileSink::commit_records(const std::vector<Record>& records, const Offset& next) {
  require_ready();
  BatchWrite w{committed_};
  buffer_.clear();
  for (const Record& r : records) {
    filesink::AppendRecordLine(r, buffer_);
    write_piece(w, /*last=*/false);
  }
  w.lines = records.size();
  write_piece(w, /*last=*/true);
  finish_batch(w, next);
}

void FileSink::require_ready() {
  if (!ready_) {
    throw Error("file sink " + options_.path + ": commit() needs a successful recover() first");
  }
  ready_ = false;  // until this commit succeeds
}

void FileSink::write_piece(BatchWrite& w, bool last) {
  if (buffer_.empty() || (!last && buffer_.size() < kPieceBytes)) return;
  filesink::CommitPoint& cp = w.cp;
  const std::string path = path_of(SegmentName(cp.segment));
  if (!w.started) {
    if (cp.length >= options_.rotate_bytes) {
      ++cp.segment;
      cp.length = 0;
      open_segment(cp.segment, /*create_new=*/true);
      segments_rotated_.fetch_add(1, std::memory_order_relaxed);
      return write_piece(w, last);  // the new segment's path
    }
    // O_APPEND writes at the end of the file, which must be the commit point.
    const uint64_t size = filesink::FileSize(segment_fd_.get(), path);
    if (size != cp.length) {
      throw Error(path + " is " + std::to_string(size) + " bytes long but " +
                  std::to_string(cp.length) + " are committed: it was changed outside this sink");
    }
    w.started = true;
  }
  filesink::WriteAll(segment_fd_.get(), buffer_.view(), path);
  cp.length += buffer_.size();
  w.bytes += buffer_.size();
  buffer_.clear();
}

void FileSink::finish_batch(BatchWrite& w, const Offset& next) {
  filesink::CommitPoint& cp = w.cp;
  if (w.started && options_.fsync) {
    filesink::SyncData(segment_fd_.get(), path_of(SegmentName(cp.segment)));
    segment_fsyncs_.fetch_add(1, std::memory_order_relaxed);
  }
  cp.records += w.lines;
  cp.offset = next;
  // Only now may offsets.json name the new bytes: they are on disk.
  filesink::WriteCommitPoint(options_.path, cp, options_.fsync);
  committed_ = std::move(cp);
  ready_ = true;
  records_written_.fetch_add(w.lines, std::memory_order_relaxed);
  bytes_written_.fetch_add(w.bytes, std::memory_order_relaxed);
}

std::vector<SinkMetric> FileSink::metrics() const {
  using T = SinkMetric::Type;
  auto value = [](const std::atomic<uint64_t>& v) {
    return static_cast<double>(v.load(std::memory_order_relaxed));
  };
  return {
      {"records_total", T::kCounter, "Record lines in committed batches.", value(records_written_)},
      {"bytes_total", T::kCounter, "Bytes of those lines.", value(bytes_written_)},
      {"segment_fsyncs_total", T::kCounter,
       "fdatasync calls making a batch's lines durable (one per non-empty batch with fsync on).",
       value(segment_fsyncs_)},
      {"segments_rotated_total", T::kCounter, "Segment files started past rotate_bytes.",
       value(segments_rotated_)},
  };
}

void FileSink::lock_directory() {
  if (lock_fd_.valid()) return;  // recover() after a failure: still ours
  std::string path = path_of(filesink::kLockFile);
  UniqueFd fd = filesink::OpenFile(path, O_RDWR | O_CREAT);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      throw HeldElsewhereError("another cdcd process is writing " + options_.path +
                               " (lock held on " + path + ")");
    }
    filesink::ThrowErrno("flock", path);
  }
  lock_fd_ = std::move(fd);
}

void FileSink::remove_stale_tmp(std::vector<std::string>& actions) {
  if (filesink::RemoveFile(path_of(filesink::kOffsetsTmpFile))) {
    actions.push_back(std::string("removed stale ") + filesink::kOffsetsTmpFile);
  }
}

void FileSink::remove_segments_after(uint64_t segment, const std::vector<uint64_t>& present,
                                     std::vector<std::string>& actions) {
  for (uint64_t n : present) {
    if (n <= segment) continue;
    std::string path = path_of(SegmentName(n));
    std::optional<uint64_t> size = filesink::PathSize(path);
    filesink::RemoveFile(path);
    actions.push_back("removed " + SegmentName(n) + " (" + std::to_string(size.value_or(0)) +
                      " uncommitted bytes)");
  }
}

void FileSink::trim_segment(const CommitPoint& cp, std::vector<std::string>& actions) {
  std::string name = SegmentName(cp.segment);
  std::string path = path_of(name);
  std::optional<uint64_t> size = filesink::PathSize(path);
  std::string committed = std::to_string(cp.length) + " bytes were committed to it";
  if (!size) {
    if (cp.length == 0) return;  // open_segment() creates it
    throw Error(path + " is missing but " + path_of(filesink::kOffsetsFile) + " says " + committed +
                ": committed data was lost outside cdcd");
  }
  if (*size < cp.length) {
    throw Error(path + " holds " + std::to_string(*size) + " bytes but " +
                path_of(filesink::kOffsetsFile) + " says " + committed +
                ": committed data was lost outside cdcd");
  }
  UniqueFd fd = filesink::OpenFile(path, O_RDWR);
  if (*size > cp.length) {
    filesink::Truncate(fd.get(), cp.length, path);
    if (options_.fsync) filesink::SyncFile(fd.get(), path);
    actions.push_back("truncated " + name + " from " + std::to_string(*size) + " to " +
                      std::to_string(cp.length) + " bytes");
  }
  check_line_end(fd.get(), cp, path);
}

void FileSink::check_line_end(int fd, const CommitPoint& cp, const std::string& path) {
  // Every commit ends with a whole line; anything else means the file is
  // not the one offsets.json describes.
  if (cp.length == 0) return;
  if (filesink::ReadAt(fd, cp.length - 1, 1, path) != "\n") {
    throw Error(path + ": byte " + std::to_string(cp.length - 1) + " does not end a line, though " +
                path_of(filesink::kOffsetsFile) +
                " says the committed data ends there: the file was changed outside cdcd");
  }
}

void FileSink::open_segment(uint64_t segment, bool create_new) {
  std::string path = path_of(SegmentName(segment));
  bool existed = !create_new && filesink::PathSize(path).has_value();
  segment_fd_ =
      filesink::OpenFile(path, O_WRONLY | O_APPEND | O_CREAT | (create_new ? O_TRUNC : 0));
  // The new entry must be durable before offsets.json may name the segment.
  if (!existed && options_.fsync) filesink::SyncDir(options_.path);
}

std::unique_ptr<Sink> MakeFileSink(const ConfigNode& config, const PipelineContext& ctx) {
  config.mark_used("type");
  FileSinkOptions options = FileSinkOptions::FromConfig(config);
  TopicRouting routing =
      TopicRouting::FromConfig(config, ctx.pipeline_name, ctx.format_options.tombstones);
  config.reject_unknown_keys();
  if (!ctx.format) throw Error("file sink " + options.path + ": the pipeline has no format");
  return std::make_unique<FileSink>(std::move(options),
                                    RecordBuilder(std::move(routing), ctx.format));
}

void RegisterFileSink(Registry& registry) {
  registry.add_sink("file", MakeFileSink);
}

}  // namespace cdc
