// Option helpers shared by the subcommands: enums by name, numbers against their domain
// (pipeline/options_check.h).
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "rlx/core/name_table.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/options_check.h"

namespace rlx::cli {

// An option whose text must be one of `table`'s names, stored straight into the enum.
template <typename E, size_t N>
CLI::Option* add_enum(CLI::App* app, const std::string& name, E* target,
                      const NameTable<E, N>& table, const std::string& help) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.first);
  return app
      ->add_option_function<std::string>(
          name, [target, &table](const std::string& text) { parse_name(table, text, target); },
          help)
      ->check(CLI::IsMember(names))
      ->default_str(std::string(name_of(table, *target)));
}

// The same for a request field that holds the name (the library API's requests): checked
// against `table`, stored as given.
template <typename E, size_t N>
CLI::Option* add_enum(CLI::App* app, const std::string& name, std::string* target,
                      const NameTable<E, N>& table, const std::string& help) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.first);
  return app->add_option(name, *target, help)->check(CLI::IsMember(names))->capture_default_str();
}

// A number option parsed against its domain (pipeline/options_check.h): out of range, NaN,
// infinity, overflow, empty or not a number end in one message in the user's terms.
template <typename Domain, typename T>
CLI::Option* add_number(CLI::App* app, const Domain& d, T* target, const std::string& help) {
  constexpr bool kDecimal = std::is_same_v<Domain, pipeline::DecimalDomain>;
  using Parsed = std::conditional_t<kDecimal, double, int64_t>;
  return app
      ->add_option_function<std::string>(
          std::string(d.flag),
          [target, &d](const std::string& text) {
            Parsed v{};
            std::string error;
            if (!pipeline::parse_in(d, text, &v, &error)) throw CLI::ValidationError(error);
            *target = static_cast<T>(v);
          },
          help)
      ->type_name(kDecimal ? "NUMBER" : "INT")
      ->default_str(fmt::format("{}", *target));
}

}  // namespace rlx::cli
