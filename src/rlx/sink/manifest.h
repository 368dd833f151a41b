// The run manifest (<root>/manifest.json) and the completion report (<root>/report.json), both
// replaced atomically (temp + fsync + rename + directory fsync). The manifest lists every
// committed Parquet part with its row count, event_seq and origin_time ranges, byte size and
// XXH3-64 checksum (and its thin copy's, where one was written), sorted by path, plus totals per
// (exchange, symbol). Format: docs/SCHEMA.md.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlx/sink/parquet_sink.h"

namespace rlx::sink {

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kReportName = "report.json";

// The manifest text for `files` (any order; they are sorted by path). Deterministic.
std::string manifest_json(std::vector<FileInfo> files);
// Writes manifest_json(files) to <root>/manifest.json atomically.
void write_manifest(const std::filesystem::path& root, std::vector<FileInfo> files);
// Replaces, in <root>/manifest.json, the entries of `owner` (exchange, symbol; nullptr: every
// entry) by `files`, keeping the other symbols' entries. Several processes may call it on one
// root at once: each read-modify-replace holds an exclusive lock on <root>/.manifest.lock
// (flock, released by the kernel if the holder dies), so no commit is lost, and the rename keeps
// manifest.json whole at every instant.
void update_manifest(const std::filesystem::path& root,
                     const std::pair<std::string, std::string>* owner, std::vector<FileInfo> files);
inline constexpr const char* kManifestLockName = ".manifest.lock";

// The committed parts listed in <root>/manifest.json, in its (path) order; empty when there is
// no manifest. An unreadable manifest is Error(kBadInput) naming it.
std::vector<FileInfo> read_manifest(const std::filesystem::path& root);
// Each listed file that is missing or whose size or XXH3-64 differs, described: the parts, their
// thin copies (thin_part.h), or both. kThinCopies is what reading the thin copies instead of the
// parts needs: the thin copies checked whole, the parts (which the copies stand for) present at
// their listed size, not hashed.
// kAll: parts and thin copies hashed; kParts: the parts hashed; kPartSizes: the parts present at
// their listed size, not read; kThinCopies: the thin copies hashed, the parts present at size.
enum class Verify { kAll, kParts, kPartSizes, kThinCopies };
std::vector<std::string> verify_manifest(const std::filesystem::path& root,
                                         const std::vector<FileInfo>& files,
                                         Verify what = Verify::kAll);
// Writes `json` (built by the caller, e.g. with JsonWriter) to <root>/report.json atomically.
void write_report(const std::filesystem::path& root, std::string_view json);

}  // namespace rlx::sink
