// FileSink: an exactly-once sink into a directory of JSON Lines files.
//
//   sink:
//     type: file
//     path: /var/lib/cdcd/out   # required; created with its parents
//     rotate_bytes: 128MiB      # start a new segment past this size
//     fsync: true               # false: tests and benchmarks only
//     # plus the routing keys of TopicRouting::FromConfig (topic, topics, ...)
//
// Each event becomes the Records RecordBuilder makes of it (the same ones the
// Kafka sink publishes), each Record one line of a segment file; see
// record_line.h for the line and directory_layout.h for the files.
//
// commit(batch, next):
//   1. render the batch's lines into a buffer of about kPieceBytes;
//   2. before the batch's first bytes: if the current segment already holds
//      rotate_bytes or more, start the next one (create it, fsync the
//      directory);
//   3. append each full piece with write(2) and render on (memory stays at
//      one piece whatever the batch's size); after the last, fdatasync the
//      segment;
//   4. replace offsets.json atomically with (segment, length, next).
// A crash before step 4 completes leaves the previous offsets.json; recover()
// then cuts the segment back to the length it names. Rotation happens only
// between batches, so a batch always lies within one segment, and a segment
// may exceed rotate_bytes by up to one batch. An empty batch (or one whose
// events all route nowhere) only replaces offsets.json.
//
// recover() takes an exclusive flock on DIR/.lock (held for the sink's life,
// so a second process on the same directory fails instead of interleaving),
// removes a stale offsets.json.tmp, truncates the committed segment to the
// committed length, removes higher-numbered segments, and returns the
// committed offset. It refuses (Error) to touch a directory whose state
// contradicts offsets.json rather than start over and duplicate data:
// offsets.json unreadable, the committed segment shorter than committed,
// segments past the first without an offsets.json. Segments below the
// committed one are never touched again, so a consumer may archive them.
//
// fsync: false skips every fsync. A process crash still cannot break the
// guarantee (the kernel keeps the written pages), a power loss or kernel
// crash can: offsets.json may then name bytes that never reached the disk.
//
// metrics(): records_total and bytes_total (lines and bytes appended by
// committed batches), segment_fsyncs_total (fdatasync calls on segments, one
// per non-empty batch with fsync: true) and segments_rotated_total.
//
// Not thread-safe except metrics(): the pipeline calls one method at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/config_node.h"
#include "cdc/record.h"
#include "cdc/registry.h"
#include "cdc/sink.h"
#include "sinks/file/commit_point.h"
#include "sinks/file/posix_io.h"

namespace cdc {

struct FileSinkOptions {
  std::string path;
  uint64_t rotate_bytes = uint64_t{128} << 20;
  bool fsync = true;

  // Reads path, rotate_bytes and fsync (not the routing keys, not `type`).
  static FileSinkOptions FromConfig(const ConfigNode& config);
};

class FileSink : public Sink {
 public:
  // The size of the pieces a batch is written in (step 3).
  static constexpr size_t kPieceBytes = 1 << 20;

  FileSink(FileSinkOptions options, RecordBuilder builder);

  std::optional<Offset> recover() override;
  // Reads offsets.json only: no lock, no directory created, nothing changed.
  std::optional<Offset> committed_offset() override;
  void commit(const std::vector<ChangeEvent>& batch, const Offset& next) override;
  // The same steps with lines of the given records (a replay).
  void commit_records(const std::vector<Record>& records, const Offset& next) override;
  std::vector<SinkMetric> metrics() const override;

 private:
  std::string path_of(const std::string& name) const;
  void lock_directory();
  void remove_stale_tmp(std::vector<std::string>& actions);
  void remove_segments_after(uint64_t segment, const std::vector<uint64_t>& present,
                             std::vector<std::string>& actions);
  void trim_segment(const filesink::CommitPoint& cp, std::vector<std::string>& actions);
  void check_line_end(int fd, const filesink::CommitPoint& cp, const std::string& path);
  void open_segment(uint64_t segment, bool create_new);
  void require_ready();
  // One batch's writes: step 2 before its first piece, then step 3.
  struct BatchWrite {
    filesink::CommitPoint cp;  // where the batch's bytes go; length grows with them
    bool started = false;      // a piece was written (and the segment checked)
    uint64_t lines = 0, bytes = 0;
  };
  // Writes buffer_ when it holds a piece (or `last`), then empties it.
  void write_piece(BatchWrite& w, bool last);
  // Steps 3 (fsync) and 4, after the last piece.
  void finish_batch(BatchWrite& w, const Offset& next);

  FileSinkOptions options_;
  RecordBuilder builder_;
  filesink::UniqueFd lock_fd_;
  filesink::UniqueFd segment_fd_;  // the segment committed_ names, open for appending
  // What offsets.json holds. Valid while ready_.
  filesink::CommitPoint committed_;
  // recover() succeeded and no commit failed since. A failed commit may have
  // left bytes past the commit point, which only recover() removes.
  bool ready_ = false;
  // The piece being rendered, records straight into it; kept to reuse its memory.
  OutBuffer buffer_;
  OutBuffer scratch_;  // key or value of a format that does not write JSON
  // Read by metrics() on another thread; written only by commit().
  std::atomic<uint64_t> records_written_{0};
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<uint64_t> segment_fsyncs_{0};
  std::atomic<uint64_t> segments_rotated_{0};
};

// Builds a FileSink from a `sink:` block; see the top of this file.
std::unique_ptr<Sink> MakeFileSink(const ConfigNode& config, const PipelineContext& ctx);
// Registers MakeFileSink as sink type "file".
void RegisterFileSink(Registry& registry);

}  // namespace cdc
