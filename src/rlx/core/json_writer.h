// A small streaming JSON writer: objects, arrays, escaped strings, exact integers, shortest
// round-trip doubles, booleans and null. Output is a pure function of the calls (deterministic);
// `pretty` indents by two spaces. Misuse (a value where a key is due, unbalanced ends) throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rlx {

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next member's name; only inside an object, before each value.
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view value);
  JsonWriter& int64(int64_t value);
  JsonWriter& uint64(uint64_t value);
  // Shortest text that parses back to the same double; NaN and infinities become null.
  JsonWriter& number(double value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // Inserts already-serialised JSON as one value (e.g. a nested document); not validated.
  JsonWriter& raw(std::string_view json);

  // True once one complete top-level value has been written.
  bool done() const { return stack_.empty() && wrote_root_; }
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

  // Appends `value` to `out` as a quoted JSON string.
  static void escape(std::string_view value, std::string* out);

 private:
  struct Scope {
    bool object;
    bool has_members = false;
    bool key_pending = false;
  };
  void before_value();
  void newline_indent(size_t depth);
  void close(bool object);

  std::string out_;
  std::vector<Scope> stack_;
  bool pretty_;
  bool wrote_root_ = false;
};

}  // namespace rlx
