#pragma once
/// @file change_job.hpp
/// `hotspot change`: the frame around the change step (steps/change_step.hpp): read the
/// incidents, areas and populations, run the step, write a GeoPackage (`<area>_change` polygon
/// layers styled by class with styles/change_class.qml, and a `study_area_change` table), the
/// monthly series as CSV, and <out stem>.manifest.json.

#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/population.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/steps/change_step.hpp"

namespace hotspot {

/// Options of `hotspot change`.
struct ChangeJobOptions {
    ReadOptions read;
    ChangeOptions change;
    std::vector<AreaSpec> areas;
    std::vector<PopulationSpec> populations;  ///< matched to `areas` by name, else in order
    std::string population_field;             ///< else: a population field of the area layers
    std::string out;                          ///< GeoPackage (.gpkg)
    std::string series_path;                  ///< empty: <out stem>_series.csv beside `out`
    std::string manifest_path;                ///< empty: <out stem>.manifest.json beside `out`
    bool overwrite = false;
    unsigned threads = 0;
    std::string command_line;

    /// @throws UsageError (no incidents, no output, more populations than areas, ...).
    void validate() const;
};

struct ChangeJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    ChangeResult change;
    std::vector<std::string> outputs;
    std::string summary() const;
};

/// @throws UsageError, InputError, OutputError.
ChangeJobResult run_change_job(const ChangeJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
