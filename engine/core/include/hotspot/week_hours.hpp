#pragma once
/// @file week_hours.hpp
/// The hours of the week: a 7 × 24 table of incidents by weekday (Monday first) and hour of
/// the day (00 = 00:00–00:59), from each incident's date and time of day, with the incidents
/// whose time is unknown counted apart, never as midnight.
///
/// Midnight as "unknown": records systems often store a missing time as 00:00. Rule
/// (MidnightRule::detect, the default): let m be the incidents timed exactly 00:00 and b the mean
/// number timed exactly on each of the neighbouring round hours 22:00, 23:00, 01:00 and 02:00
/// (round hours carry the ordinary rounding of reported times, so they are the fair baseline).
/// If m ≥ 20 and m > 5 · max(b, 1), 00:00 is taken to mean "unknown": those incidents are moved
/// to the unknown-time count and the table says so. Incidents at 00:01–00:59 stay in hour 00.
/// MidnightRule::unknown always treats 00:00 as unknown; MidnightRule::keep never does.
/// police.uk publishes the month only: no incident has a time, and the table says so
/// (WeekHourTable::no_times) rather than showing an empty clock.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hotspot {

enum class MidnightRule { detect, unknown, keep };

/// "detect", "unknown", "keep". @throws UsageError for anything else, naming the choices.
MidnightRule parse_midnight_rule(std::string_view text);
std::string_view to_string(MidnightRule r) noexcept;

struct WeekHourOptions {
    MidnightRule midnight = MidnightRule::detect;
    double midnight_ratio = 5;           ///< m > ratio · max(b, 1) flags 00:00 (detect)
    std::uint64_t midnight_min = 20;     ///< and m ≥ this
};

struct WeekHourTable {
    std::array<std::array<std::uint64_t, 24>, 7> counts{};  ///< [weekday, Monday = 0][hour]
    std::uint64_t rows = 0;             ///< incidents considered
    std::uint64_t counted = 0;          ///< in `counts`
    std::uint64_t no_date = 0;          ///< no date, so no weekday (time may be known)
    std::uint64_t unknown_time = 0;     ///< a date but no time (00:00 moved here when flagged)
    std::array<std::uint64_t, 7> unknown_time_by_weekday{};
    std::uint64_t at_midnight = 0;      ///< timed exactly 00:00 (before any move)
    double round_hour_baseline = 0;     ///< mean count at exactly 22:00, 23:00, 01:00, 02:00
    bool midnight_unknown = false;      ///< 00:00 was treated as unknown
    bool no_times = false;              ///< no incident had a time of day
    /// rows = counted + no_date + unknown_time.
    /// A sentence on the times: how many had none, whether 00:00 was taken as unknown and why.
    std::string note() const;
};

/// The table of the incidents `rows` (indices into the spans; empty: all).
/// @param date_days days since 1970-01-01 or incidents.hpp's no_date.
/// @param minute_of_day 0..1439 or −1 (unknown).
/// @throws UsageError when the spans differ in size or a row index is out of range.
WeekHourTable week_hour_table(std::span<const std::int32_t> date_days, std::span<const std::int16_t> minute_of_day,
                              std::span<const std::uint32_t> rows = {}, const WeekHourOptions& options = {});

/// The table as CSV: a header `weekday,h00,...,h23,total,unknown_time`, then Monday..Sunday
/// (incidents per weekday and hour; unknown_time: that weekday's incidents with no time).
std::string to_csv(const WeekHourTable& t);

} // namespace hotspot
