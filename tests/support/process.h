// A child process for tests: cdcd started with arguments, its
// output captured to a file, stopped by any signal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace cdc::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`; stdout and stderr go to `log_path` (appended).
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();  // SIGKILLs the child if it still runs

  void signal(int sig);
  // Waits for exit; returns the exit status, or 128 + signal number.
  int wait();
  // Waits up to `timeout`; true and sets `status` when it exited.
  bool wait_for(std::chrono::milliseconds timeout, int& status);

 private:
  pid_t pid_ = -1;
};

}  // namespace cdc::testing
