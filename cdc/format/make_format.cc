// MakeFormat: picks the Format for the configured envelope.
#include "cdc/format.h"
#include "cdc/format/debezium_format.h"
#include "cdc/format/flat_format.h"

namespace cdc {

std::unique_ptr<Format> MakeFormat(const FormatOptions& options) {
  switch (options.envelope) {
    case FormatOptions::Envelope::kFlat:
      return std::make_unique<format::FlatFormat>();
    case FormatOptions::Envelope::kDebezium:
      break;
  }
  return std::make_unique<format::DebeziumFormat>(options);
}

}  // namespace cdc
