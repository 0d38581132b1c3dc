#include "hotspot/week_hours.hpp"

#include <algorithm>
#include <sstream>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/incidents.hpp"

namespace hotspot {

MidnightRule parse_midnight_rule(std::string_view text) {
    if (text == "detect") return MidnightRule::detect;
    if (text == "unknown") return MidnightRule::unknown;
    if (text == "keep") return MidnightRule::keep;
    throw UsageError("hours", "unknown --midnight '" + std::string(text) + "'; use detect, unknown or keep");
}

std::string_view to_string(MidnightRule r) noexcept {
    switch (r) {
    case MidnightRule::detect: return "detect";
    case MidnightRule::unknown: return "unknown";
    case MidnightRule::keep: return "keep";
    }
    return "detect";
}

WeekHourTable week_hour_table(std::span<const std::int32_t> date_days, std::span<const std::int16_t> minute_of_day,
                              std::span<const std::uint32_t> rows, const WeekHourOptions& o) {
    if (date_days.size() != minute_of_day.size())
        throw UsageError("hours", "dates and times differ in length (" + std::to_string(date_days.size()) + " and " +
                                      std::to_string(minute_of_day.size()) + ")");
    WeekHourTable t;
    const std::size_t n = rows.empty() ? date_days.size() : rows.size();
    const auto row = [&](std::size_t i) -> std::size_t {
        const std::size_t r = rows.empty() ? i : rows[i];
        if (r >= date_days.size()) throw UsageError("hours", "row " + std::to_string(r) + " is out of range");
        return r;
    };
    // First pass: the exact-minute counts the midnight rule needs.
    std::uint64_t round[24] = {};
    bool any_time = false;
    for (std::size_t i = 0; i < n; ++i) {
        const std::int16_t m = minute_of_day[row(i)];
        if (m < 0) continue;
        any_time = true;
        if (m % 60 == 0) ++round[m / 60];
    }
    t.at_midnight = round[0];
    t.round_hour_baseline = double(round[22] + round[23] + round[1] + round[2]) / 4.0;
    t.no_times = !any_time;
    t.midnight_unknown = o.midnight == MidnightRule::unknown ||
                         (o.midnight == MidnightRule::detect && t.at_midnight >= o.midnight_min &&
                          double(t.at_midnight) > o.midnight_ratio * std::max(t.round_hour_baseline, 1.0));
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t r = row(i);
        ++t.rows;
        const std::int32_t d = date_days[r];
        if (d == no_date) {
            ++t.no_date;
            continue;
        }
        const int wd = weekday_of(d);
        const std::int16_t m = minute_of_day[r];
        if (m < 0 || (m == 0 && t.midnight_unknown)) {
            ++t.unknown_time;
            ++t.unknown_time_by_weekday[std::size_t(wd)];
            continue;
        }
        ++t.counts[std::size_t(wd)][std::size_t(m / 60)];
        ++t.counted;
    }
    return t;
}

std::string to_csv(const WeekHourTable& t) {
    static const char* days[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    std::ostringstream s;
    s << "weekday";
    for (int h = 0; h < 24; ++h) s << ",h" << (h < 10 ? "0" : "") << h;
    s << ",total,unknown_time\n";
    for (std::size_t d = 0; d < 7; ++d) {
        s << days[d];
        std::uint64_t total = 0;
        for (auto c : t.counts[d]) s << ',' << c, total += c;
        s << ',' << total << ',' << t.unknown_time_by_weekday[d] << '\n';
    }
    return s.str();
}

std::string WeekHourTable::note() const {
    std::ostringstream s;
    if (no_times) {
        s << "No incident has a time of day (police.uk publishes the month only), so there is no table of the hours of "
             "the week.";
        return s.str();
    }
    s << counted << " of " << rows << " incidents are in the table";
    if (unknown_time) s << "; " << unknown_time << " have a date but no time";
    if (no_date) s << "; " << no_date << " have no date";
    s << ".";
    if (midnight_unknown)
        s << " " << at_midnight << " incidents timed exactly 00:00 were taken as 'time unknown' (against "
          << round_hour_baseline << " on average at exactly 22:00, 23:00, 01:00 and 02:00), not counted at midnight.";
    return s.str();
}

} // namespace hotspot
