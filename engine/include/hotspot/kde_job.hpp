#pragma once
/// @file kde_job.hpp
/// The `hotspot kde` frame: read incidents (and the study area), run the density step
/// (steps/kde_step.hpp), write the GeoTIFF and a manifest. The analysis is the step's; this
/// only reads and records, so `hotspot kde` and `hotspot run` give the same surface for the
/// same options.
///
/// manifest: `<out without .tif>.manifest.json` unless `manifest_path` is given (one per
/// surface, so several surfaces can share a folder), with options (KdeStepOptions::to_json),
/// inputs with SHA-256, the CRS operation, counts (rows_in = kept + rejected), the step's node
/// under "kde", warnings and timings.

#include <optional>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/steps/kde_step.hpp"

namespace hotspot {

struct KdeJobOptions {
    ReadOptions read;
    std::optional<AreaSpec> study;  ///< study area: grid bounds and nodata mask
    KdeStepOptions kde;
    /// GeoTIFF (.tif), or a surface in tiles (.vrt: a VRT mosaic of tiled COGs in <stem>_tiles,
    /// KdeStepOutput::path), for grids larger than one GeoTIFF may hold.
    std::string out;
    int tile_cells = 4096;          ///< the side of a tile in cells (.vrt only)
    /// The months mapped, "YYYY-MM", inclusive (the run's `period`); both empty: every incident.
    std::string period_from, period_to;
    /// A comparison period ("YYYY-MM", inclusive; the run's `comparison`): also writes the change
    /// surface (the period's density minus the comparison's, same grid) to `change_out`, its
    /// non-significant cells blank, as `hotspot run` writes <profile>_kde_change.tif.
    std::string compare_from, compare_to;
    std::string change_out;         ///< the change GeoTIFF (.tif); required with a comparison
    bool png = false;
    std::string manifest_path;      ///< empty: <out stem>.manifest.json
    bool overwrite = false;
    std::string command_line;
    /// > 0: publish mode (disclosure.hpp), as `hotspot run --publish` applies it: the heat map's k
    /// at least this, the GeoTIFF 0 where fewer incidents reach a cell, the bandwidth floor.
    int publish_min_count = 0;
};

struct KdeJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    KdeStepResult step;
    std::string manifest_path;
    std::vector<std::string> warnings;
    std::string summary() const;  ///< two lines for stdout
};

/// @throws UsageError, InputError, OutputError, Cancelled.
KdeJobResult run_kde_job(const KdeJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
