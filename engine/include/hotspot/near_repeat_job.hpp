#pragma once
/// @file near_repeat_job.hpp
/// The `near-repeat` command's frame: reads incidents, runs the near-repeat step
/// (steps/near_repeat_step.hpp) and writes its GeoPackage, the CSV and the manifest. The step: the Knox test (knox.hpp) on incidents in memory, the raised-risk
/// windows it supports (buffers of the raised-risk distance around the last N days' incidents,
/// with their expiry dates, merged where they overlap), written as a GeoPackage (a no-geometry
/// `knox` table and a styled `risk_windows` polygon layer), a CSV of the table, and a manifest node.
///
/// Dates: the Knox test needs day-level dates. Incidents read from police.uk street-level files
/// (a Month column and no date) are refused with an InputError saying what to do; incidents
/// without a date are left out, counted and reported (rows = tested + no date).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/incidents.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/knox.hpp"
#include "hotspot/steps/near_repeat_step.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

/// Options of `hotspot near-repeat`: the step's (steps/near_repeat_step.hpp) and the frame's.
struct NearRepeatOptions : NearRepeatStepOptions {
    ReadOptions read;            ///< used by run_near_repeat_job() only
    std::string out;             ///< GeoPackage (.gpkg) with `knox` and `risk_windows`
    std::string csv;             ///< CSV of the Knox table; empty: beside `out`, NAME_knox.csv
    std::string manifest_path;   ///< empty: <out stem>.manifest.json beside `out` (job only)
    bool overwrite = false;
    std::string command_line;

    /// The step's checks and the output's. @throws UsageError ("near-repeat: ...").
    void validate() const;
    /// The CSV path: `csv`, or `out` with its extension replaced by "_knox.csv".
    std::string csv_path() const;
};

/// Runs the step on incidents in memory and writes the GeoPackage and CSV (not the manifest).
/// @throws UsageError, InputError (no day-level dates), OutputError, Cancelled.
NearRepeatResult run_near_repeat(const NearRepeatOptions& options, const IncidentTable& incidents,
                                 const Progress& progress = no_progress());

/// Reads options.read, runs the step and writes manifest.json.
NearRepeatResult run_near_repeat_job(const NearRepeatOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
