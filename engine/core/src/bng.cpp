// British National Grid references (bng.hpp).

#include "hotspot/bng.hpp"

#include <cmath>
#include <cstdio>

#include "hotspot/error.hpp"

namespace hotspot {

std::string bng_grid_reference(double easting, double northing, int digits) {
    if (digits < 0 || digits > 10 || digits % 2)
        throw UsageError("grid reference", "digits must be 0, 2, 4, 6, 8 or 10 (got " + std::to_string(digits) + ")");
    if (!std::isfinite(easting) || !std::isfinite(northing) || easting < 0 || northing < 0 || easting >= 700000 ||
        northing >= 1300000)
        return "";
    const int e100k = int(std::floor(easting / 100000)), n100k = int(std::floor(northing / 100000));
    // The 500 km letter (S, T, N, O, H, J) then the 100 km letter, each from a 5 x 5 grid of the
    // alphabet without I, lettered from the north-west (OS guide, National Grid reference).
    int l1 = (19 - n100k) - (19 - n100k) % 5 + (e100k + 10) / 5;
    int l2 = (19 - n100k) * 5 % 25 + e100k % 5;
    if (l1 > 7) ++l1;
    if (l2 > 7) ++l2;
    std::string ref{char('A' + l1), char('A' + l2)};
    if (digits == 0) return ref;
    const int half = digits / 2;
    const double unit = std::pow(10.0, 5 - half);  // metres per last digit: truncate, never round
    const long e = long(std::floor(std::fmod(easting, 100000) / unit));
    const long n = long(std::floor(std::fmod(northing, 100000) / unit));
    char buf[32];
    std::snprintf(buf, sizeof buf, " %0*ld %0*ld", half, e, half, n);
    return ref + buf;
}

} // namespace hotspot
