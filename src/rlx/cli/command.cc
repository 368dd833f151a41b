#include "rlx/cli/command.h"

#include "rlx/cli/cli_options.h"
#include "rlx/core/error.h"
#include "rlx/pipeline/option_names.h"

namespace rlx::cli {

void CommonOptions::add_to(CLI::App* sub) {
  add_enum(sub, "--progress", &progress, pipeline::kProgressNames,
           "Progress bar on stderr: auto (only on a terminal), always, never");
  add_enum(sub, "--log-level", &log_level, kLogLevelNames,
           "Structured logs on stderr: debug, info, warn, error, off");
  add_enum(sub, "--log-format", &log_format, kLogFormatNames, "Log lines as text (logfmt) or json");
}

void check(const Status& status) {
  if (!status.ok()) throw Error(status.code(), status.where(), status.message());
}

Log CommonOptions::log() const { return Log(log_level, log_format); }

}  // namespace rlx::cli
