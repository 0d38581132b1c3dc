#pragma once
// Internal text and number helpers shared by the engine's sources (not a public header: it
// lives under src/, which only the engine's own files see). One copy of each, so a format
// cannot drift between the files that write the same kind of value.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>

namespace hotspot::util {

/// The quiet NaN: a missing or undefined value (written as null).
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// A number with up to `precision` significant digits ("250", "0.1234567891"): tags, messages.
inline std::string num(double v, int precision = 10) {
    std::ostringstream s;
    s.precision(precision);
    s << v;
    return s.str();
}

/// A number with `digits` decimals ("12.50").
inline std::string fixed(double v, int digits) {
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(digits);
    s << v;
    return s.str();
}

/// An integer with thousands separators ("12,345", "-1,200").
inline std::string thousands(std::int64_t v) {
    std::string s = std::to_string(v < 0 ? -v : v);
    for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(std::size_t(i), ",");
    return (v < 0 ? "-" : "") + s;
}

/// ASCII lower case.
inline std::string lower(std::string_view s) {
    std::string r(s);
    std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return r;
}

/// `s` without the white space (std::isspace's, in the C locale) around it.
inline std::string_view trim(std::string_view s) noexcept {
    constexpr std::string_view blanks = " \t\r\n\v\f";
    const auto a = s.find_first_not_of(blanks);
    if (a == std::string_view::npos) return {};
    return s.substr(a, s.find_last_not_of(blanks) - a + 1);
}

/// Seconds of wall time since `t`.
inline double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace hotspot::util
