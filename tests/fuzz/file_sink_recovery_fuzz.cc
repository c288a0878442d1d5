// libFuzzer target: the file sink's recovery of a damaged directory. The
// input is split into a commit point and segment bytes: offsets.json names
// `length` committed bytes (and a record count) of events-000001.jsonl, whose
// content is the rest of the input, torn or corrupt as the mutations make it.
// recover() must repair what is repairable and refuse the rest with a
// cdc::Error; then reading the committed records back must not crash either.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "cdc/error.h"
#include "cdc/format.h"
#include "cdc/registry.h"
#include "sinks/file/directory_layout.h"
#include "sinks/file/file_sink.h"
#include "sinks/file/file_sink_reader.h"

namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  static const fs::path dir =
      fs::temp_directory_path() / ("cdcd-fuzz-file-sink-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string_view segment(reinterpret_cast<const char*>(data) + 3, size - 3);
  // Lengths around the segment's end matter most: up to 255 bytes past it.
  const uint64_t length = (data[0] | (uint64_t{data[1]} << 8)) % (segment.size() + 256);
  const uint64_t records = data[2];
  Write(dir / "offsets.json",
        "{\"version\":1,\"segment\":1,\"length\":" + std::to_string(length) +
            ",\"offset\":{\"tx\":\"t\",\"index\":1},\"committed_at\":\"2024-01-01T00:00:00.000Z\","
            "\"records\":" +
            std::to_string(records) + "}");
  Write(dir / cdc::filesink::SegmentName(1), segment);

  cdc::FileSinkOptions options;
  options.path = dir.string();
  options.fsync = false;
  cdc::FormatOptions format_options;
  cdc::PipelineContext ctx;
  ctx.pipeline_name = "fuzz";
  ctx.format = cdc::MakeFormat(format_options);
  try {
    std::unique_ptr<cdc::Sink> sink = cdc::MakeFileSink(
        cdc::ConfigNode(YAML::Load("type: file\npath: " + dir.string() + "\nfsync: false\n"),
                        "fuzz.yaml", "sink"),
        ctx);
    sink->recover();
  } catch (const cdc::Error&) {
  }
  try {
    cdc::ReadCommittedRecords(dir.string());
  } catch (const cdc::Error&) {
  }
  fs::remove_all(dir);
  return 0;
}
