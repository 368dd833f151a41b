#include "rlx/cli/app.h"

int main(int argc, char** argv) { return rlx::cli::run(argc, argv); }
