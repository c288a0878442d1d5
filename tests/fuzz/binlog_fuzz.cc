// libFuzzer target: a binlog file, read event by event (checksums not
// verified, so mutations reach the decoders), every event decoded (every
// type, TRANSACTION_PAYLOAD's inner ones too) and assembled into change
// events. Seeds: the fixture binlogs. Bad input must end in a cdc::Error.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cdc/error.h"
#include "sources/mysql/binlog_event_decoder.h"
#include "sources/mysql/binlog_event_reader.h"
#include "sources/mysql/event_assembler.h"

namespace {

using namespace cdc::mysql;

void Assemble(EventAssembler& assembler, DecodedEvent d, uint64_t end) {
  std::vector<cdc::ChangeEvent> out;
  assembler.feed(d, end, out);
  if (assembler.replay_from()) {  // an XA commit: no second dump here
    std::vector<cdc::ChangeEvent> rest;
    assembler.end_replay(rest);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The reader reads files: hand it the input as one in memory.
  const int fd = memfd_create("binlog", 0);
  if (fd < 0) return 0;
  if (write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    BinlogFileReader reader(path, "fuzz.000001");
    reader.set_verify_checksums(false);
    BinlogEventDecoder decoder;
    EventAssembler::Options options;
    options.server_name = "fuzz";
    options.captured = [](const std::string&, const std::string&) { return true; };
    EventAssembler assembler(options);
    StreamStart start;
    start.position = BinlogPosition{"fuzz.000001", 4};
    assembler.reset(start, true);
    for (int n = 0; n < 10000; ++n) {
      std::optional<BinlogEvent> ev = reader.next();
      if (!ev) break;
      const uint64_t end = ev->position + ev->header.event_size;
      DecodedEvent d = decoder.decode(*ev);
      if (const auto* payload = std::get_if<TransactionPayloadEvent>(&d.body)) {
        for (const BinlogEvent& inner : payload->events)
          Assemble(assembler, decoder.decode(inner), end);
      } else {
        Assemble(assembler, d, end);
      }
    }
  } catch (const cdc::Error&) {
  }
  close(fd);
  return 0;
}
