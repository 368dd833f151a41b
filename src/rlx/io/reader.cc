#include "rlx/io/reader.h"

#include <fnmatch.h>

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
