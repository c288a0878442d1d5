// PacedWriter: a test's concurrent database writer. Runs write_tx(0),
// write_tx(1), ... on a thread of its own, at most `per_second` calls a
// second (0: as fast as it goes), until stop() or destruction, which joins:
// a failed ASSERT in the test body then unwinds without std::terminate.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace cdc::testing {

// Sanitizer builds run several times slower: tests whose writer must not
// outrun cdcd pace it there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif
#else
inline constexpr bool kSanitizerBuild = false;
#endif

class PacedWriter {
 public:
  PacedWriter(double per_second, std::function<void(int)> write_tx)
      : thread_([this, per_second, write_tx = std::move(write_tx)] {
          const auto start = std::chrono::steady_clock::now();
          for (int tx = 0; writing_; ++tx) {
            if (per_second > 0) {
              std::this_thread::sleep_until(
                  start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(tx / per_second)));
            }
            write_tx(tx);
          }
        }) {}
  ~PacedWriter() { stop(); }
  PacedWriter(const PacedWriter&) = delete;
  PacedWriter& operator=(const PacedWriter&) = delete;

  void stop() {
    writing_ = false;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> writing_{true};  // declared before thread_, which reads it
  std::thread thread_;
};

}  // namespace cdc::testing
