#pragma once
/// @file steps/kde_step.hpp
/// The density step: incidents already in memory -> one kernel density GeoTIFF (+ its QGIS
/// style, optional PNG quick-look, optional change surface against a comparison set).
/// Both frames call it: `hotspot kde` (cli/cmd_kde.cpp) and `hotspot run` (pipeline.cpp), so
/// the bandwidth rule, the grid, the study mask, the tags and the manifest node exist once.
///
/// Bandwidth grammar (the one grammar of the CLI flag `--bandwidth`, the run config key
/// `analysis.bandwidth` and the profile key `analysis.bandwidth_m`; BandwidthSpec::parse):
///   - a number of metres > 0: the kernel's support radius (σ for the gaussian kernel, and for
///     every kernel under `--compat spatstat`);
///   - `auto` (= `auto:ppl`) or `auto:<rule>`, rule one of scott, silverman, arcgis, ppl
///     (aliases lcv, likelihood); a rule's σ becomes the kernel's support radius by the table of
///     kde.hpp (kept as σ for gaussian and spatstat); arcgis gives a radius, used as is.
///
/// GeoTIFF tags (each key spelled once, in kde_step.cpp; written in this order):
///   hotspot_version, surface, profile, period, kernel, bandwidth_m, bandwidth_method,
///   support_radius_m, cell_size_m, units, compat, edge_correction, weight, incidents,
///   distinct_points, study_area, heat_min_incidents, and on a change surface also comparison
///   and, with KdeStepOutput::change_significance, change_significance (the blanking rule).
///   bandwidth_m is the value the kernel used (radius, or σ for gaussian/spatstat) and
///   support_radius_m the radius it reaches; numbers with up to 10 significant digits;
///   period is the first/last date of the incidents used ("YYYY-MM-DD/YYYY-MM-DD", or
///   "unknown").

#include <cmath>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/bandwidth.hpp"
#include "hotspot/change_surface.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/heat_classes.hpp"
#include "hotspot/kde.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

/// A bandwidth as written: a fixed value in metres, or an automatic rule.
struct BandwidthSpec {
    double fixed_m = 0;                    ///< > 0 when fixed
    std::optional<BandwidthMethod> rule;   ///< set for auto:<rule>

    /// Parses the grammar above. @throws UsageError: "<who>: --bandwidth '...' is neither metres
    /// nor auto:<method> ...", "<who>: bandwidth must be > 0 m (got ...)", or
    /// parse_bandwidth_method's "bandwidth: unknown method ..." for an unknown rule.
    static BandwidthSpec parse(std::string_view text, std::string_view who = "kde");
    /// "250" or "auto:ppl": parse(text()) gives the same spec.
    std::string text() const;
    bool empty() const noexcept { return !rule && fixed_m <= 0; }
};

/// The canonical name of a rule in the grammar ("scott", "silverman", "arcgis", "ppl").
std::string_view bandwidth_method_key(BandwidthMethod m) noexcept;

/// What the run's backtests measured for the setting that draws the map, when they chose its
/// bandwidth (`bandwidth = "auto:backtest"`, run/backtest_display.hpp).
struct KdeBacktestRecord {
    std::string setting;                 ///< "kde 100 m"
    std::vector<double> shares;          ///< the backtest's area shares (0-1), e.g. 0.005 .. 0.05
    double share = 0.01;                 ///< the share the hit rate below is at
    double hit_rate = 0;                 ///< pooled out-of-sample hit rate at `share` (0-1)
    double pai = 0;                      ///< PAI at `share`
    int months = 0;                      ///< months the origins span
    std::string what = "incidents";      ///< "car key burglary": what the hit rate counts
    std::string tested_on = "the next quarter's";  ///< BacktestOptions::tested_on()
};

/// The statement the density step writes in place of the kde's snap-point warning for a
/// backtest-chosen bandwidth: "kde: kde 100 m is finer than the spacing of the police.uk snap
/// points, but it was chosen on out-of-sample prediction: over the last 17 months maps drawn
/// this way caught 48% of the next quarter's incidents in 1% of the area (PAI 48); the map's
/// classes are the densest 0.5, 1, 2 and 5% of the area, the shares the backtest measured".
std::string backtest_snap_statement(const KdeBacktestRecord& record);

/// Options of the density step (CLI flag = manifest key, kebab-cased).
struct KdeStepOptions {
    Kernel kernel = Kernel::quartic;
    BandwidthSpec bandwidth;           ///< required
    double cell_size_m = 0;            ///< 0: kde_grid()'s default
    KdeUnits units = KdeUnits::per_km2;
    KdeCompat compat = KdeCompat::none;
    EdgeCorrection edge = EdgeCorrection::none;
    std::string weight;                ///< incident field weighting each incident; empty: 1 each
    unsigned threads = 0;              ///< 0: all cores; never changes the output
    /// The heat map's classes (heat_classes.hpp): area shares and k, the fewest incidents that
    /// must reach a cell for it to be shaded (--heat-min-incidents; publish mode: at least the
    /// disclosure threshold). Units and period are filled in by the step.
    HeatClassOptions heat;
    /// A fixed extent (--extent xmin,ymin,xmax,ymax, metres in the working CRS) for tiled runs
    /// (README "Tiled runs"): the grid is exactly the cells meeting it, snapped outward to
    /// multiples of the cell size (extent_grid()), whatever the incidents' or study area's
    /// bounds; incidents outside it still count where their kernel reaches it. Needs a fixed
    /// --cell and the default compat. Unset: the grid of kde_grid().
    std::optional<Bounds> extent;
    /// Set by `hotspot run` when its backtests chose the bandwidth: the step then writes
    /// backtest_snap_statement() with these figures instead of the kde's snap-point warning
    /// (KdeResult::snap_warning), since a fine bandwidth was chosen on evidence. Not an option
    /// of `hotspot kde`; not in the manifest's options (the statement is in its warnings).
    std::optional<KdeBacktestRecord> bandwidth_chosen_by_backtest;

    /// @throws UsageError: no bandwidth, fixed bandwidth <= 0, cell < 0, contradictory compat,
    ///         an extent that is not finite with xmin < xmax and ymin < ymax, or one without --cell.
    void validate() const;
    /// The manifest node ("options" of `hotspot kde`, "kde.options" of a run profile).
    nlohmann::ordered_json to_json() const;
};

/// The grid of a fixed extent: the cells meeting `extent` (open interior), origin
/// (floor(xmin/c)·c, ceil(ymax/c)·c), cols = ceil(xmax/c) − floor(xmin/c), rows = ceil(ymax/c) −
/// floor(ymin/c). Extents whose edges are multiples of c therefore tile without overlap: the
/// tiles' grids are disjoint pieces of the whole extent's grid, on one global origin (0, 0).
/// @throws UsageError as Grid::aligned (cell, empty extent, more than `max_cells`).
Grid extent_grid(const Bounds& extent, double cell_size_m, std::int64_t max_cells = Grid::default_max_cells);

/// "xmin,ymin,xmax,ymax" in metres (the --extent grammar). @throws UsageError naming `who`.
Bounds parse_extent(std::string_view text, std::string_view who = "kde");

/// The change surface's tag stating its significance rule (KdeStepOutput::change_significance);
/// the QGIS project's layer abstract reads it by this name.
inline constexpr const char* change_significance_tag = "change_significance";

/// The most cells a surface written in tiles (KdeStepOutput::path ending in .vrt) may have: 1.6e9,
/// four times what one GeoTIFF may (Grid::default_max_cells), a 25 m grid over 1,000 x 1,600 km.
/// Its classes keep every study-area cell's value (8 bytes a cell) to find the class edges.
inline constexpr std::int64_t tiled_max_cells = 4 * Grid::default_max_cells;

/// Where the step writes, and the descriptive tags that are not options.
struct KdeStepOutput {
    /// The GeoTIFF (.tif), or a tiled surface (.vrt): tiles of tile_cells x tile_cells cells,
    /// each a Cloud Optimized GeoTIFF with its own overviews, in the folder `<stem>_tiles` beside
    /// it (named r<row>_c<col>.tif, counted from the north-west tile; a tile with no cell in the
    /// study area is not written, so the mosaic reads nodata there), and the VRT mosaic of them
    /// at `path` with the surface's tags and `<stem>.qml`. Each cell of the mosaic equals the
    /// untiled surface's (the same kernel sums in the same order, on tile origins that are exact
    /// for cells of whole metres or binary fractions of one: tests/unit/test_cmd_kde.cpp),
    /// and the heat classes are the whole surface's (heat_classes_of). For grids larger than one
    /// GeoTIFF may hold (up to tiled_max_cells): a national 25 m surface. Not with the
    /// change surface, the PNG quick-look, the Diggle edge correction, a --compat mode or
    /// relative units (all of which need the whole surface at once).
    std::string path;
    int tile_cells = 4096;             ///< the side of a tile in cells (tiled output only; 256-16384)
    /// The caller lets the user name the output (`hotspot kde`): a grid too large for one GeoTIFF
    /// is refused with the remedy of a .vrt. Off where the name is the caller's (run, hotspots).
    bool may_tile = false;
    std::string crs = "EPSG:27700";    ///< the working CRS of the incidents
    bool overwrite = false;
    bool png = false;                  ///< also an RGBA quick-look <path>.png
    /// Threads compressing the GeoTIFFs' tiles (GeoTiffOptions::threads: the same bytes whatever
    /// the count); 0: the step's (KdeStepOptions::threads).
    unsigned tiff_threads = 0;
    std::string profile = "all incidents";
    std::string band_description = "density";
    std::string study_area = "incident extent";  ///< text for the study_area tag
    /// Change surface (this minus the comparison incidents' density, same grid and options):
    /// written to `change_path` with a diverging style when not empty.
    std::string change_path;
    std::string comparison;            ///< text for the change surface's comparison tag
    /// The change surface's significance screen (change_surface.hpp): when set, cells whose change
    /// is not significant are blank (nodata), the tag change_significance states the rule, the
    /// style is change_surface_qml()'s classes symmetric around 0 (labelled in incidents per km²,
    /// titled "<band_description> change, incidents per km²"), and the manifest node gains
    /// change_surface {rule, cells_blanked, class_breaks_per_km2, labels}. e1 and e2 are the
    /// periods' lengths in months; radius_m is set by the step (the kernel's support radius).
    /// Unset: the change surface is written whole with a diverging style.
    std::optional<ChangeSurfaceTest> change_significance;
    /// Publish mode (disclosure.hpp; 0: off): the written surfaces are 0 wherever fewer than
    /// this many incidents lie within the kernel's support radius of a cell (the raster itself,
    /// not only its styling), so no patch can be integrated back to fewer incidents; and the
    /// bandwidth is at least publish_min_bandwidth_m.
    int publish_min_count = 0;
    double publish_min_bandwidth_m = 0;
};

/// A tiled output's (KdeStepOutput::path .vrt) options, checked before any work: refused with a
/// change surface, the PNG, the Diggle correction, a compat mode, relative units, or a tile
/// side outside 256-16384 cells. Nothing for a .tif. @throws UsageError naming the remedy.
void check_tiled_output(const KdeStepOptions& options, const KdeStepOutput& out);

/// The change_significance screen of a period [from, to] against a comparison [compare_from,
/// compare_to] (each "YYYY-MM" or "YYYY-MM-DD"; whole calendar months): e1 and e2 their lengths
/// in months, 1 where an end is missing. Used by `hotspot kde` and `hotspot run` alike.
ChangeSurfaceTest change_significance_of(const std::string& from, const std::string& to, const std::string& compare_from,
                                         const std::string& compare_to);

/// The incidents and study area, in memory.
struct KdeStepInput {
    const IncidentTable* incidents = nullptr;
    /// Rows of `incidents` to use, ascending; nullptr: every row.
    const std::vector<std::uint32_t>* rows = nullptr;
    /// Rows of the comparison set (change surface); used only with KdeStepOutput::change_path.
    const std::vector<std::uint32_t>* comparison_rows = nullptr;
    /// Study area polygons: the grid covers their bounds and cells whose centres lie outside
    /// are nodata (rasterize_areas). nullptr: the incidents' bounds, no mask.
    const std::vector<MultiPolygon>* study = nullptr;
    /// Optional cache of masks for grids already seen (the run reuses it across profiles).
    class StudyMasks* masks = nullptr;
};

struct KdeStepResult {
    KdeOptions kde;                     ///< the resolved options (bandwidth_m as the kernel used it)
    Bandwidth bandwidth;                ///< method_name "fixed" or the rule's
    Grid grid;
    KdeResult surface;
    std::vector<double> class_breaks;   ///< of the style (upper bounds): heat.breaks()
    HeatClasses heat;                   ///< the classes of the style, PNG and legend
    std::vector<std::string> files;     ///< written: tif, qml, png, change tif, change qml
    std::vector<std::string> warnings;
    nlohmann::ordered_json manifest;    ///< the step's manifest node
};

/// The density step's manifest node (KdeStepResult::manifest; "kde" of a run profile): the step
/// writes it through to_json() and its readers (the report) take it through from_json(), so its
/// keys are listed once, here and in kde_step.cpp. Missing keys keep the defaults.
struct KdeManifestNode {
    std::string file;                  ///< the GeoTIFF, relative to the manifest's folder
    nlohmann::ordered_json options;    ///< KdeStepOptions::to_json()
    std::string kernel;
    double bandwidth_m = NAN;          ///< as the kernel used it (radius, or σ)
    std::string bandwidth_method;
    double support_radius_m = NAN, cell_size_m = NAN;
    std::string units;
    Grid grid;                         ///< origin_x, origin_y, cols, rows (cell_size_m above)
    std::uint64_t incidents = 0, distinct_points = 0;
    std::vector<double> class_breaks;  ///< of the style, the unshaded class first
    nlohmann::ordered_json heat_classes;  ///< heat_classes.hpp's classes
    std::string change_file;           ///< the change surface, or ""
    nlohmann::ordered_json publish;    ///< publish mode's masking; null (not written) when off
    std::vector<std::string> warnings;
    /// Share (0..1) of the incidents placed at postcode centroids (postcode.hpp); NaN (not
    /// written) when they were not placed by postcode.
    double postcode_centroid_share = NAN;
    /// The change surface's significance screen {rule, cells_blanked, class_breaks_per_km2,
    /// labels}; null (not written) without one.
    nlohmann::ordered_json change_surface;
    /// A surface written in tiles (KdeStepOutput::path .vrt): {folder, tile_cells, written, of};
    /// null (not written) for one GeoTIFF.
    nlohmann::ordered_json tiles;

    nlohmann::ordered_json to_json() const;
    /// @throws nlohmann::json::exception: a key holds a value of another type.
    static KdeManifestNode from_json(const nlohmann::ordered_json& node);
};

/// Cells whose centre lies in the study area (rasterize_areas), once per distinct grid.
/// Safe to share between threads (`hotspot run` analyses profiles concurrently); a mask
/// returned stays valid, unchanged, for the object's lifetime.
class StudyMasks {
public:
    explicit StudyMasks(const std::vector<MultiPolygon>& study) : m_study(study) {}
    const std::vector<std::uint8_t>& of(const Grid& g);

private:
    const std::vector<MultiPolygon>& m_study;
    std::mutex m_mutex;
    std::deque<std::pair<Grid, std::vector<std::uint8_t>>> m_cache;  // a deque: references stay valid
};

/// The step's warnings from the kde: `surface.warnings` in order, the snap-point warning
/// replaced by backtest_snap_statement() when options.bandwidth_chosen_by_backtest is set.
std::vector<std::string> kde_step_warnings(const KdeResult& surface, const KdeStepOptions& options);

/// Runs the density step and writes its GeoTIFF(s).
/// @throws UsageError (options, weights field missing), InputError (a weight that is not a
///         number >= 0, naming file, line and field; no incident), OutputError, Cancelled.
KdeStepResult run_kde_step(const KdeStepInput& input, const KdeStepOptions& options,
                           const KdeStepOutput& output, const Progress& progress = no_progress());

} // namespace hotspot
