// `rlx worker` (hidden): one symbol of a supervised run, started by the supervisor with its
// channel on fd 3 and its status pipe on fd 4 (pipeline/worker.h).
#include <exception>
#include <string>

#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/core/error.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/worker.h"

namespace rlx::cli {
namespace {

class WorkerCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override {
    app = parent.add_subcommand("worker", "One symbol of a supervised run (internal)");
    app->group("");
    app->add_option("--out", out_)->required();
    app->add_option("--exchange", wo_.key.first)->required();
    app->add_option("--symbol", wo_.key.second)->required();
    add_enum(app, "--feed", &wo_.feed, pipeline::kFeedNames, "Where its messages come from");
    app->add_option("--attempt", attempt_);  // which attempt this is: shown in ps, for people
    app->add_option("--writer-threads", wo_.writer_threads)->check(CLI::Range(0, 64));
    common->add_to(app);
  }

  int run(const CommonOptions& common) override {
    wo_.out_dir = out_;
    wo_.log = common.log();
    wo_.channel_fd = wo_.feed == pipeline::Feed::kChannel ? 3 : -1;
    wo_.status_fd = 4;
    try {
      pipeline::run_worker(wo_);
    } catch (...) {
      const Status s = status_from_exception();
      pipeline::write_status_error(wo_.status_fd, static_cast<int32_t>(s.code()), s.message());
      throw;
    }
    return 0;
  }

 private:
  pipeline::WorkerOptions wo_;
  std::string out_;
  uint32_t attempt_ = 1;
};

}  // namespace

std::unique_ptr<Command> worker_command() { return std::make_unique<WorkerCommand>(); }

}  // namespace rlx::cli
