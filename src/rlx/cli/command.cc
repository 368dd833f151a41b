#include "rlx/cli/command.h"

#include "rlx/cli/cli_options.h"
#include "rlx/pipeline/option_names.h"

namespace rlx::cli {

void CommonOptions::add_to(CLI::App* sub) {
  add_enum(sub, "--progress", &progress, pipeline::kProgressNames,
           "Progress bar on stderr: auto (only on a terminal), always, never");
  sub->add_option("--log-level", log_level,
                  "Structured logs on stderr: debug, info, warn, error, off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  sub->add_option("--log-format", log_format, "Log lines as text (logfmt) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

Log CommonOptions::log() const {
  LogLevel level = LogLevel::kWarn;
  parse_log_level(log_level, &level);
  return Log(level, log_format == "json" ? LogFormat::kJson : LogFormat::kText);
}

}  // namespace rlx::cli
