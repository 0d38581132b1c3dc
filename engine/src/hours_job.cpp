// `hotspot hours`: the frame around the hours step (steps/hours_step.hpp).

#include "hotspot/hours_job.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/profile.hpp"
#include "hotspot/output_safety.hpp"

namespace fs = std::filesystem;

namespace hotspot {

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
    const nlohmann::ordered_json node = hours_manifest_node(res.hours, o.hours);
    for (auto it = node.begin(); it != node.end(); ++it) j[it.key()] = it.value();
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
