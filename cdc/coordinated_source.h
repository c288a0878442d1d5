// CoordinatedSource: a database Source assembled from its two halves, a
// database-specific SourceConnector and the shared SourceCoordinator. A
// database source is a connector plus the coordinator's settings; it
// inherits everything the Source contract asks for from here.
//
// The source owns its connector; the coordinator only refers to it, and is
// destroyed first.
#pragma once

#include <memory>

#include "cdc/source.h"
#include "cdc/source_connector.h"
#include "cdc/source_coordinator.h"

namespace cdc {

class CoordinatedSource : public Source {
 public:
  CoordinatedSource(CoordinatorOptions options, std::unique_ptr<SourceConnector> connector);
  ~CoordinatedSource() override;

  void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) final;
  void acknowledge(const Offset& committed) final;
  std::string request_snapshot(const std::vector<std::string>& tables,
                               const std::string& where) final;
  SnapshotStatus snapshot_status() const final;
  std::optional<uint64_t> lag_bytes() const final { return connector_->lag_bytes(); }

 protected:
  const SourceConnector& connector() const { return *connector_; }

 private:
  std::unique_ptr<SourceConnector> connector_;
  SourceCoordinator coordinator_;
};

}  // namespace cdc
