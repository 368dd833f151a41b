// Structured logs: one line per event, either logfmt (`ts=… level=… event=… k=v`) or JSON, on
// stderr or to a LogSink the caller supplies (an embedding program, the Python module). A Log is
// passed down explicitly (no global logger); a default-constructed Log is silent.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "rlx/core/name_table.h"

namespace rlx {

enum class LogLevel : uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };
enum class LogFormat : uint8_t { kText = 0, kJson = 1 };

inline constexpr NameTable<LogLevel, 5> kLogLevelNames = {{{"debug", LogLevel::kDebug},
                                                           {"info", LogLevel::kInfo},
                                                           {"warn", LogLevel::kWarn},
                                                           {"error", LogLevel::kError},
                                                           {"off", LogLevel::kOff}}};
inline constexpr NameTable<LogFormat, 2> kLogFormatNames = {
    {{"text", LogFormat::kText}, {"json", LogFormat::kJson}}};

// Where log lines go. write() may be called from several threads at once (workers, writer
// threads); the sink must outlive every Log that points to it.
class LogSink {
 public:
  virtual ~LogSink() = default;
  // `line` is one whole line without its newline.
  virtual void write(LogLevel level, std::string_view line) = 0;
};

class Log {
 public:
  using Value = std::variant<int64_t, uint64_t, double, std::string>;
  using Field = std::pair<std::string_view, Value>;

  Log() = default;  // silent
  // Lines at `level` and above go to `sink`, or to stderr when it is null.
  Log(LogLevel level, LogFormat format, LogSink* sink = nullptr)
      : level_(level), format_(format), sink_(sink) {}

  bool enabled(LogLevel level) const { return level >= level_ && level_ != LogLevel::kOff; }
  LogLevel level() const { return level_; }
  LogFormat format() const { return format_; }
  // `event` is a dotted name ("reconstruct.done"); fields follow in the given order.
  void write(LogLevel level, std::string_view event,
             std::initializer_list<Field> fields = {}) const;
  void info(std::string_view event, std::initializer_list<Field> fields = {}) const {
    write(LogLevel::kInfo, event, fields);
  }
  void warn(std::string_view event, std::initializer_list<Field> fields = {}) const {
    write(LogLevel::kWarn, event, fields);
  }

 private:
  LogLevel level_ = LogLevel::kOff;
  LogFormat format_ = LogFormat::kText;
  LogSink* sink_ = nullptr;  // not owned
};

}  // namespace rlx
