#pragma once
/// @file hours_job.hpp
/// `hotspot hours`: the frame around the hours step (steps/hours_step.hpp): read, count, write
/// the 7 × 24 table as CSV and <out stem>.manifest.json. With no times at all (police.uk) it
/// writes no table and says so.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/incidents.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/steps/hours_step.hpp"

namespace hotspot {

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
