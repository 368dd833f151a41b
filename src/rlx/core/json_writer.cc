#include "rlx/core/json_writer.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace rlx {

void JsonWriter::newline_indent(size_t depth) {
  out_.push_back('\n');
  out_.append(depth * 2, ' ');
}

void JsonWriter::before_value() {
  if (stack_.empty()) {
    if (wrote_root_) throw std::logic_error("JsonWriter: more than one top-level value");
    wrote_root_ = true;
    return;
  }
  Scope& scope = stack_.back();
  if (scope.object) {
    if (!scope.key_pending) throw std::logic_error("JsonWriter: value without a key");
    scope.key_pending = false;
    return;
  }
  if (scope.has_members) out_.push_back(',');
  scope.has_members = true;
  if (pretty_) newline_indent(stack_.size());
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (stack_.empty() || !stack_.back().object || stack_.back().key_pending) {
    throw std::logic_error("JsonWriter: key outside an object or twice");
  }
  Scope& scope = stack_.back();
  if (scope.has_members) out_.push_back(',');
  scope.has_members = true;
  scope.key_pending = true;
  if (pretty_) newline_indent(stack_.size());
  escape(name, &out_);
  out_.append(pretty_ ? ": " : ":");
  return *this;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  stack_.push_back({true});
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  stack_.push_back({false});
  return *this;
}

void JsonWriter::close(bool object) {
  if (stack_.empty() || stack_.back().object != object || stack_.back().key_pending) {
    throw std::logic_error("JsonWriter: unbalanced end");
  }
  const bool had_members = stack_.back().has_members;
  stack_.pop_back();
  if (pretty_ && had_members) newline_indent(stack_.size());
  out_.push_back(object ? '}' : ']');
}

JsonWriter& JsonWriter::end_object() {
  close(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  close(false);
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  before_value();
  escape(value, &out_);
  return *this;
}

JsonWriter& JsonWriter::int64(int64_t value) {
  before_value();
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, res.ptr);
  return *this;
}

JsonWriter& JsonWriter::uint64(uint64_t value) {
  before_value();
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, res.ptr);
  return *this;
}

JsonWriter& JsonWriter::number(double value) {
  if (!std::isfinite(value)) return null();
  before_value();
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);  // shortest round trip
  out_.append(buf, res.ptr);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  before_value();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_.append(json);
  return *this;
}

void JsonWriter::escape(std::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(ch);  // UTF-8 passes through unchanged
        }
    }
  }
  out->push_back('"');
}

}  // namespace rlx
