// Text names of enum values, one table per enum, so that every place that reads or writes a name
// (the command line, run.json, the Python module) uses the same spelling.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "rlx/core/error.h"

namespace rlx {

template <typename E, size_t N>
using NameTable = std::array<std::pair<std::string_view, E>, N>;

template <typename E, size_t N>
bool parse_name(const NameTable<E, N>& table, std::string_view text, E* out) {
  for (const auto& [name, value] : table) {
    if (name == text) {
      *out = value;
      return true;
    }
  }
  return false;
}

template <typename E, size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [name, v] : table) {
    if (v == value) return name;
  }
  return "";
}

// parse_name, or Error(kInvalidArgument): "<what> must be 'a', 'b' or 'c', not '<text>'".
template <typename E, size_t N>
E parse_name_or_throw(const NameTable<E, N>& table, std::string_view text, std::string_view what) {
  E value{};
  if (parse_name(table, text, &value)) return value;
  std::string message = std::string(what) + " must be ";
  for (size_t i = 0; i < N; ++i) {
    message += (i == 0 ? "'" : i + 1 == N ? " or '" : ", '") + std::string(table[i].first) + "'";
  }
  throw Error(StatusCode::kInvalidArgument, message + ", not '" + std::string(text) + "'");
}

}  // namespace rlx
