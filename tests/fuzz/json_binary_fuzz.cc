// libFuzzer target: MySQL's binary JSON (a JSON column's value in a rows
// event) to text, on arbitrary bytes: a cdc::Error or text, nothing else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cdc/error.h"
#include "sources/mysql/json_binary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    cdc::mysql::JsonBinaryToText(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const cdc::Error&) {
  }
  return 0;
}
