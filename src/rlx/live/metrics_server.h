// A Prometheus scrape endpoint: `GET /metrics` answered with the text a callback renders, on a
// thread of its own (a scrape never waits for, or delays, the capture's network thread).
// Plain HTTP on loopback by default: metrics carry no secrets, and the host is the operator's
// choice. Any other path is 404, any other method 405.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace rlx::live {

class MetricsServer {
 public:
  // Listens on host:port (port 0: any free port, see port()). `render` is called on the server's
  // thread for each scrape. Throws Error(kInvalidArgument) when the address cannot be bound.
  MetricsServer(const std::string& host, uint16_t port, std::function<std::string()> render);
  ~MetricsServer();  // stops listening and joins the thread
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  uint16_t port() const;
  uint64_t scrapes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rlx::live
