// ColumnBatch columns as numpy arrays: the conversions behind rlx.read and rlx.stream.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rlx/api/reader.h"
#include "rlx/core/name_table.h"

namespace rlx::python {

// How DECIMAL(38,18) columns come out.
enum class DecimalMode : uint8_t {
  kTicks,    // int64 value * 10^scale, exact or refused
  kFloat,    // float64, the nearest double when the value has at most 15 significant digits
  kDecimal,  // decimal.Decimal objects
};
inline constexpr NameTable<DecimalMode, 3> kDecimalModeNames = {
    {{"ticks", DecimalMode::kTicks},
     {"float", DecimalMode::kFloat},
     {"decimal", DecimalMode::kDecimal}}};

// The fewest decimals that hold every value of a decimal column exactly (0-18).
int32_t decimals_needed(const Column& column);
// Per decimal column of `columns`: one scale for the price-like columns and one for the size
// columns (names ending in "size"), each the fewest decimals that hold all of that group.
std::vector<int32_t> auto_scales(const std::vector<Column>& columns);

// Column `c` of `batch` as (values, mask): mask is a bool array (True: NULL) or None when no
// row is NULL. `scale` is used for kTicks. Throws rlx::Error(kInvalidArgument) naming the file,
// row and column of a value that kTicks cannot hold at `scale`.
pybind11::tuple to_numpy(ColumnBatch& batch, size_t c, DecimalMode mode, int32_t scale);

}  // namespace rlx::python
