// Helpers shared by cdcd's tests: scratch directories, sample schemas and
// events, and access to the throwaway servers started by tests/services.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "cdc/change_event.h"
#include "cdc/source.h"

namespace cdc::testing {

// A fresh directory under the system temp dir, removed with its contents
// when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::filesystem::path& p);
void WriteFile(const std::filesystem::path& p, const std::string& content);

// Table "inventory.public.customers" (id int32 key, name string, score
// decimal(10,2) nullable) in database "inventory", schema "public".
TableSchemaPtr CustomersSchema();

// An event on CustomersSchema() with a deterministic id and offset: tx
// "tx-<tx>", `next` = {tx, index + 1}. Create/read carry only after, delete
// only before, update both.
ChangeEvent CustomerEvent(Op op, int32_t id, const std::string& name, uint64_t tx, uint64_t index);

// An Emitter that keeps every event, never blocking: for running a source
// to completion in a test.
class CollectingEmitter : public Emitter {
 public:
  bool emit(ChangeEvent&& ev) override;
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) override;
  std::vector<ChangeEvent> events;
  // Builds each event's deferred offset state as it comes, as the pipeline
  // does for what it commits (so tests can read `next.state`).
  bool resolve_offsets = true;
};

// The value of KEY from STATE_DIR/<service>.env, written by
// `tests/services/svc start <service> STATE_DIR`; STATE_DIR comes from the
// CDCD_TEST_SERVICES_DIR environment variable. nullopt when not available.
std::optional<std::string> ServiceEnv(const std::string& service, const std::string& key);

// True when CDCD_REQUIRE_SERVICES is set (CI): a missing service is then a
// failure instead of a skip.
bool ServicesRequired();

}  // namespace cdc::testing

// Declares `std::string var` = KEY of SERVICE's env file, or ends the test:
// skipped on a developer machine without the service, failed in CI.
#define CDCD_SERVICE_ENV_OR_SKIP(var, service, key)                            \
  std::string var;                                                             \
  if (auto found_ = ::cdc::testing::ServiceEnv(service, key)) {                \
    var = *found_;                                                             \
  } else if (::cdc::testing::ServicesRequired()) {                             \
    FAIL() << "service " << service << " is not running (no " << key           \
           << " in $CDCD_TEST_SERVICES_DIR/" << service << ".env)";            \
  } else {                                                                     \
    GTEST_SKIP() << "service " << service << " is not running; start it with " \
                 << "tests/services/svc start " << service << " DIR";          \
  }

namespace cdc::testing {

// Path of a file in the source tree / build tree.
std::filesystem::path SourcePath(const std::string& relative);
std::filesystem::path BinaryPath(const std::string& relative);

}  // namespace cdc::testing
