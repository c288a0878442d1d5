#include "cdc/coordinated_source.h"

namespace cdc {

CoordinatedSource::CoordinatedSource(CoordinatorOptions options,
                                     std::unique_ptr<SourceConnector> connector)
    : connector_(std::move(connector)), coordinator_(std::move(options), *connector_) {}

CoordinatedSource::~CoordinatedSource() = default;

void CoordinatedSource::run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) {
  coordinator_.run(from, out, stop);
}

void CoordinatedSource::acknowledge(const Offset& committed) {
  coordinator_.acknowledge(committed);
}

std::string CoordinatedSource::request_snapshot(const std::vector<std::string>& tables,
                                                const std::string& where) {
  return coordinator_.request_snapshot(tables, where);
}

SnapshotStatus CoordinatedSource::snapshot_status() const {
  return coordinator_.snapshot_status();
}

}  // namespace cdc
