#pragma once
/// @file gistar_job.hpp
/// The `gistar` job, the single-command frame of the Gi* step (steps/gistar_step.hpp): read
/// incidents and the study area, run the step, and write a GeoPackage polygon layer `gistar_cells` styled with styles/gistar_cells.qml,
/// optionally a z-score GeoTIFF with a styles/gistar_z.qml.in sidecar, and manifest.json.
///
/// Study area: with `study`, the cells whose centres lie inside its polygons (the kde rule);
/// incidents in other cells are not counted (reported as outside_study). Without it, every
/// cell of the aligned grid over the incidents' extent. Empty cells inside the study area are
/// observations (count 0), as ArcGIS's fishnet and spdep's localG on all cells.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/fdr.hpp"
#include "hotspot/gistar.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/steps/gistar_step.hpp"

namespace hotspot {

/// Options of the gistar job, as the CLI and the QGIS plugin fill them.
struct GiStarJobOptions {
    ReadOptions read;
    std::optional<AreaSpec> study;  ///< study area polygons (any layer; all features together)
    GiStarStepOptions step;         ///< the analysis (cell, band, weights, permutations, ...)
    std::string out;                ///< the cells GeoPackage (.gpkg)
    std::string raster;             ///< optional z-score GeoTIFF (.tif); empty: none
    std::string manifest_path;      ///< empty: <out stem>.manifest.json beside `out`
    bool overwrite = false;
    std::string command_line;
    /// > 0: publish mode (disclosure.hpp), as `hotspot run --publish`: only cells holding at
    /// least this many incidents, with their count and no z, p or bin; the z raster empty.
    int publish_min_count = 0;

    /// @throws UsageError for unusable values (the step's, no input, no output).
    void validate() const;
};

/// What a gistar run did.
struct GiStarJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    GiStarStepResult step;
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;

    /// A short plain-text summary.
    std::string summary() const;
};

/// Runs the job. @throws UsageError (options, absurd grid), InputError, OutputError, Cancelled.
GiStarJobResult run_gistar_job(const GiStarJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
