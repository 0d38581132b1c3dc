#pragma once
/// @file dates.hpp
/// Dates and times as found in incident exports, parsed strictly (no locale):
/// "2025-03-07", "2025-03-07 21:30[:00]", "2025-03-07T21:30[:00][Z]", "07/03/2025[ 21:30[:00]]"
/// (day first, as UK exports are), and police.uk months "2025-03". Any year 0001-9999 is a
/// valid date (the reader warns about dates before 1900 and after today). "24:00" is midnight
/// at the end of the day: "2025-02-13 24:00" is 2025-02-14 00:00 (ISO 8601).

#include <cstdint>
#include <optional>
#include <string_view>

namespace hotspot {

/// Days since 1970-01-01 of a proleptic Gregorian date (no validation).
std::int32_t days_from_civil(int year, unsigned month, unsigned day) noexcept;

/// year*10000 + month*100 + day of a day count.
std::int32_t civil_from_days(std::int32_t days) noexcept;

/// 0 = Monday .. 6 = Sunday.
int weekday_of(std::int32_t days) noexcept;

struct DateTime {
    std::int32_t days = 0;          ///< days since 1970-01-01
    std::int16_t minute_of_day = -1; ///< -1 when the text held no time
    bool month_only = false;        ///< "YYYY-MM": days is the 1st of the month
};

/// Parses a date with optional time; nullopt when the text is not a valid date.
std::optional<DateTime> parse_date(std::string_view text) noexcept;

/// Minutes in a day; parse_time returns it for "24:00" (the end of the day).
inline constexpr std::int16_t minutes_per_day = 1440;

/// Parses "HH:MM[:SS]" or "HHMM" into minutes since midnight, 0..1439; nullopt when not a
/// valid time. "24:00", "24:00:00" and "2400" return minutes_per_day (1440): the caller rolls
/// the date on by one day and uses 00:00.
std::optional<std::int16_t> parse_time(std::string_view text) noexcept;

} // namespace hotspot
