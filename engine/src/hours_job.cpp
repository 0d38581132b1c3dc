#include "hotspot/hours_job.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/profile.hpp"
#include "hotspot/vector_out.hpp"

namespace fs = std::filesystem;

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

void HoursJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError("hours", "no incidents given; use --incidents FILE");
    if (out.empty()) throw UsageError("hours", "no output given; use --out FILE.csv");
    hours.validate();
}

HoursJobResult run_hours_job(const HoursJobOptions& o, const Progress& progress) {
    o.validate();
    const std::string manifest_path =
        command_manifest_path(o.out, o.manifest_path);
    check_can_write(o.out, o.overwrite, "hours");
    check_can_write(manifest_path, o.overwrite, "hours");
    const ReadResult read = read_incidents(o.read, progress);
    HoursJobResult res;
    res.rows_in = read.rows_in;
    res.kept = read.incidents.size();
    res.rejected = read.rejects.size();
    res.hours = week_hours_of(read.incidents, o.hours, read.police_uk);
    for (const auto& w : read.warnings) res.hours.warnings.push_back(w);
    const WeekHourTable& t = res.hours.table;
    if (!t.no_times) {
        write_text_atomic(o.out, to_csv(t), o.overwrite, "hours");
        res.outputs.push_back(o.out);
    }
    Manifest manifest("hours", o.command_line);
    add_read(manifest, read, o.read.working_crs);
    auto& j = manifest.json();
    j["options"] = o.hours.to_json();
    j["method"] = "incidents by weekday (Monday first) and hour of the day from each incident's date and time; no time: "
                  "counted apart; 00:00 taken as unknown when (detect) at least " + std::to_string(o.hours.table.midnight_min) +
                  " incidents are timed exactly 00:00 and more than " + std::to_string(o.hours.table.midnight_ratio) +
                  " times the mean at exactly 22:00, 23:00, 01:00 and 02:00";
    nlohmann::ordered_json table = nlohmann::ordered_json::array();
    for (const auto& day : t.counts) table.push_back(day);
    j["hours"] = {{"label", res.hours.label},
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
    j["warnings"] = res.hours.warnings;
    if (!t.no_times) manifest.add_output("table", o.out);
    manifest.write(manifest_path, o.overwrite);
    res.outputs.push_back(manifest_path);
    return res;
}

std::string HoursJobResult::summary() const {
    std::ostringstream s;
    s << "hotspot hours: " << rows_in << " rows read, " << kept << " kept, " << rejected << " rejected; " << hours.label << "\n  "
      << hours.table.note() << "\n";
    if (!hours.table.no_times) {
        // The busiest hour of the week, in words.
        std::size_t bd = 0, bh = 0;
        for (std::size_t d = 0; d < 7; ++d)
            for (std::size_t h = 0; h < 24; ++h)
                if (hours.table.counts[d][h] > hours.table.counts[bd][bh]) bd = d, bh = h;
        static const char* days[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
        s << "  busiest hour: " << days[bd] << " " << (bh < 10 ? "0" : "") << bh << ":00-" << (bh < 10 ? "0" : "") << bh
          << ":59 (" << hours.table.counts[bd][bh] << " incidents)\n";
    }
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot
