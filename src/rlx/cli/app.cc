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
                    capture_command, exchange_command, validate_command, calibrate_command}) {
    commands.push_back(make());
    commands.back()->add_to(app, &common);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::string command;
    for (const CLI::App* sub : app.get_subcommands()) command = " " + sub->get_name();
    std::fprintf(stderr, "rlx: error: %s\nrlx: `rlx%s --help` lists every option\n", e.what(),
                 command.c_str());
    return static_cast<int>(ExitCode::kUsage);
  }

  try {
    for (const auto& c : commands) {
      if (c->chosen()) return c->run(common);
    }
    return 0;
  } catch (...) {
    const Status status = status_from_exception();
    std::fprintf(stderr, "rlx: error: %s\n", status.message().c_str());
    return static_cast<int>(exit_code(status.code()));
  }
}

}  // namespace rlx::cli
