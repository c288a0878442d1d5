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

// Inside a catch block: throws the caught exception again with `prefix`
// before its message (and `suffix` after it), as the same kind, so that context added on the way up
// never turns a TransientError (a lost connection under a catalog lookup)
// into one that stops the pipeline. Other std::exceptions become an Error.
[[noreturn]] inline void RethrowWithContext(const std::string& prefix,
                                            const std::string& suffix = "") {
  try {
    throw;
  } catch (const ConfigError& e) {
    throw ConfigError(prefix + e.what() + suffix);
  } catch (const TransientError& e) {
    throw TransientError(prefix + e.what() + suffix);
  } catch (const HeldElsewhereError& e) {
    throw HeldElsewhereError(prefix + e.what() + suffix);
  } catch (const std::exception& e) {
    throw Error(prefix + e.what() + suffix);
  }
}

}  // namespace cdc
