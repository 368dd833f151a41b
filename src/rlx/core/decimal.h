// Exact fixed-point decimal: a signed 128-bit integer scaled by 10^18, the in-memory form of
// the DECIMAL(38,18) columns rlx writes. No floating point touches a price or size.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace rlx {

class Decimal {
 public:
  static constexpr int32_t kScale = 18;
  static constexpr __int128 kOne = static_cast<__int128>(1'000'000'000'000'000'000LL);
  // DECIMAL(38,18) holds |raw| < 10^38.
  static constexpr __int128 kMaxRaw = kOne * kOne * static_cast<__int128>(100) - 1;

  constexpr Decimal() = default;
  static constexpr Decimal from_raw(__int128 raw) { return Decimal(raw); }
  static constexpr Decimal from_int(int64_t v) { return Decimal(static_cast<__int128>(v) * kOne); }

  // Parses "123", "-0.5", "1.2300", "1e-05", "2.5E+3". Returns false (leaving *out untouched)
  // for empty text, stray characters, NaN/inf, more than 18 significant fractional digits, or
  // a value outside DECIMAL(38,18).
  static bool parse(std::string_view text, Decimal* out);
  // The shortest decimal that round-trips to `value` (what std::to_chars writes), exactly.
  // Never multiplies by 1e18 in floating point. Returns false for NaN, inf or out of range.
  static bool from_double(double value, Decimal* out);

  constexpr __int128 raw() const { return raw_; }
  constexpr bool is_zero() const { return raw_ == 0; }
  constexpr bool is_negative() const { return raw_ < 0; }

  // The nearest double or one ulp off it (whole and fractional parts converted apart): for
  // statistics, never for values written out.
  constexpr double to_double() const {
    const __int128 whole = raw_ / kOne;  // exact, then converted: no precision lost before it
    return static_cast<double>(whole) + static_cast<double>(raw_ % kOne) / 1e18;
  }
  // Canonical text: no exponent, no trailing fractional zeros ("61737.63", "0", "-0.001").
  std::string to_string() const;

  friend constexpr auto operator<=>(Decimal a, Decimal b) = default;
  friend constexpr Decimal operator+(Decimal a, Decimal b) { return Decimal(a.raw_ + b.raw_); }
  friend constexpr Decimal operator-(Decimal a, Decimal b) { return Decimal(a.raw_ - b.raw_); }
  // Midpoint, truncated toward zero at the 18th decimal: exact for any price with <= 17 decimals.
  static constexpr Decimal midpoint(Decimal a, Decimal b) { return Decimal((a.raw_ + b.raw_) / 2); }

 private:
  constexpr explicit Decimal(__int128 raw) : raw_(raw) {}
  __int128 raw_ = 0;
};

}  // namespace rlx
