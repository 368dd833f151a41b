#include "rlx/core/decimal.h"

#include <charconv>
#include <cmath>
#include <iterator>

namespace rlx {
namespace {

struct Pow10Table {
  __int128 v[39];
  constexpr Pow10Table() : v() {
    v[0] = 1;
    for (int32_t i = 1; i < 39; ++i) v[i] = v[i - 1] * 10;
  }
};
constexpr Pow10Table kPow10Table;
constexpr const __int128* kPow10 = kPow10Table.v;

}  // namespace

bool Decimal::parse(std::string_view s, Decimal* out) {
  size_t i = 0;
  const size_t n = s.size();
  bool negative = false;
  if (i < n && (s[i] == '-' || s[i] == '+')) {
    negative = s[i] == '-';
    ++i;
  }
  // Digits are accumulated as an integer `mant` with `exp10` = power of ten applied to it.
  __int128 mant = 0;
  int32_t exp10 = 0;
  int32_t digits = 0;  // significant digits accumulated (leading zeros excluded)
  bool any_digit = false;
  bool nonzero_dropped = false;  // a nonzero digit that could not be kept exactly
  for (; i < n && s[i] >= '0' && s[i] <= '9'; ++i) {
    any_digit = true;
    if (mant == 0 && s[i] == '0') continue;
    if (digits >= 38) return false;  // integer part alone exceeds DECIMAL(38,18)
    mant = mant * 10 + (s[i] - '0');
    ++digits;
  }
  if (i < n && s[i] == '.') {
    ++i;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; ++i) {
      any_digit = true;
      if (digits >= 38) {
        if (s[i] != '0') nonzero_dropped = true;
        continue;
      }
      if (mant != 0 || s[i] != '0') ++digits;
      mant = mant * 10 + (s[i] - '0');
      --exp10;
    }
  }
  if (!any_digit) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
      exp_negative = s[i] == '-';
      ++i;
    }
    int32_t e = 0;
    bool any_exp = false;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; ++i) {
      any_exp = true;
      if (e < 10000) e = e * 10 + (s[i] - '0');
    }
    if (!any_exp) return false;
    exp10 += exp_negative ? -e : e;
  }
  if (i != n || nonzero_dropped) return false;
  // Scale mant * 10^exp10 to mant' * 10^-18.
  int32_t shift = exp10 + kScale;
  if (mant == 0) {
    *out = Decimal(0);
    return true;
  }
  while (shift < 0) {  // more than 18 fractional digits: only trailing zeros may go
    if (mant % 10 != 0) return false;
    mant /= 10;
    ++shift;
  }
  if (shift > 38) return false;
  // mant * 10^shift < 10^38  <=>  mant < 10^(38 - shift): no division, no overflow.
  if (mant >= kPow10[38 - shift]) return false;
  mant *= kPow10[shift];
  *out = Decimal(negative ? -mant : mant);
  return true;
}

bool Decimal::from_double(double value, Decimal* out) {
  if (!std::isfinite(value)) return false;
  // Fast path for what feeds hold (prices and sizes of at most 15 significant and 10 fractional
  // digits), without formatting text. If the integer r = round(value * 10^k) has at most 15
  // digits and r / 10^k (exact operands, one correctly rounded division) gives back `value`,
  // then r * 10^-k is the shortest round trip: two different decimals of at most 15 significant
  // digits never round to the same double (DBL_DIG), so it is the one to_chars would write.
  static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
  static constexpr int64_t kPow10Int[] = {1'000'000'000'000'000'000,
                                          100'000'000'000'000'000,
                                          10'000'000'000'000'000,
                                          1'000'000'000'000'000,
                                          100'000'000'000'000,
                                          10'000'000'000'000,
                                          1'000'000'000'000,
                                          100'000'000'000,
                                          10'000'000'000,
                                          1'000'000'000,
                                          100'000'000};
  for (size_t k = 0; k < std::size(kPow10); ++k) {
    const double scaled = value * kPow10[k];
    if (!(std::fabs(scaled) < 1e15)) break;  // more than 15 digits: the text path below
    const double r = std::nearbyint(scaled);
    if (r / kPow10[k] == value) {
      *out = Decimal(static_cast<__int128>(static_cast<int64_t>(r)) * kPow10Int[k]);
      return true;
    }
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return false;
  return parse(std::string_view(buf, static_cast<size_t>(end - buf)), out);
}

std::string Decimal::to_string() const {
  unsigned __int128 v =
      raw_ < 0 ? -static_cast<unsigned __int128>(raw_) : static_cast<unsigned __int128>(raw_);
  const auto one = static_cast<unsigned __int128>(kOne);
  unsigned __int128 int_part = v / one;
  auto frac = static_cast<uint64_t>(v % one);
  char buf[64];
  char* p = buf + sizeof(buf);
  do {
    *--p = static_cast<char>('0' + static_cast<int>(int_part % 10));
    int_part /= 10;
  } while (int_part != 0);
  std::string out;
  if (raw_ < 0) out.push_back('-');
  out.append(p, buf + sizeof(buf));
  if (frac != 0) {
    char fbuf[kScale];
    for (int32_t k = kScale - 1; k >= 0; --k) {
      fbuf[k] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    int32_t len = kScale;
    while (len > 0 && fbuf[len - 1] == '0') --len;
    out.push_back('.');
    out.append(fbuf, static_cast<size_t>(len));
  }
  return out;
}

}  // namespace rlx
