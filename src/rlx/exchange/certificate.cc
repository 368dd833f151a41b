#include "rlx/exchange/certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <cstdio>
#include <memory>

#include "rlx/core/error.h"

namespace rlx::exchange {
namespace fs = std::filesystem;

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

[[noreturn]] void fail(const char* what) {
  throw Error(StatusCode::kInternal, std::string("test certificate: ") + what + " failed");
}

Key new_key() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) fail("EVP_EC_gen");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) fail("X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

Cert new_cert(EVP_PKEY* key, const std::string& cn, long serial) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

void write_pem(const fs::path& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw Error(StatusCode::kIo, Location{path.string(), 0, ""}, "cannot write");
  const bool ok = cert != nullptr
                      ? PEM_write_X509(f, cert) == 1
                      : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  if (!ok) fail("PEM_write");
}

}  // namespace

TestPki generate_test_pki(const fs::path& dir, const std::vector<std::string>& hosts) {
  fs::create_directories(dir);
  // A serial from the clock keeps two CAs made in one test distinct.
  const long serial = static_cast<long>(std::time(nullptr) & 0x7fffffff);
  Key ca_key = new_key();
  Cert ca = new_cert(ca_key.get(), "rlx local exchange test CA", serial);
  X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
  add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(ca.get(), ca_key.get(), EVP_sha256()) == 0) fail("X509_sign (CA)");

  Key key = new_key();
  Cert cert = new_cert(key.get(), hosts.empty() ? "localhost" : hosts.front(), serial + 1);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get()));
  std::string san;
  for (const auto& h : hosts) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(h, ec);
    // Appended piece by piece: `"," + std::string(...)` trips a false -Wrestrict in GCC 12.
    if (!san.empty()) san += ',';
    san += ec ? "DNS:" : "IP:";
    san += h;
  }
  add_ext(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  add_ext(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  if (!san.empty()) add_ext(cert.get(), ca.get(), NID_subject_alt_name, san);
  add_ext(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) fail("X509_sign (server)");

  TestPki pki{dir / "ca.pem", dir / "server.pem", dir / "server.key"};
  write_pem(pki.ca_cert, ca.get(), nullptr);
  write_pem(pki.server_cert, cert.get(), nullptr);
  write_pem(pki.server_key, nullptr, key.get());
  return pki;
}

}  // namespace rlx::exchange
