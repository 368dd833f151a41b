#include "rlx/io/reader.h"

#include <fnmatch.h>

#include "rlx/core/error.h"

namespace rlx::io {

void Quarantine::add(const std::string& reason, const std::string& example) {
  for (auto& [r, entry] : reasons) {
    if (r == reason) {
      ++entry.count;
      return;
    }
  }
  reasons.push_back({reason, Entry{1, example}});
}

uint64_t Quarantine::total() const {
  uint64_t n = 0;
  for (const auto& [r, entry] : reasons) n += entry.count;
  return n;
}

namespace {
constexpr uint32_t kQuarantineTag = make_tag("QRN", 1);
}  // namespace

void Quarantine::save(BinaryWriter& w) const {
  w.u32(kQuarantineTag);
  w.u64(reasons.size());
  for (const auto& [reason, entry] : reasons) {
    w.str(reason);
    w.u64(entry.count);
    w.str(entry.first_example);
  }
}

Quarantine Quarantine::load(BinaryReader& r) {
  r.expect_tag(kQuarantineTag, "Quarantine");
  Quarantine q;
  q.reasons.resize(r.count("Quarantine.reasons", 24));
  for (auto& [reason, entry] : q.reasons) {
    reason = r.str("Quarantine reason");
    entry.count = r.u64("Quarantine count");
    entry.first_example = r.str("Quarantine example");
  }
  return q;
}

void MessageReader::seek(BinaryReader& /*saved*/) {
  throw Error(StatusCode::kInternal, "seek on a reader that cannot seek");
}

bool symbol_matches(const std::vector<std::string>& patterns, std::string_view symbol) {
  if (patterns.empty()) return true;
  const std::string s(symbol);
  for (const std::string& p : patterns) {
    if (p == s || fnmatch(p.c_str(), s.c_str(), 0) == 0) return true;
  }
  return false;
}

uint64_t MessageReader::skip(uint64_t messages) {
  Message scratch;
  uint64_t n = 0;
  while (n < messages && next(&scratch)) ++n;
  return n;
}

std::vector<Message> read_all(MessageReader& reader) {
  std::vector<Message> out;
  Message m;
  while (reader.next(&m)) out.push_back(m);
  return out;
}

}  // namespace rlx::io
