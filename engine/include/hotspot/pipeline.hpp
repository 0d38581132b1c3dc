#pragma once
/// @file pipeline.hpp
/// `hotspot run`: the complete map pack for each offence profile, from one config.
/// read -> select (profile filter, period) -> geocode -> analyse (density surface, hot spot
/// polygons, Gi* cells, area rates with significance and local Moran's I, change against a
/// comparison period) -> write (one GeoPackage with styles, GeoTIFFs with sidecar styles, a
/// QGIS project, manifest.json). The tasking report (report.hpp) is built from its outputs.

#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/config.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

/// One area's line in a profile's summary table.
struct AreaSummary {
    std::string code, name;
    std::uint64_t count = 0;
    double population = 0;
    double rate_per_1000 = 0;
    double ci_lower = 0, ci_upper = 0;  ///< 95% CI of the rate
    std::string rate_class;             ///< "significantly above", ...
    std::int64_t change = 0;            ///< count minus the comparison period's (0 without one)
    bool suppressed = false;            ///< publish mode: count below the threshold
};

/// One hot spot polygon in a profile's summary.
struct HotspotSummary {
    int rank = 0;
    std::string wards;  ///< "Castle (82%), Riverside (18%)"
    std::string grid_ref;  ///< British National Grid reference of the peak ("SK 5862 0434"); empty off the grid
    std::string streets;   ///< the commonest street texts of its incidents, with counts
    std::uint64_t incidents = 0;
    double share = 0, pai = 0, area_km2 = 0;
    std::int64_t change = 0;
    double centre_x = 0, centre_y = 0;
};

struct ProfileOutcome {
    std::string name, title, proxy_note;
    std::vector<std::string> filter_terms;
    std::uint64_t selected = 0, selected_comparison = 0;
    double bandwidth_m = 0, cell_m = 0, gistar_cell_m = 0, gistar_band_m = 0;
    std::string bandwidth_method, kernel, hotspot_threshold, gistar_correction, ci_method;
    double reference_rate_per_1000 = 0;  ///< of the first area level with population
    std::vector<double> kde_breaks;
    std::uint64_t gistar_hot99 = 0, gistar_hot95 = 0, gistar_cold99 = 0;
    std::vector<HotspotSummary> hotspots;                            ///< rank order
    std::string direction_of_travel;  ///< the change step's sentence and the periods compared (empty: none)
    std::vector<std::pair<std::string, std::vector<AreaSummary>>> areas;  ///< per area level, by rate
    std::vector<std::string> files;   ///< rasters written
    std::vector<std::string> layers;  ///< GeoPackage layers written
    std::vector<std::string> warnings;
    std::string near_repeat;          ///< the near-repeat result in words (empty: not asked for)
    std::string backtest_sentence;  ///< out-of-sample hit rate of the map shown; empty without a backtest
};

struct RunResult {
    std::string output_dir, gpkg, project, manifest;
    std::uint64_t rows_in = 0, kept = 0, rejected = 0, assigned = 0, outside = 0;
    std::string rejected_by_reason;      ///< "missing_coordinate 5,214, ..."
    std::size_t files = 0;               ///< incident files read
    std::string period, comparison;      ///< Period::describe(); comparison empty without one
    bool police_uk = false;
    bool publish = false;
    int publish_min_count = 0;       ///< counts below this are suppressed (publish mode)
    int publish_round = 1;           ///< publish mode: summary totals rounded to this base
    std::uint64_t exact_duplicates = 0;
    std::vector<ProfileOutcome> profiles;
    std::vector<std::string> warnings;
    /// The run summary for stdout: per profile, incidents, top areas, top hot spots.
    std::string summary() const;
};

/// Runs every profile of the config. @throws the engine's typed errors; InputError (exit 3) when
/// no profile selects any incident in the period, before any area is read or output written.
RunResult run_pipeline(const RunConfig& config, const std::string& command_line,
                       unsigned threads = 0, const Progress& progress = no_progress());

} // namespace hotspot
