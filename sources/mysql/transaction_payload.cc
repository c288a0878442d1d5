#include "sources/mysql/transaction_payload.h"

#include <zstd.h>

#include "cdc/error.h"
#include "sources/mysql/binlog_event_reader.h"
#include "sources/mysql/byte_cursor.h"

namespace cdc::mysql {

namespace {

enum Field : uint64_t {
  kEndMark = 0,
  kPayloadSize = 1,
  kCompressionType = 2,
  kUncompressedSize = 3
};
constexpr uint64_t kZstd = 0;
constexpr uint64_t kNone = 255;
constexpr uint64_t kMaxUncompressed = uint64_t{1} << 32;  // sanity bound against garbage

std::string Decompress(std::string_view in, uint64_t expected) {
  if (expected > kMaxUncompressed) throw Error("transaction payload too large");
  // Check the frame's own size claim before allocating for it.
  unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) throw Error("transaction payload is not a zstd frame");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != expected) {
    throw Error("transaction payload sizes disagree");
  }
  std::string out(expected, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) throw Error(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != expected) throw Error("transaction payload decompressed to unexpected size");
  return out;
}

}  // namespace

TransactionPayloadEvent ParseTransactionPayload(const BinlogEvent& outer) {
  ByteCursor c(outer.body);
  TransactionPayloadEvent t;
  for (;;) {
    uint64_t type = c.packed();
    if (type == kEndMark) break;
    size_t len = c.packed_length("payload header field");
    ByteCursor f(c.bytes(len));
    uint64_t value = f.packed();
    if (type == kPayloadSize)
      t.payload_size = value;
    else if (type == kCompressionType)
      t.compression_type = value;
    else if (type == kUncompressedSize)
      t.uncompressed_size = value;
  }
  std::string_view payload = c.rest();
  if (t.payload_size != payload.size()) throw Error("transaction payload size mismatch");
  std::string raw;
  if (t.compression_type == kZstd) {
    raw = Decompress(payload, t.uncompressed_size);
  } else if (t.compression_type == kNone) {
    raw = std::string(payload);
  } else {
    throw Error("unknown transaction payload compression " + std::to_string(t.compression_type));
  }
  ByteCursor in(raw);
  while (!in.empty()) {
    BinlogEvent ev;
    ev.header = ParseEventHeader(in.bytes(kEventHeaderSize, "inner event header"));
    if (ev.header.event_size < kEventHeaderSize) throw Error("corrupt inner event size");
    ev.body = std::string(in.bytes(ev.header.event_size - kEventHeaderSize, "inner event"));
    ev.file = outer.file;
    ev.position = outer.position;
    t.events.push_back(std::move(ev));
  }
  return t;
}

}  // namespace cdc::mysql
