// The sources and sinks compiled into cdcd, by config `type`.
#pragma once

#include "cdc/registry.h"

namespace cdc {

Registry BuiltinRegistry();

}  // namespace cdc
