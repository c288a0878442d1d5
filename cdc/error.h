// Error types. cdcd reports every failure as an exception that says what went
// wrong and where (config line, table, LSN, binlog position). There are three
// kinds, and the kind decides what the daemon does:
//
//   ConfigError     the user's input is wrong; fix it and start again (exit 2).
//   TransientError  the world is briefly unavailable (database restarting,
//                   broker down); the pipeline backs off, recovers the sink's
//                   committed offset and resumes from it.
//   HeldElsewhereError  another process holds what the pipeline needs to
//                   itself (the file sink's directory lock, the Kafka sink's
//                   lease, the PostgreSQL slot): a pipeline with `standby:
//                   true` waits and tries again, any other stops.
//   Error           anything else; the pipeline stops with the message.
#pragma once

#include <stdexcept>
#include <string>

namespace cdc {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConfigError : public Error {
 public:
  using Error::Error;
};

class TransientError : public Error {
 public:
  using Error::Error;
};

class HeldElsewhereError : public Error {
 public:
  using Error::Error;
};

}  // namespace cdc
