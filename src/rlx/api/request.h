// Internal to the API's sources (not for an embedding program): a ReconstructRequest as the
// pipeline's options, and a pipeline summary as a ReconstructResult.
#pragma once

#include <filesystem>

#include "rlx/api/run.h"
#include "rlx/pipeline/reconstruct.h"

namespace rlx {

// Names checked against their tables (kInvalidArgument naming the field); progress to the sink.
pipeline::ReconstructOptions reconstruct_options(const ReconstructRequest& request);
ReconstructResult result_of(const pipeline::ReconstructSummary& summary,
                            const std::filesystem::path& out_dir);

}  // namespace rlx
