// The hours step (steps/hours_step.hpp): the one 7 x 24 table of `hotspot hours` and `hotspot run`.

#include "hotspot/steps/hours_step.hpp"

#include "hotspot/manifest.hpp"

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

HoursManifestNode HoursManifestNode::of(const HoursResult& r, const HoursOptions& o) {
    const WeekHourTable& t = r.table;
    HoursManifestNode n;
    n.options = o.to_json();
    n.method = hours_method(o);
    n.label = r.label;
    n.incidents = t.rows, n.in_table = t.counted, n.no_date = t.no_date, n.unknown_time = t.unknown_time;
    n.at_midnight = t.at_midnight, n.round_hour_baseline = t.round_hour_baseline;
    n.midnight_unknown = t.midnight_unknown, n.no_times = t.no_times;
    n.note = t.note();
    n.table.emplace();
    for (const auto& day : t.counts) n.table->emplace_back(day.begin(), day.end());
    return n;
}

nlohmann::ordered_json HoursManifestNode::to_json() const {
    nlohmann::ordered_json j;
    j["options"] = options;
    j["method"] = method;
    j["hours"] = {{"label", label},
                  {"incidents", incidents},
                  {"in_table", in_table},
                  {"no_date", no_date},
                  {"unknown_time", unknown_time},
                  {"at_midnight", at_midnight},
                  {"round_hour_baseline", round_hour_baseline},
                  {"midnight_unknown", midnight_unknown},
                  {"no_times", no_times},
                  {"note", note}};
    if (table) j["hours"]["table"] = *table;
    return j;
}

HoursManifestNode HoursManifestNode::from_json(const nlohmann::ordered_json& node) {
    HoursManifestNode n;
    n.options = json_value_or(node, "options", nlohmann::ordered_json());
    n.method = json_value_or(node, "method", std::string());
    const nlohmann::ordered_json h = json_value_or(node, "hours", nlohmann::ordered_json::object());
    n.label = json_value_or(h, "label", std::string());
    n.incidents = json_value_or(h, "incidents", std::uint64_t(0));
    n.in_table = json_value_or(h, "in_table", std::uint64_t(0));
    n.no_date = json_value_or(h, "no_date", std::uint64_t(0));
    n.unknown_time = json_value_or(h, "unknown_time", std::uint64_t(0));
    n.at_midnight = json_value_or(h, "at_midnight", std::uint64_t(0));
    n.round_hour_baseline = json_value_or(h, "round_hour_baseline", 0.0);
    n.midnight_unknown = json_value_or(h, "midnight_unknown", false);
    n.no_times = json_value_or(h, "no_times", true);
    n.note = json_value_or(h, "note", std::string());
    if (h.contains("table") && !h["table"].is_null()) n.table = h["table"].get<std::vector<std::vector<std::uint64_t>>>();
    return n;
}

nlohmann::ordered_json hours_manifest_node(const HoursResult& r, const HoursOptions& o) {
    return HoursManifestNode::of(r, o).to_json();
}

} // namespace hotspot
