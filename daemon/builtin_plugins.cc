#include "daemon/builtin_plugins.h"

#include "sinks/file/file_capture_reader.h"
#include "sinks/file/file_sink.h"
#include "sinks/kafka/kafka_capture_reader.h"
#include "sinks/kafka/kafka_transactional_sink.h"
#include "sources/generator/generator_source.h"
#include "sources/mysql/mysql_source.h"
#include "sources/postgres/postgres_source.h"

namespace cdc {

Registry BuiltinRegistry() {
  Registry r;
  RegisterGeneratorSource(r);
  RegisterPostgresSource(r);
  RegisterMySqlSource(r);
  RegisterFileSink(r);
  RegisterKafkaSink(r);
  RegisterFileCapture(r);
  RegisterKafkaCapture(r);
  return r;
}

}  // namespace cdc
