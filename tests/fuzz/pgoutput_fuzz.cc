// libFuzzer target: the walsender's CopyData framing and the pgoutput
// decoder, on arbitrary bytes. Bad input must end in a cdc::Error, never a
// crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cdc/error.h"
#include "sources/postgres/pgoutput_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    cdc::pg::ParseCopyData(bytes);
  } catch (const cdc::Error&) {
  }
  try {
    cdc::pg::DecodePgOutput(bytes);
  } catch (const cdc::Error&) {
  }
  return 0;
}
