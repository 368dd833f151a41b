#include "rlx/cli/app.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "rlx/cli/command.h"
#include "rlx/cli/exit_code.h"
#include "rlx/core/error.h"
#include "rlx/core/version.h"

namespace rlx::cli {

int run(int argc, char** argv) {
  CLI::App app{"rlx: exact L2 book reconstruction of crypto market data, written as Parquet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("rlx ") + kVersion);
  CommonOptions common;
  std::vector<std::unique_ptr<Command>> commands;
  for (auto make : {reconstruct_command, worker_command, convert_command, demo_command, sql_command,
                    capture_command, exchange_command, validate_command, calibrate_command,
                    plan_command, run_shard_command, status_command, merge_command}) {
    commands.push_back(make());
    commands.back()->add_to(app, &common);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::string command;
    int code = static_cast<int>(ExitCode::kUsage);
    for (const CLI::App* sub : app.get_subcommands()) {
      command = " " + sub->get_name();
      for (const auto& c : commands) {
        if (c->is(sub)) code = c->exit_code_of(StatusCode::kInvalidArgument);
      }
    }
    std::fprintf(stderr, "rlx: error: %s\nrlx: `rlx%s --help` lists every option\n", e.what(),
                 command.c_str());
    return code;
  }

  for (const auto& c : commands) {
    if (!c->chosen()) continue;
    try {
      return c->run(common);
    } catch (...) {
      const Status status = status_from_exception();
      std::fprintf(stderr, "rlx: error: %s\n", status.message().c_str());
      return c->exit_code_of(status.code());
    }
  }
  return 0;
}

}  // namespace rlx::cli
