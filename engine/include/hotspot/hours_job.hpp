#pragma once
/// @file hours_job.hpp
/// The `hours` step: the hours of the week (week_hours.hpp) of the incidents a profile selects
/// (all when none). week_hours_of() works on incidents in memory (for `hotspot run` and the
/// report); run_hours_job() is the `hotspot hours` frame: read, count, write the 7 × 24 table as
/// CSV and manifest.json. With no times at all (police.uk) it writes no table and says so.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/incidents.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/week_hours.hpp"

namespace hotspot {

/// Options of the hours step (the analysis, not the I/O).
struct HoursOptions {
    std::string profile;     ///< a built-in profile selecting the incidents; empty: all
    WeekHourOptions table;
    /// @throws UsageError for an unknown profile or midnight_ratio/midnight_min out of range.
    void validate() const;
    /// The manifest node of these options.
    nlohmann::ordered_json to_json() const;
};

struct HoursResult {
    std::string label;                  ///< "All incidents" or the profile's title
    WeekHourTable table;
    std::vector<std::string> warnings;
};

/// The step on incidents in memory. @throws UsageError (bad options, a profile term needing a
/// field the table lacks).
HoursResult week_hours_of(const IncidentTable& incidents, const HoursOptions& options, bool police_uk = false);

struct HoursJobOptions {
    ReadOptions read;
    HoursOptions hours;
    std::string out;            ///< the table, CSV
    std::string manifest_path;  ///< empty: <out stem>.manifest.json beside `out`
    bool overwrite = false;
    std::string command_line;
    /// @throws UsageError (no incidents, no output, bad options).
    void validate() const;
};

struct HoursJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    HoursResult hours;
    std::vector<std::string> outputs;
    std::string summary() const;
};

/// @throws UsageError, InputError, OutputError.
HoursJobResult run_hours_job(const HoursJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
