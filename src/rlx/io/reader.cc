#include "rlx/io/reader.h"

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
