#pragma once
// What the stages of `hotspot run` share (internal to the run): the area levels read and placed
// once, and per profile the selection, the writers and the outcome being filled.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/areas_io.hpp"
#include "hotspot/config.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/pipeline.hpp"
#include "hotspot/profile.hpp"
#include "hotspot/profile_split.hpp"
#include "hotspot/qgis_project.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/steps/emerging_step.hpp"
#include "hotspot/steps/geocode_step.hpp"
#include "hotspot/steps/hotspots_step.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/vintage.hpp"
#include "hotspot/weights.hpp"
#include "run/backtest_display.hpp"

namespace hotspot::detail {

/// One area level of the run: its layer, placement, population and queen weights.
struct AreaLevel {
    AreaConfig config;
    AreaLayer layer;
    const GeocodeResult* placed = nullptr;  ///< in RunAreas::placement
    std::vector<double> population;         ///< per area; NaN where unknown
    std::vector<std::vector<std::int32_t>> neighbours;  ///< queen (contiguity.hpp, 1 m snap)
    bool has_population = false;
    std::optional<VintageLookup> lookup;  ///< the level's --lookup, read once
    VintageNote vintage;                  ///< LSOA vintages of layer and population (manifest)
};

/// The run's areas, read and placed once (run_areas.cpp).
struct RunAreas {
    std::vector<AreaLevel> levels;
    GeocodeStepResult placement;   ///< the geocode step's result, one entry per level
    std::size_t study = 0;         ///< the study area level (config study_area_layer)
    double study_area_m2 = 0;  ///< of the study layer (svg::polygon_area), once for every profile
    std::unique_ptr<StudyMasks> masks;
    std::unique_ptr<AreaIndex> study_index;
    const AreaLayer& study_layer() const { return levels[study].layer; }
    std::vector<const AreaLayer*> layers() const;
    std::vector<const GeocodeResult*> placed() const;
};

/// The part of the areas that needs no incidents: each level's layer (read_area_layer), its
/// vintage lookup and vintage, and its queen weights, in config order. Safe to run on a thread
/// of its own while the incidents are read. @throws what read_area_layer and
/// read_vintage_lookup throw.
std::vector<AreaLevel> read_area_levels(const RunConfig& cfg);

/// The run's areas from the levels read_area_levels() gave: places the incidents (geocode step)
/// and joins the populations. Warnings go to `warnings`: the layers' own first, then the
/// placement's, then each level's population warnings.
RunAreas read_run_areas(const RunConfig& cfg, std::vector<AreaLevel> levels, const IncidentTable& inc, unsigned threads,
                        const Progress& progress, std::vector<std::string>& warnings);

/// Writes one boundaries layer per level and adds them to `group`.
void write_boundaries(VectorWriter& gpkg, const RunAreas& areas, ProjectGroup& group);

/// One profile being run: inputs, writers, and the outcome being filled.
struct ProfileRun {
    const RunConfig& cfg;
    const IncidentTable& inc;
    RunAreas& areas;
    const Profile& profile;
    /// The profile's filter run once with its dates left out: select(from, to) splits it by date
    /// (the backtest's history, the trend's every date) without running the filter again.
    const DateSplitSelection& split;
    const Selection& sel;
    const Selection& cmp;           ///< the comparison period's selection (empty without one)
    bool comparing = false;
    std::filesystem::path out;      ///< the folder written to
    unsigned threads = 0;
    /// Where the steps write their layers: a recorder (VectorWriter::recorder) that the run
    /// replays into its GeoPackage in profile order once the profile's analysis is done.
    VectorWriter& gpkg;
    ProfileOutcome& po;
    ProjectGroup& group;
    RunProfileRecord& record;       ///< the profile's manifest entry
    double analyse_s = 0;           ///< time in the analysis (the rest of the profile's time is writing)
    std::optional<BandwidthSpec> backtest_bandwidth;  ///< set by run_profile_backtest under auto:backtest
    std::optional<BacktestShown> backtest_shown;      ///< with it: what the backtest measured for that setting

    bool wants(std::string_view output) const;
    /// "./hotspot_run.gpkg|layername=<layer>"
    static std::string gpkg_source(const std::string& layer);
    /// Records an output in the manifest entry and the outcome.
    void wrote(RunOutputKind kind, const std::string& name, bool layer, const std::string& level = {});
};

/// Threads compressing a run's GeoTIFFs: one. The run's tasks (its profiles' steps) already
/// share the cores; GDAL's compression threads on top of them cost CPU and gave no time back
/// (force-sized year, 2 cores: CPU 3.67 -> 3.39 s, wall 2.13 -> 2.05 s; bench/RESULTS.md,
/// 2026-12-03 20:05-20:25 UTC). The bytes are the same whatever the count.
inline constexpr unsigned run_tiff_threads = 1;

/// Whether `profile.outputs` lists `output` ("kde", "gistar", ...).
bool profile_wants(const Profile& profile, std::string_view output);
/// The run's density cell, metres: analysis.cell_m, else the profile's.
double run_kde_cell_m(const RunAnalysis& a, const Profile& profile);
/// The run's Gi* cell (Gi* and emerging hot spots), metres: analysis.gistar_cell_m, else the
/// density cell but at least 100 m.
double run_gistar_cell_m(const RunAnalysis& a, const Profile& profile);

/// The density step's options from the config and the profile (the config wins).
KdeStepOptions profile_kde_options(const ProfileRun& p);
/// Rolling-origin backtests of candidate settings (backtest.hpp); under bandwidth =
/// "auto:backtest" sets p.backtest_bandwidth. Call before run_profile_kde.
void run_profile_backtest(ProfileRun& p);
/// The density step with the profile's options; returns its result (the hot spot polygons use it).
KdeStepResult run_profile_kde(ProfileRun& p);
/// The hot spot polygons ("top 5% of cells") of the density surface.
HotspotsStepResult run_profile_hotspots(ProfileRun& p, const KdeStepResult& kde);
/// The numbered hot spots as areas of the direction of travel: their names and the hot spot of
/// every table row (-1: in none), from the hot spot cells of the surface's grid.
struct ProfileSpots {
    AreaLayer layer;                  ///< codes "1".."n", names "Hot spot n"; no polygons
    std::vector<std::int32_t> of_row; ///< per table row
};
ProfileSpots hotspot_areas(const ProfileRun& p, const KdeStepResult& kde, const HotspotsStepResult& spots);
/// Direction of travel (change step) of the study area, each area level and each numbered hot
/// spot, the monthly trend, and the hours of the week (hours step) (run/profile_change.cpp).
void run_profile_change(ProfileRun& p, const ProfileSpots& spots);
/// The Gi* step with the profile's options.
void run_profile_gistar(ProfileRun& p);
/// Area rates with significance and local Moran's I, per area level.
void run_profile_rates(ProfileRun& p);
/// The near-repeat step (Knox table + current risk windows) on the profile's incidents.
void run_profile_near_repeat(ProfileRun& p);
/// Emerging hot spots (steps/emerging_step.hpp) over the profile's months, when its outputs
/// list "emerging" (run/profile_emerging.cpp).
void run_profile_emerging(ProfileRun& p);
/// The options the run gives the emerging step (the Gi* grid; slices ending with the period).
EmergingStepOptions profile_emerging_options(const ProfileRun& p, const std::vector<std::uint32_t>& rows);
/// The profile's incidents layer (the geocode step's schema; never in a publish-mode pack),
/// written straight to `gpkg` (the run's GeoPackage: not recorded, it is the largest layer).
/// It needs only the selection, so the run writes it while the profile is analysed: this
/// reads `p` and changes nothing in it.
void write_profile_incidents(const ProfileRun& p, VectorWriter& gpkg);
/// The incidents layer's style in `gpkg` (in the order a profile written from start to end
/// added it) and its entries in the profile's manifest record, outcome and project group.
void note_profile_incidents(ProfileRun& p, VectorWriter& gpkg);

} // namespace hotspot::detail
