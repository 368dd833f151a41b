// The `rlx` command line: parses arguments, runs a subcommand, maps errors to exit codes.
#pragma once

namespace rlx::cli {

int run(int argc, char** argv);

}  // namespace rlx::cli
