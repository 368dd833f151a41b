// Test certificates made on the spot (OpenSSL): a self-signed CA and a server certificate it
// signs for the given host names and IP addresses, so the local exchange serves real TLS that
// clients verify like the venue's.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rlx::exchange {

struct TestPki {
  std::filesystem::path ca_cert;      // PEM: what clients trust (--ca-file)
  std::filesystem::path server_cert;  // PEM: the server's certificate
  std::filesystem::path server_key;   // PEM: its private key
};

// Writes ca.pem, server.pem and server.key into `dir` (created if needed). `hosts` holds DNS
// names and IP addresses ("localhost", "127.0.0.1") for the subjectAltName. Throws
// Error(kInternal) if OpenSSL fails.
TestPki generate_test_pki(const std::filesystem::path& dir, const std::vector<std::string>& hosts);

}  // namespace rlx::exchange
