// The hours step (steps/hours_step.hpp): the one 7 x 24 table of `hotspot hours` and `hotspot run`.

#include "hotspot/steps/hours_step.hpp"

#include <cmath>

#include "hotspot/error.hpp"
#include "hotspot/profile.hpp"

namespace hotspot {

void HoursOptions::validate() const {
    if (!profile.empty() && !find_builtin(profile))
        throw UsageError("hours", "unknown --profile '" + profile + "'; `hotspot profiles` lists the built-in ones");
    if (!(table.midnight_ratio >= 1) || !std::isfinite(table.midnight_ratio))
        throw UsageError("hours", "the midnight ratio must be >= 1 (got " + std::to_string(table.midnight_ratio) + ")");
}

nlohmann::ordered_json HoursOptions::to_json() const {
    return {{"profile", profile},
            {"midnight", std::string(to_string(table.midnight))},
            {"midnight_ratio", table.midnight_ratio},
            {"midnight_min", table.midnight_min}};
}

HoursResult week_hours_of(const IncidentTable& inc, const HoursOptions& o, bool police_uk) {
    o.validate();
    HoursResult r;
    ProfileRows chosen = select_profile_rows(inc, o.profile, police_uk);
    std::vector<std::uint32_t> rows = std::move(chosen.rows);
    r.warnings = std::move(chosen.warnings);
    r.label = chosen.label;
    if (o.profile.empty()) {
        rows.clear();  // an empty span means "all rows" to the core
    } else if (rows.empty()) {
        r.table.no_times = true;
        return r;
    }
    r.table = week_hour_table(inc.date_days, inc.minute_of_day, rows, o.table);
    return r;
}

HoursResult week_hours_of_rows(const IncidentTable& inc, const std::vector<std::uint32_t>& rows, const std::string& label,
                               const HoursOptions& o) {
    o.validate();
    HoursResult r;
    r.label = label;
    if (rows.empty()) {
        r.table.no_times = true;
        return r;
    }
    r.table = week_hour_table(inc.date_days, inc.minute_of_day, rows, o.table);
    return r;
}

std::string hours_method(const HoursOptions& o) {
    return "incidents by weekday (Monday first) and hour of the day from each incident's date and time; no time: "
           "counted apart; 00:00 taken as unknown when (detect) at least " + std::to_string(o.table.midnight_min) +
           " incidents are timed exactly 00:00 and more than " + std::to_string(o.table.midnight_ratio) +
           " times the mean at exactly 22:00, 23:00, 01:00 and 02:00";
}

nlohmann::ordered_json hours_manifest_node(const HoursResult& r, const HoursOptions& o) {
    const WeekHourTable& t = r.table;
    nlohmann::ordered_json table = nlohmann::ordered_json::array();
    for (const auto& day : t.counts) table.push_back(day);
    nlohmann::ordered_json j;
    j["options"] = o.to_json();
    j["method"] = hours_method(o);
    j["hours"] = {{"label", r.label},
                  {"incidents", t.rows},
                  {"in_table", t.counted},
                  {"no_date", t.no_date},
                  {"unknown_time", t.unknown_time},
                  {"at_midnight", t.at_midnight},
                  {"round_hour_baseline", t.round_hour_baseline},
                  {"midnight_unknown", t.midnight_unknown},
                  {"no_times", t.no_times},
                  {"note", t.note()},
                  {"table", table}};
    return j;
}

} // namespace hotspot
