#pragma once
/// @file steps/gistar_step.hpp
/// The Gi* step: incidents already in memory -> Getis-Ord Gi* on incident counts in aligned grid
/// cells of the study area (gistar.hpp): one polygon layer of cells written through a
/// VectorWriter, and optionally the z-score GeoTIFF with its styles/gistar_z.qml.in sidecar.
/// Both frames call it: `hotspot gistar` (gistar_job.cpp) and `hotspot run` (pipeline.cpp).
///
/// Study area and the edge rule (one rule, here): with study polygons, the cells whose centre
/// lies inside them (rasterize_areas, the kde rule); an incident inside the study area (its edge
/// included, AreaIndex::locate) whose cell's centre is not brings its cell into the study area,
/// so edge incidents are counted, not dropped. Incidents in no study cell are not counted
/// (outside_study). Without study polygons: every cell of the aligned grid over the incidents.
/// Empty cells inside the study area are observations (count 0), as ArcGIS's fishnet and
/// spdep's localG on all cells.
///
/// Band: the given band_m, else default_grid_band() (the ArcGIS Optimized Hot Spot Analysis
/// fallback: mean distance to the k-th nearest non-empty cell).
///
/// Cells layer schema (field names spelled once, in gistar_step.cpp), in this order:
///   col, row (integer: the cell in the grid, row 0 at the top), count (integer, incidents;
///   empty when below publish_min_count), z (real, Gi* z-score), p (real, two-sided p of z, or the
///   exact binomial p), p_perm (real, permutation pseudo p; only with permutations > 0),
///   p_corrected (real, p after the correction), gi_bin (integer, ArcGIS Gi_Bin -3..3 on
///   p_corrected), neighbours (integer, cells in the band, self included).
/// Written: every study cell with a count > 0 or gi_bin != 0 (all of them with all_cells).
/// Style: styles/gistar_cells.qml (ArcGIS hot/cold colours).
///
/// z GeoTIFF tags (keys spelled once, in gistar_step.cpp, in this order): hotspot_version,
///   surface, profile, method, cell_size_m, band_m, band_method, weights, correction,
///   permutations, seed, incidents, study_area. Style: styles/gistar_z.qml.in (ArcGIS colours).

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/fdr.hpp"
#include "hotspot/steps/permutation_options.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/gistar.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/weights.hpp"

namespace hotspot {

class VectorWriter;
class StudyMasks;

/// Options of the Gi* step (CLI flag = manifest key, kebab-cased).
struct GiStarStepOptions {
    double cell_size_m = 0;         ///< grid cell, metres (> 0)
    std::optional<double> band_m;   ///< distance band, metres; empty: default_grid_band()
    WeightScheme weights = WeightScheme::binary;
    PermutationOptions perm;        ///< 0 permutations by default: analytic p only
    GiStarTest test = GiStarTest::automatic;
    bool all_cells = false;         ///< write every study cell, not only non-empty/significant
    std::int64_t max_cells = 50'000'000;  ///< largest grid accepted, checked before allocating
    double max_band_cells = 200;    ///< largest band in cells (the stencil grows with its square)

    /// @throws UsageError: "gistar: --cell must be > 0 m (got 0)", "--band must be > 0 m",
    ///         a band under one cell or over max_band_cells, permutations outside 0..99999.
    void validate() const;
    /// The manifest node of the options.
    nlohmann::ordered_json to_json() const;
};

/// The Gi* step's manifest node as a run profile records it ("gistar": the step's node plus the
/// summary keys run/profile_gistar.cpp adds) and its readers (the report) take it.
struct GiStarManifestNode {
    double cell_m = NAN, band_m = NAN;
    double hot_cells_99 = NAN;         ///< cells hot at 99% after correction
    std::string weights, correction;   ///< in words
    /// @throws nlohmann::json::exception: a key holds a value of another type.
    static GiStarManifestNode from_json(const nlohmann::ordered_json& node);
};

/// The incidents and study area, in memory.
struct GiStarStepInput {
    const IncidentTable* incidents = nullptr;
    const std::vector<std::uint32_t>* rows = nullptr;     ///< rows to count; nullptr: every row
    const std::vector<MultiPolygon>* study = nullptr;    ///< nullptr: the incidents' extent
    const AreaIndex* study_index = nullptr;  ///< index of `study` (built here when nullptr)
    StudyMasks* masks = nullptr;             ///< optional cache of cell masks (kde_step.hpp)
    /// The study layer's name and path: when set, the incidents outside the study area are
    /// reported (report_outside: a warning first, or InputError when none is inside).
    std::string study_name, study_path;
};

/// Where the step writes.
struct GiStarStepOutput {
    VectorWriter* writer = nullptr;  ///< the cells layer goes here (required)
    std::string layer = "gistar_cells";
    std::string raster;              ///< z-score GeoTIFF (.tif); empty: none
    std::string crs = "EPSG:27700";
    bool overwrite = false;
    /// Threads compressing the GeoTIFF's tiles (GeoTiffOptions::threads: the same bytes whatever
    /// the count); 0: the step's (GiStarStepOptions::perm.threads).
    unsigned tiff_threads = 0;
    std::string profile = "all incidents";
    std::string band_description = "gistar_z";
    std::string study_area = "incident extent";  ///< text for the study_area tag
    std::uint64_t publish_min_count = 0;  ///< cell counts below this are left empty (publish mode)
};

struct GiStarStepResult {
    Grid grid;
    std::uint64_t counted = 0;        ///< incidents in study cells
    std::uint64_t outside_study = 0;  ///< incidents in no study cell
    std::size_t study_cells = 0;      ///< observations n
    std::size_t nonempty_cells = 0;
    std::size_t written_cells = 0;
    double band_m = 0;
    std::string band_method;          ///< "given" or the default rule with its numbers
    nlohmann::ordered_json band;      ///< the band's manifest node
    double mean_neighbours = 0;
    std::int64_t bins[7] = {};        ///< study cells per gi_bin -3..3
    double mean_count = 0, variance_count = 0;
    bool exact = false;               ///< p from the exact binomial test
    std::string method;               ///< one line naming the conventions used
    std::vector<std::string> warnings;
    std::vector<std::string> files;   ///< raster and its .qml (the layer is in the writer)
    nlohmann::ordered_json manifest;  ///< the step's manifest node
};

/// Runs the Gi* step: counts, band, Gi*, the cells layer (through output.writer) and the raster.
/// @throws UsageError (options, absurd grid or band), InputError (no incident), OutputError,
///         Cancelled.
GiStarStepResult run_gistar_step(const GiStarStepInput& input, const GiStarStepOptions& options,
                                 const GiStarStepOutput& output, const Progress& progress = no_progress());

/// Parses "binary" / "inverse-distance". @throws UsageError naming the choices.
WeightScheme parse_weight_scheme(const std::string& name);

} // namespace hotspot
