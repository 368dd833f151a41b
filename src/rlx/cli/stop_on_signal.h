#pragma once

#include <pthread.h>
#include <signal.h>

#include <functional>
#include <mutex>
#include <thread>

namespace rlx::cli {

// SIGINT and SIGTERM end a long-running command cleanly. They are blocked before any thread
// starts (threads inherit the mask), and a watcher thread waits for them and calls the stop
// function set with on_stop(). Process-wide signal state belongs to the command line, not to
// the libraries.
class StopOnSignal {
 public:
  StopOnSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);  // our own wake-up at the end
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    watcher_ = std::thread([this] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (sig == SIGUSR1) return;
      std::lock_guard<std::mutex> lock(mu_);
      signalled_ = true;
      if (stop_) stop_();
    });
  }
  ~StopOnSignal() {
    pthread_kill(watcher_.native_handle(), SIGUSR1);
    watcher_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  // Called at once if a signal came already.
  void on_stop(std::function<void()> stop) {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = std::move(stop);
    if (signalled_) stop_();
  }

 private:
  sigset_t set_{};
  sigset_t old_{};
  std::mutex mu_;
  std::function<void()> stop_;
  bool signalled_ = false;
  std::thread watcher_;
};

}  // namespace rlx::cli
