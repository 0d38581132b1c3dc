#pragma once
/// @file geocode_job.hpp
/// The `geocode` job: read incidents, place each in every area layer, and write one
/// GeoPackage (incidents, rejects, <area>_counts) plus manifest.json: the single-command frame
/// of the geocode step (steps/geocode_step.hpp), which `hotspot run` calls too.

#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/steps/geocode_step.hpp"

namespace hotspot {

struct GeocodeJobOptions {
    ReadOptions read;
    std::vector<AreaSpec> areas;
    GeocodeStepOptions step;     ///< snap, by-code areas, threads (steps/geocode_step.hpp)
    std::string out;             ///< output dataset (.gpkg by default)
    std::string manifest_path;   ///< empty: <out stem>.manifest.json beside `out`
    bool overwrite = false;
    std::string command_line;

    /// @throws UsageError for unusable values (no areas, negative snap, no output).
    void validate() const;
};

struct GeocodeJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    std::uint64_t assigned = 0;  ///< kept rows inside (or snapped to) at least one area
    std::uint64_t outside = 0;   ///< kept rows in no area of any layer
    std::uint64_t exact_duplicates = 0;
    std::vector<std::pair<std::string, std::uint64_t>> rejects_by_reason;
    std::vector<AreaLayerSummary> layers;
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;
    bool police_uk = false;
    std::string crs_operation;
    double crs_accuracy_m = -1;

    /// A one-screen plain-text summary ending with the reconciliation line.
    std::string summary() const;
};

GeocodeJobResult run_geocode_job(const GeocodeJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
