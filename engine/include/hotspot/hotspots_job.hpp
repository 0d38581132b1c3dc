#pragma once
/// @file hotspots_job.hpp
/// The `hotspot hotspots` frame: read incidents and area layers, run the density step
/// (steps/kde_step.hpp, its GeoTIFF written beside the output) and the hot spots step
/// (steps/hotspots_step.hpp) into one vector layer, and write a manifest. The analysis is the
/// steps'; `hotspot run` calls the same two, so for the same inputs and options both write
/// the same hot spot layer.
///
/// Outputs: `out` (.gpkg recommended; layer `hotspots`), `<out stem>_kde.tif` (+ .qml), and
/// `<out stem>.manifest.json` with options, inputs (SHA-256), counts (rows_in = kept +
/// rejected), the kde node and the hotspots node (hotspots_step.hpp).

#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/steps/hotspots_step.hpp"
#include "hotspot/steps/kde_step.hpp"

namespace hotspot {

struct HotspotsJobOptions {
    ReadOptions read;
    /// Area layers: the first is the study area (grid bounds, nodata mask, the area of the
    /// threshold and PAI); the one named "ward" (else the first) fills `wards`, the one named
    /// "lsoa" (else the next) fills `lsoas`. At least one.
    std::vector<AreaSpec> areas;
    KdeStepOptions kde;
    HotspotsStepOptions hotspots;
    std::string out;            ///< vector output (.gpkg)
    std::string layer = "hotspots";
    bool overwrite = false;
    std::string command_line;
};

struct HotspotsJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    KdeStepResult density;
    HotspotsStepResult hotspots;
    std::string out, kde_path, manifest_path;
    std::vector<std::string> warnings;
    std::string summary() const;  ///< lines for stdout
};

/// @throws UsageError, InputError, OutputError, Cancelled.
HotspotsJobResult run_hotspots_job(const HotspotsJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
