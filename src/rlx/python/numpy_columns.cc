#include "rlx/python/numpy_columns.h"

#include <array>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "rlx/core/decimal.h"
#include "rlx/core/error.h"

namespace py = pybind11;

namespace rlx::python {
namespace {

constexpr std::array<int64_t, 19> kPow10 = [] {
  std::array<int64_t, 19> p{};
  int64_t v = 1;
  for (size_t i = 0; i < p.size(); ++i) {
    p[i] = v;
    if (i + 1 < p.size()) v *= 10;
  }
  return p;
}();

// A numpy array that takes over `values` (no copy): the vector lives in the array's base.
template <class T>
py::array adopt(std::vector<T>&& values, py::dtype dtype) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule base(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array(dtype, {static_cast<py::ssize_t>(owned->size())}, {sizeof(T)}, owned->data(),
                   base);
}

py::object mask_of(Column& c) {
  if (c.valid.empty()) return py::none();
  for (uint8_t& v : c.valid) v = v == 0 ? 1 : 0;  // numpy.ma's convention: True is missing
  return adopt(std::move(c.valid), py::dtype("bool"));
}

// The fewest decimals, at least `at_least`, that hold `v` (unscaled) exactly.
int32_t decimals_of(__int128 v, int32_t at_least = 0) {
  int32_t need = at_least;
  while (need < Decimal::kScale && v % kPow10[static_cast<size_t>(Decimal::kScale - need)] != 0) {
    ++need;
  }
  return need;
}

Error ticks_error(const ColumnBatch& batch, const Column& c, size_t row, int32_t scale) {
  const __int128 v = c.decimals[row];
  const int32_t need = decimals_of(v);
  const std::string why =
      need > scale ? "it needs scale " + std::to_string(need) : "too large for int64 at that scale";
  return Error(StatusCode::kInvalidArgument, batch.where(row, c.name),
               Decimal::from_raw(v).to_string() +
                   " is not a whole number of int64 ticks at scale " + std::to_string(scale) +
                   " (" + why + "): pass another scale, decimals='float' or decimals='decimal'");
}

py::array ticks_of(const ColumnBatch& batch, const Column& c, int32_t scale) {
  const __int128 unit = kPow10[static_cast<size_t>(Decimal::kScale - scale)];
  std::vector<int64_t> out(c.decimals.size());
  {
    py::gil_scoped_release release;
    for (size_t i = 0; i < out.size(); ++i) {
      const __int128 v = c.decimals[i];
      const __int128 q = v / unit;
      if (q * unit != v || q > INT64_MAX || q < INT64_MIN) {
        if (c.is_null(i)) continue;  // NULLs hold 0
        py::gil_scoped_acquire acquire;
        throw ticks_error(batch, c, i, scale);
      }
      out[i] = static_cast<int64_t>(q);
    }
  }
  return adopt(std::move(out), py::dtype("int64"));
}

// Every value of the column is a whole number of 10^-need: v / 10^(18 - need) is exact. That
// integer over 10^need, both exact doubles when the integer is below 2^53, is one correctly
// rounded division: the nearest double. Past 2^53, Decimal's conversion (within an ulp).
double double_of(__int128 v, int32_t need) {
  const __int128 q = v / kPow10[static_cast<size_t>(Decimal::kScale - need)];
  const __int128 limit = static_cast<__int128>(1) << 53;
  if (q < limit && q > -limit) {
    return static_cast<double>(static_cast<int64_t>(q)) /
           static_cast<double>(kPow10[static_cast<size_t>(need)]);
  }
  return Decimal::from_raw(v).to_double();
}

py::array floats_of(const Column& c) {
  std::vector<double> out(c.decimals.size());
  {
    py::gil_scoped_release release;
    const int32_t need = decimals_needed(c);
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = c.is_null(i) ? std::nan("") : double_of(c.decimals[i], need);
    }
  }
  return adopt(std::move(out), py::dtype("float64"));
}

py::array decimals_of(const Column& c) {
  const py::object decimal = py::module_::import("decimal").attr("Decimal");
  py::array out(py::dtype("object"),
                std::vector<py::ssize_t>{static_cast<py::ssize_t>(c.decimals.size())});
  auto** slots = static_cast<PyObject**>(out.mutable_data());
  for (size_t i = 0; i < c.decimals.size(); ++i) {
    py::object v =
        c.is_null(i) ? py::none() : decimal(Decimal::from_raw(c.decimals[i]).to_string());
    Py_XDECREF(slots[i]);
    slots[i] = v.release().ptr();
  }
  return out;
}

// Strings as Python str objects; repeated values (exchange, symbol, event_type, side) share one
// object, found in a small map.
py::array strings_of(const Column& c) {
  const size_t n = c.offsets.empty() ? 0 : c.offsets.size() - 1;
  py::array out(py::dtype("object"), std::vector<py::ssize_t>{static_cast<py::ssize_t>(n)});
  auto** slots = static_cast<PyObject**>(out.mutable_data());
  std::unordered_map<std::string_view, PyObject*> seen;
  constexpr size_t kMaxShared = 64;
  for (size_t i = 0; i < n; ++i) {
    PyObject* v = nullptr;
    if (c.is_null(i)) {
      v = Py_None;
      Py_INCREF(v);
    } else {
      const std::string_view s = c.string(i);
      auto it = seen.find(s);
      if (it != seen.end()) {
        v = it->second;
        Py_INCREF(v);
      } else {
        v = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "strict");
        if (v == nullptr) throw py::error_already_set();
        if (seen.size() < kMaxShared) seen.emplace(s, v);
      }
    }
    Py_XDECREF(slots[i]);
    slots[i] = v;
  }
  return out;
}

}  // namespace

int32_t decimals_needed(const Column& column) {
  int32_t need = 0;
  for (const __int128 v : column.decimals) need = decimals_of(v, need);
  return need;
}

std::vector<int32_t> auto_scales(const std::vector<Column>& columns) {
  auto is_size = [](const std::string& name) {
    return name.size() >= 4 && name.compare(name.size() - 4, 4, "size") == 0;
  };
  int32_t price = 0, size = 0;
  for (const Column& c : columns) {
    if (c.type != ColumnType::kDecimal) continue;
    int32_t& group = is_size(c.name) ? size : price;
    group = std::max(group, decimals_needed(c));
  }
  std::vector<int32_t> scales;
  scales.reserve(columns.size());
  for (const Column& c : columns) {
    scales.push_back(c.type != ColumnType::kDecimal ? 0 : is_size(c.name) ? size : price);
  }
  return scales;
}

py::tuple to_numpy(ColumnBatch& batch, size_t c, DecimalMode mode, int32_t scale) {
  Column& col = batch.columns[c];
  py::object values;
  switch (col.type) {
    case ColumnType::kInt64:
      values = adopt(std::move(col.int64s), py::dtype("int64"));
      break;
    case ColumnType::kUInt32:
      values = adopt(std::move(col.uint32s), py::dtype("uint32"));
      break;
    case ColumnType::kBool:
      values = adopt(std::move(col.bools), py::dtype("bool"));
      break;
    case ColumnType::kDate: {
      std::vector<int64_t> days(col.dates.begin(), col.dates.end());
      values = adopt(std::move(days), py::dtype("datetime64[D]"));
      break;
    }
    case ColumnType::kString:
      values = strings_of(col);
      break;
    case ColumnType::kDecimal:
      switch (mode) {
        case DecimalMode::kTicks:
          values = ticks_of(batch, col, scale);
          break;
        case DecimalMode::kFloat:
          values = floats_of(col);
          break;
        case DecimalMode::kDecimal:
          values = decimals_of(col);
          break;
      }
      break;
  }
  return py::make_tuple(values, mask_of(col));
}

}  // namespace rlx::python
