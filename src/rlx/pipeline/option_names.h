// The text names of reconstruct's enum options, shared by the command line and run.json so the
// two can never disagree.
#pragma once

#include "rlx/book/book_engine.h"
#include "rlx/core/name_table.h"
#include "rlx/core/progress.h"
#include "rlx/durability/wal.h"
#include "rlx/io/reader.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/pipeline/worker.h"

namespace rlx::pipeline {

inline constexpr NameTable<SourceKind, 3> kSourceNames = {{{"binance-raw", SourceKind::kBinanceRaw},
                                                           {"lake", SourceKind::kLake},
                                                           {"tardis", SourceKind::kTardis}}};
inline constexpr NameTable<RunMode, 3> kModeNames = {{{"in-process", RunMode::kInProcess},
                                                      {"supervised", RunMode::kSupervised},
                                                      {"worker", RunMode::kWorker}}};
inline constexpr NameTable<Feed, 4> kFeedNames = {{{"direct", Feed::kDirect},
                                                   {"channel", Feed::kChannel},
                                                   {"spool", Feed::kSpool},
                                                   {"inputs", Feed::kInputs}}};
inline constexpr NameTable<io::BadRowPolicy, 2> kBadRowNames = {
    {{"fail", io::BadRowPolicy::kFail}, {"quarantine", io::BadRowPolicy::kQuarantine}}};
inline constexpr NameTable<book::CrossedPolicy, 3> kCrossedNames = {
    {{"keep", book::CrossedPolicy::kKeep},
     {"drop-stale", book::CrossedPolicy::kDropStaleOpposite},
     {"drop-both", book::CrossedPolicy::kDropBoth}}};
inline constexpr NameTable<book::TradeConsumption, 3> kConsumeNames = {
    {{"auto", book::TradeConsumption::kAuto},
     {"on", book::TradeConsumption::kOn},
     {"off", book::TradeConsumption::kOff}}};
inline constexpr NameTable<book::SnapshotPolicy, 3> kSnapshotNames = {
    {{"auto", book::SnapshotPolicy::kAuto},
     {"replace", book::SnapshotPolicy::kReplace},
     {"merge-range", book::SnapshotPolicy::kMergeRange}}};
inline constexpr NameTable<book::SequenceMode, 5> kSequenceNames = {
    {{"auto", book::SequenceMode::kAuto},
     {"binance-spot", book::SequenceMode::kBinanceSpot},
     {"binance-futures", book::SequenceMode::kBinanceFutures},
     {"non-decreasing", book::SequenceMode::kNonDecreasing},
     {"none", book::SequenceMode::kNone}}};
inline constexpr NameTable<durability::FsyncPolicy, 3> kFsyncNames = {
    {{"per-batch", durability::FsyncPolicy::kPerBatch},
     {"interval", durability::FsyncPolicy::kInterval},
     {"never", durability::FsyncPolicy::kNever}}};
inline constexpr NameTable<ProgressMode, 3> kProgressNames = {{{"auto", ProgressMode::kAuto},
                                                               {"always", ProgressMode::kAlways},
                                                               {"never", ProgressMode::kNever}}};

}  // namespace rlx::pipeline
