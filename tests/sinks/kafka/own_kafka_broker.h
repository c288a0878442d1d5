// OwnKafkaBroker: a Kafka broker of the test's own, to stop and restart.
//
// The shared broker of the svc_kafka fixture must stay up for the other
// tests, so a test that takes the broker away starts its own with
// `tests/services/svc start kafka <own state dir>`. `svc` has no restart
// that keeps the port and the data, so kill() SIGKILLs the broker process
// (a crash, not a clean shutdown) and restart() runs its exact command line
// again in its data dir: same port, same log dirs, same cluster id. The
// destructor kills whatever runs and lets `svc stop` remove the data dir.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_support.h"

namespace cdc::testing {

class OwnKafkaBroker {
 public:
  OwnKafkaBroker() = default;
  OwnKafkaBroker(const OwnKafkaBroker&) = delete;
  OwnKafkaBroker& operator=(const OwnKafkaBroker&) = delete;
  ~OwnKafkaBroker() {
    kill();
    Svc("stop");
  }

  // Starts the broker; false (with the svc output in `error`) when it fails.
  bool start(std::string& error) {
    if (Svc("start") != 0) {
      error = ReadFile(state_.path() / "svc.log");
      return false;
    }
    brokers_ = Env("CDCD_TEST_KAFKA_BROKERS");
    dir_ = Env("CDCD_TEST_KAFKA_DIR");
    pid_ = std::stoi(Env("CDCD_TEST_KAFKA_PID"));
    argv_ = CommandLine(pid_);
    return !brokers_.empty() && !argv_.empty();
  }

  const std::string& brokers() const { return brokers_; }

  // SIGKILLs the broker and waits until it is gone.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    if (child_) {
      waitpid(pid_, nullptr, 0);
    } else {
      while (::kill(pid_, 0) == 0 && !IsZombie(pid_)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    pid_ = -1;
  }

  // Runs the broker's original command line again (after kill()).
  void restart() {
    std::vector<char*> args;
    for (std::string& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    const std::string out = dir_ + "/kafka.out";
    // Everything the child needs is prepared before fork(): this process
    // has other threads, so the child may only call async-signal-safe code.
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null_fd = open("/dev/null", O_RDONLY);
    pid_t pid = fork();
    if (pid == 0) {
      setsid();
      if (chdir(dir_.c_str()) != 0) _exit(126);
      dup2(null_fd, 0);
      dup2(fd, 1);
      dup2(fd, 2);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(fd);
    close(null_fd);
    pid_ = pid;
    child_ = true;
  }

 private:
  int Svc(const std::string& cmd) {
    std::string line = SourcePath("tests/services/svc").string() + " " + cmd + " kafka " +
                       state_.str() + " >>" + (state_.path() / "svc.log").string() + " 2>&1";
    return std::system(line.c_str());
  }

  std::string Env(const std::string& key) const {
    std::ifstream in(state_.path() / "kafka.env");
    std::string l;
    while (std::getline(in, l)) {
      if (l.rfind(key + "=\"", 0) == 0) return l.substr(key.size() + 2, l.size() - key.size() - 3);
    }
    return "";
  }

  static std::vector<std::string> CommandLine(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::vector<std::string> argv;
    std::string arg;
    while (std::getline(in, arg, '\0')) argv.push_back(arg);
    return argv;
  }

  static bool IsZombie(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t paren = stat.rfind(')');
    return paren == std::string::npos || (paren + 2 < stat.size() && stat[paren + 2] == 'Z');
  }

  TempDir state_;
  std::string brokers_, dir_;
  std::vector<std::string> argv_;
  int pid_ = -1;
  bool child_ = false;  // pid_ is our child (restart()), to be reaped
};

}  // namespace cdc::testing
