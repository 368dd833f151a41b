// Moved to rlx/durability/durable_file.h; this forwarding header goes once its users are updated.
#pragma once

#include "rlx/durability/durable_file.h"

namespace rlx::sink {
using durability::create_directories_durable;
using durability::digest_file;
using durability::FileDigest;
using durability::fsync_dir;
using durability::hex64;
using durability::rename_durable;
using durability::write_file_atomic;
}  // namespace rlx::sink
