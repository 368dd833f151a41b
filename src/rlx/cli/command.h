// One `rlx` subcommand: its options and how it runs. Each subcommand is one file
// (<name>_command.cc); app.cc only registers them, parses, and maps errors to exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "rlx/cli/exit_code.h"
#include "rlx/core/log.h"
#include "rlx/core/progress.h"
#include "rlx/core/status.h"

namespace rlx::cli {

// The options every running subcommand has (so each --help lists them), and the Log they make.
struct CommonOptions {
  ProgressMode progress = ProgressMode::kAuto;
  LogLevel log_level = LogLevel::kWarn;
  LogFormat log_format = LogFormat::kText;

  void add_to(CLI::App* sub);  // --progress, --log-level, --log-format
  Log log() const;
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its options to `parent`; `common` outlives the command.
  virtual void add_to(CLI::App& parent, CommonOptions* common) = 0;
  // Runs it after a successful parse and returns the exit code (cli/exit_code.h). What stops it
  // is thrown as rlx::Error, mapped by app.cc.
  virtual int run(const CommonOptions& common) = 0;
  // The exit code of what stops it, and of a bad command line: cli/exit_code.h's, unless the
  // command has a contract of its own (run-shard: sysexits).
  virtual int exit_code_of(StatusCode code) const { return static_cast<int>(exit_code(code)); }
  bool chosen() const { return app != nullptr && app->parsed(); }
  bool is(const CLI::App* sub) const { return sub == app; }

 protected:
  CLI::App* app = nullptr;
};

// Throws a failed Status of the library API as the rlx::Error app.cc maps to an exit code.
void check(const Status& status);

// Every subcommand, in --help order.
std::unique_ptr<Command> reconstruct_command();
std::unique_ptr<Command> worker_command();  // hidden: started by the supervisor
std::unique_ptr<Command> convert_command();
std::unique_ptr<Command> demo_command();
std::unique_ptr<Command> sql_command();
std::unique_ptr<Command> capture_command();
std::unique_ptr<Command> exchange_command();
std::unique_ptr<Command> validate_command();
std::unique_ptr<Command> calibrate_command();
std::unique_ptr<Command> plan_command();
std::unique_ptr<Command> run_shard_command();
std::unique_ptr<Command> status_command();
std::unique_ptr<Command> merge_command();

}  // namespace rlx::cli
