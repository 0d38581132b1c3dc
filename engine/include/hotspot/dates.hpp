#pragma once
/// @file dates.hpp
/// Dates and times as found in incident exports, parsed strictly (no locale):
/// "2025-03-07", "2025-03-07 21:30[:00]", "2025-03-07T21:30[:00][Z]", "07/03/2025[ 21:30[:00]]"
/// (day first, as UK exports are), and police.uk months "2025-03".

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

/// Parses "HH:MM[:SS]" or "HHMM"; nullopt when not a valid time.
std::optional<std::int16_t> parse_time(std::string_view text) noexcept;

} // namespace hotspot
