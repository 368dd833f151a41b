// Child processes in tests (the rlx binary under a crash harness): start one with its output
// redirected, wait for it, or kill it after a delay or once it got somewhere.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace rlx::testing {

// fork + exec of args[0] with args; stderr goes to `stderr_to`, stdout to `stdout_to`.
inline pid_t spawn_process(const std::vector<std::string>& args,
                           const std::filesystem::path& stderr_to,
                           const std::filesystem::path& stdout_to = "/dev/null") {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string err = stderr_to.string();  // before fork: no allocation after it
  const std::string out = stdout_to.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// The child's exit code, or 128 + the signal that ended it.
inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits up to `seconds` for the child: true if it was still running and got SIGKILL, false
// (with *exit_code) if it ended first.
inline bool kill_after(pid_t pid, double seconds, int* exit_code) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  wait_exit(pid);
  return true;
}

// Checks `reached()` every few milliseconds and kills the child once it holds: true if it was
// killed, false (with *exit_code) if it ended first.
template <typename Reached>
bool kill_when(pid_t pid, Reached reached, int* exit_code) {
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return false;
    }
    if (reached()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  wait_exit(pid);
  return true;
}

}  // namespace rlx::testing
