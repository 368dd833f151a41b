// The run manifest (<root>/manifest.json) and the completion report (<root>/report.json), both
// replaced atomically (temp + fsync + rename + directory fsync). The manifest lists every
// committed Parquet part with its row count, event_seq and origin_time ranges, byte size and
// XXH3-64 checksum, sorted by path, plus totals per (exchange, symbol). Format: docs/SCHEMA.md.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/sink/parquet_sink.h"

namespace rlx::sink {

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kReportName = "report.json";

// The manifest text for `files` (any order; they are sorted by path). Deterministic.
std::string manifest_json(std::vector<FileInfo> files);
// Writes manifest_json(files) to <root>/manifest.json atomically.
void write_manifest(const std::filesystem::path& root, std::vector<FileInfo> files);
// The committed parts listed in <root>/manifest.json, in its (path) order; empty when there is
// no manifest. An unreadable manifest is Error(kBadInput) naming it.
std::vector<FileInfo> read_manifest(const std::filesystem::path& root);
// Each listed part that is missing or whose size or XXH3-64 differs, described.
std::vector<std::string> verify_manifest(const std::filesystem::path& root,
                                         const std::vector<FileInfo>& files);
// Writes `json` (built by the caller, e.g. with JsonWriter) to <root>/report.json atomically.
void write_report(const std::filesystem::path& root, std::string_view json);

}  // namespace rlx::sink
