// The options `rlx validate` and `rlx calibrate` share: the golden side and how to read it.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "rlx/io/reader.h"
#include "rlx/validate/side.h"

namespace rlx::cli {

struct SideOptions {
  std::vector<std::string> golden;
  validate::InputKind golden_kind = validate::InputKind::kAuto;
  std::string symbol;
  std::string config;
  io::BadRowPolicy on_bad_row = io::BadRowPolicy::kFail;
  bool read_parts = false;  // --read-parts
};

// --golden, --golden-source, --symbol, --config, --on-bad-row, --read-parts.
void add_side_options(CLI::App* app, SideOptions* s);
extern const char* const kKindHelp;  // --*-source's help

}  // namespace rlx::cli
