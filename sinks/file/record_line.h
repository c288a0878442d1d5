// RecordLine: one Record as one line of a segment file (JSON Lines).
//
//   {"topic":"app.public.customers","key":{"id":1},"value":{"op":"c",...},
//    "headers":{"cdcd.event_id":"...","cdcd.op":"c","cdcd.source_ts_ms":"..."}}\n
//
// The key and value are the Format's bytes spliced verbatim into the line, so
// the file holds exactly the bytes the Kafka sink publishes; `null` stands for
// a null key or a tombstone's value. Whether the bytes are JSON is decided by
// a cheap look at them, not by parsing (which would cost as much as the format
// itself): a JSON literal or number, or text framed by {}, [] or "" with no
// line break in it. Bytes that fail the look (a future binary format, a pretty-
// printed document) are embedded as a JSON string instead; such bytes must be
// UTF-8 text, or AppendRecordLine throws Error. A Format that produces bytes
// that look like JSON but are malformed yields a line that does not parse.
// Bytes that read as `null` or as a JSON string are embedded too, so that a
// line reads back unambiguously (RecordLineParser): `null` is a null key or
// value, a string is embedded bytes, anything else is the bytes verbatim.
// A format that always writes JSON (Format::writes_json) renders key and
// value straight into the line: no look, no copy.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cdc/record.h"

namespace cdc::filesink {

// Appends the line for `record`, newline included, to `out`. `scratch`
// holds the key and value of a format that does not write JSON for the look.
void AppendRecordLine(const RecordRef& record, OutBuffer& out, OutBuffer& scratch);
// The same for a record already built (replay), and for a string.
void AppendRecordLine(const Record& record, OutBuffer& out);
void AppendRecordLine(const Record& record, std::string& out);

// The cheap look described above.
bool LooksLikeJson(std::string_view bytes);

// How many readable bytes must follow a line in memory for the parser (which
// reads ahead in blocks).
inline constexpr size_t kLinePadding = 64;

// Reads lines back into the Records they were made of, byte for byte.
// Reusable: keeps its buffers between lines. Not thread-safe.
class RecordLineParser {
 public:
  RecordLineParser();
  ~RecordLineParser();
  // Parses `line` (without its newline) into `out`. kLinePadding readable
  // bytes must follow `line`. Throws Error "<file>: byte <at>: ..." when the
  // line is not a record line; `at` is where the line starts in the file.
  void parse(std::string_view line, Record& out, const std::string& file, uint64_t at);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdc::filesink
