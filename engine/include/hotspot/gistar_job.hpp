#pragma once
/// @file gistar_job.hpp
/// The `gistar` job: read incidents, count them on the aligned Grid (grid.hpp, the alignment
/// every kde surface uses), run Getis-Ord Gi* on the cells of the study area (gistar.hpp),
/// and write a GeoPackage polygon layer `gistar_cells` styled with styles/gistar_cells.qml,
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
#include "hotspot/weights.hpp"

namespace hotspot {

/// Options of the gistar job, as the CLI and the QGIS plugin fill them.
struct GiStarJobOptions {
    ReadOptions read;
    std::optional<AreaSpec> study;  ///< study area polygons (any layer; all features together)
    double cell_size_m = 0;         ///< grid cell, metres (> 0)
    std::optional<double> band_m;   ///< distance band, metres (> 0); empty: chosen from the data (default_grid_band())
    WeightScheme weights = WeightScheme::binary;
    int permutations = 0;           ///< 0: analytic p only
    std::uint64_t seed = 12345;     ///< seed of the permutations
    PAdjust correction = PAdjust::fdr_bh;
    GiStarTest test = GiStarTest::automatic; ///< normal z, exact binomial test, or auto (gistar.hpp)
    bool all_cells = false;         ///< write every study-area cell, not only non-empty/significant
    std::string out;                ///< the cells GeoPackage (.gpkg)
    std::string raster;             ///< optional z-score GeoTIFF (.tif); empty: none
    std::string manifest_path;      ///< empty: manifest.json beside `out`
    bool overwrite = false;
    unsigned threads = 0;
    std::string command_line;

    /// Largest grid accepted (cells), checked before anything is allocated.
    std::int64_t max_cells = 50'000'000;
    /// Largest band in cells (band_m / cell_size_m); the stencil grows with its square.
    double max_band_cells = 200;

    /// @throws UsageError for unusable values: "gistar: --cell must be > 0 m (got 0)",
    ///         "--band must be > 0 m", permutations outside 0..99999, no output.
    void validate() const;
};

/// What a gistar run did.
struct GiStarJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    std::uint64_t counted = 0;        ///< incidents in study-area cells
    std::uint64_t outside_study = 0;  ///< kept incidents outside the study area's cells
    std::int64_t cols = 0, rows = 0;
    double cell_size_m = 0;
    double origin_x = 0, origin_y = 0;
    std::size_t study_cells = 0;      ///< observations n
    std::size_t nonempty_cells = 0;
    std::size_t written_cells = 0;
    double band_m = 0;
    std::string band_method;          ///< "given" or the default rule with its numbers
    double mean_neighbours = 0;       ///< mean neighbours per study cell, self included
    std::int64_t bins[7] = {};        ///< cells per gi_bin −3..3
    std::string method;               ///< one line naming the conventions used
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;

    /// A short plain-text summary.
    std::string summary() const;
};

/// Runs the job. @throws UsageError (options, absurd grid), InputError, OutputError, Cancelled.
GiStarJobResult run_gistar_job(const GiStarJobOptions& options, const Progress& progress = no_progress());

/// Parses "binary" / "inverse-distance". @throws UsageError naming the choices.
WeightScheme parse_weight_scheme(const std::string& name);

} // namespace hotspot
