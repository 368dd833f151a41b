#include "rlx/core/json_writer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace rlx {
namespace {

TEST(JsonWriter, CompactNesting) {
  JsonWriter w;
  w.begin_object()
      .key("a")
      .int64(-1)
      .key("b")
      .begin_array()
      .uint64(18446744073709551615ull)
      .boolean(true)
      .null()
      .begin_object()
      .end_object()
      .begin_array()
      .end_array()
      .end_array()
      .key("c")
      .string("x")
      .end_object();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":[18446744073709551615,true,null,{},[]],"c":"x"})");
  EXPECT_TRUE(w.done());
}

TEST(JsonWriter, Pretty) {
  JsonWriter w(true);
  w.begin_object().key("files").begin_array().begin_object().key("rows").int64(3).end_object();
  w.end_array().key("empty").begin_array().end_array().end_object();
  EXPECT_EQ(w.str(),
            "{\n"
            "  \"files\": [\n"
            "    {\n"
            "      \"rows\": 3\n"
            "    }\n"
            "  ],\n"
            "  \"empty\": []\n"
            "}");
}

TEST(JsonWriter, Escaping) {
  JsonWriter w;
  constexpr char kText[] = "q\" b\\ n\n t\t r\r \x01 \x1f \xc3\xa9 /";
  w.string(std::string_view(kText, sizeof(kText) - 1));
  EXPECT_EQ(w.str(), "\"q\\\" b\\\\ n\\n t\\t r\\r \\u0001 \\u001f \xc3\xa9 /\"");
}

TEST(JsonWriter, Integers) {
  JsonWriter w;
  w.begin_array()
      .int64(std::numeric_limits<int64_t>::min())
      .int64(std::numeric_limits<int64_t>::max())
      .uint64(0)
      .end_array();
  EXPECT_EQ(w.str(), "[-9223372036854775808,9223372036854775807,0]");
}

TEST(JsonWriter, DoublesShortestRoundTrip) {
  JsonWriter w;
  w.begin_array().number(0.1).number(1.0).number(-2.5e-300).number(1e21).number(
      std::numeric_limits<double>::quiet_NaN());
  w.number(std::numeric_limits<double>::infinity()).end_array();
  EXPECT_EQ(w.str(), "[0.1,1,-2.5e-300,1e+21,null,null]");
  for (double v : {0.1 + 0.2, 61737.63, 5e-324, 1.7976931348623157e308}) {
    JsonWriter one;
    one.number(v);
    EXPECT_EQ(std::strtod(one.str().c_str(), nullptr), v) << one.str();
  }
}

TEST(JsonWriter, Raw) {
  JsonWriter w;
  w.begin_object().key("nested").raw(R"({"x":1})").end_object();
  EXPECT_EQ(w.str(), R"({"nested":{"x":1}})");
}

TEST(JsonWriter, MisuseThrows) {
  {
    JsonWriter w;
    w.begin_object();
    EXPECT_THROW(w.int64(1), std::logic_error);  // no key
  }
  {
    JsonWriter w;
    w.begin_array();
    EXPECT_THROW(w.key("k"), std::logic_error);
    EXPECT_THROW(w.end_object(), std::logic_error);
  }
  {
    JsonWriter w;
    w.int64(1);
    EXPECT_THROW(w.int64(2), std::logic_error);  // second root
  }
}

}  // namespace
}  // namespace rlx
