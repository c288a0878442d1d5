// ChunkWorker: the thread that reads an incremental snapshot's chunks, so
// that the stream never waits for a read.
//
// For each requested chunk, on a connection of its own (IncrementalReader):
//   1. describe the table now (schema, order key) and announce its key
//      columns, so the stream can tell which events touch the chunk;
//   2. write the low watermark (signal snapshot-window-open, the chunk id);
//   3. read the chunk: at most `limit` rows after the last key, in key order;
//   4. keep the rows for the stream thread;
//   5. write the high watermark (snapshot-window-close).
// The stream sees the watermarks in commit order; when it reaches the high
// one, the rows are ready (they were kept before it was written). One chunk
// is in flight at a time. A table that cannot be read (an Error: a filter
// that is not valid SQL, key_columns naming a missing column) gives a result
// with `error`, so that one bad request does not stop the pipeline; any
// other failure (a lost connection) is kept and rethrown on the stream
// thread by rethrow().
#pragma once

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cdc/source_connector.h"

namespace cdc {

class ChunkWorker {
 public:
  struct Request {
    std::string chunk_id;
    std::string table;
    std::string filter;
    std::optional<std::vector<std::string>> after;
  };
  struct Result {
    std::string chunk_id;
    std::optional<SnapshotTable> table;  // nullopt: no longer captured
    SnapshotChunk chunk;                 // empty when the table has no order key
    std::string error;                   // the table could not be read (bad filter, key_columns...)
  };

  // `watermark_id`: the id of this pipeline's watermark row.
  ChunkWorker(SourceConnector& connector, std::string watermark_id, int64_t limit,
              std::string context);
  ~ChunkWorker();  // stops and joins

  // Starts the next chunk (the thread is started on the first request).
  void request(Request r);
  // The key columns of the chunk being read, once announced (before its low
  // watermark is written).
  std::optional<std::vector<std::string>> key_names(const std::string& chunk_id);
  // The result of `chunk_id`, once kept; nullopt otherwise.
  std::optional<Result> take(const std::string& chunk_id);
  // Rethrows the thread's failure, if any.
  void rethrow();

 private:
  void run(std::stop_token stop);
  void read_one(IncrementalReader& reader, const Request& r);

  SourceConnector& connector_;
  const std::string watermark_id_;
  const int64_t limit_;
  const std::string context_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::optional<Request> pending_;
  std::string announced_chunk_;
  std::vector<std::string> announced_keys_;
  std::optional<Result> result_;
  std::exception_ptr error_;
  std::jthread thread_;  // last: joined first
};

}  // namespace cdc
