#include "rlx/core/log.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "rlx/core/json_writer.h"

namespace rlx {
namespace {

// logfmt quotes values with spaces, quotes or '='.
void append_text_value(std::string_view v, std::string* out) {
  const bool quote = v.empty() || v.find_first_of(" \"=") != std::string_view::npos;
  if (!quote) {
    out->append(v);
    return;
  }
  JsonWriter::escape(v, out);
}

}  // namespace

void Log::write(LogLevel level, std::string_view event, std::initializer_list<Field> fields) const {
  if (!enabled(level)) return;
  const auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const std::string ts = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
  const std::string_view level_name = name_of(kLogLevelNames, level);
  std::string line;
  if (format_ == LogFormat::kJson) {
    JsonWriter w;
    w.begin_object();
    w.key("ts").string(ts);
    w.key("level").string(level_name);
    w.key("event").string(event);
    for (const auto& [key, value] : fields) {
      w.key(key);
      std::visit(
          [&w](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, int64_t>) {
              w.int64(v);
            } else if constexpr (std::is_same_v<T, uint64_t>) {
              w.uint64(v);
            } else if constexpr (std::is_same_v<T, double>) {
              w.number(v);
            } else {
              w.string(v);
            }
          },
          value);
    }
    w.end_object();
    line = w.take();
  } else {
    line = fmt::format("ts={} level={} event={}", ts, level_name, event);
    for (const auto& [key, value] : fields) {
      line.append(" ").append(key).append("=");
      std::visit(
          [&line](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
              append_text_value(v, &line);
            } else {
              line += fmt::format("{}", v);
            }
          },
          value);
    }
  }
  if (sink_ != nullptr) {
    sink_->write(level, line);
    return;
  }
  line.push_back('\n');
  std::fputs(line.c_str(), stderr);
}

}  // namespace rlx
