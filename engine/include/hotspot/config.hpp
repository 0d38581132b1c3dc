#pragma once
/// @file config.hpp
/// The run configuration (`hotspot run config.toml`): inputs, area layers with their
/// populations, study area, period and comparison period, profiles, analysis settings and
/// the output folder. Paths in a config are relative to the config file. Unknown keys are
/// errors, so a typo never silently changes a map. The format is documented in
/// examples/demo.toml and README.md.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/profile.hpp"

#include "hotspot/heat_classes.hpp"

namespace hotspot {

/// An area level of the run (wards, LSOAs) and where its population comes from.
struct AreaConfig {
    AreaSpec spec;
    std::string population_path;         ///< CSV of code and population; empty: none
    std::string population_code_column;  ///< empty: the first column
    std::string population_value_column; ///< empty: the second column
    std::string population_field;        ///< or an attribute of the area layer
    std::string lookup_path;             ///< ONS LSOA 2011 to 2021 lookup (vintage.hpp); empty: none
};

/// A date range, "YYYY-MM" or "YYYY-MM-DD" inclusive.
struct Period {
    std::string from, to;
    bool empty() const noexcept { return from.empty() && to.empty(); }
    std::string describe() const;  ///< "2025-01 to 2025-12"
};

/// Analysis settings of the run; unset values keep each profile's own.
struct RunAnalysis {
    std::optional<std::string> kernel;
    std::optional<double> bandwidth_m;
    std::optional<std::string> bandwidth_auto;  ///< "ppl", "scott", ...
    std::optional<double> cell_m;               ///< density surface cell size
    /// analysis.extent = [xmin, ymin, xmax, ymax]: the density surface's fixed grid (the kde
    /// step's --extent, for tiled runs; README "Tiled runs"); needs cell_m.
    std::optional<Bounds> extent;
    double gistar_cell_m = 0;                   ///< 0: the density cell size
    std::optional<double> gistar_band_m;
    int permutations = 0;
    std::uint64_t seed = 12345;                 ///< the gistar and rates commands' default too
    std::string hotspot_threshold = "area:1";   ///< hotspots.hpp HotspotOptions (threshold)
    std::uint64_t hotspot_min_incidents = 5;    ///< HotspotOptions::min_incidents
    double hotspot_max_area_m2 = 250'000;       ///< HotspotOptions::max_area_m2
    int hotspot_numbered = 10;                  ///< HotspotOptions::max_numbered
    /// TOML analysis.backtest: replay each profile's history on rolling origins (backtest.hpp)
    /// when it has 15 months or more; false skips it (bandwidth = "auto:backtest" needs it).
    bool backtest = true;
    double hotspot_saddle_drop = 0.1;           ///< HotspotOptions::min_saddle_drop
    std::string ci = "exact";                   ///< "exact" or "byar"
    std::optional<double> reference_rate_per_1000;
    double snap_m = 0;
    /// k of the heat map (heat_classes.hpp): no cell is shaded that fewer than k incidents
    /// reach; publish mode raises it to publish.min_count. TOML analysis.heat_min_incidents
    /// (1 to 1,000,000), --heat-min-incidents. Unset: HeatClassOptions{}.min_incidents (3),
    /// except no floor on a backtest-drawn map outside publish mode; a value given (3 included)
    /// is kept there too. Read in one place: heat_min_incidents_of (run/backtest_display.hpp).
    std::optional<int> heat_min_incidents;
};

struct RunConfig {
    std::string config_path;   ///< the file it was read from ("" when built from flags)
    std::string title;
    std::string area_name;     ///< the place, for the report cover
    std::string output_dir;
    /// Where the pack is written before it is moved to output_dir in one rename (the CLI's
    /// StagedFolder, staged_folder.hpp); empty: output_dir itself.
    std::string staging_dir;
    std::string working_crs = "EPSG:27700";
    ReadOptions incidents;
    std::vector<AreaConfig> areas;
    std::string study_area_layer;  ///< area layer whose union is the study area (default: first)
    Period period, comparison;
    std::vector<Profile> profiles;
    RunAnalysis analysis;
    bool report = false;
    /// Protective marking printed at the top and bottom of every report page
    /// ("OFFICIAL-SENSITIVE"); empty: none. Config key `marking`, flag --marking.
    std::string marking;
    std::string author; ///< on the report's cover and footers (config `author`, flag --author)
    /// Licence/attribution lines of the boundary (and other) data, printed on the report cover
    /// and kept in manifest.json. Default: the ONS boundary lines. police.uk input adds the OGL line.
    std::vector<std::string> attribution = {
        "Contains National Statistics data \u00a9 Crown copyright and database right.",
        "Contains OS data \u00a9 Crown copyright and database right."};
    bool publish = false;
    int publish_min_count = 5;
    /// Publish mode: the totals of the run summary are rounded to a multiple of this (1: exact).
    /// TOML publish.round, flag --publish-round (disclosure.hpp round_total).
    int publish_round = 5;
    bool overwrite = false;

    /// @throws UsageError naming the key for unusable values.
    void validate() const;
};

/// Parses a run config. `config_path` is used for errors and to resolve relative paths.
/// @throws InputError "config: FILE:LINE: field 'KEY': ..." for syntax errors, unknown keys and
///         wrong types; UsageError for unknown profiles.
RunConfig parse_run_config(const std::string& text, const std::string& config_path);

/// Reads and parses a config file. @throws InputError when it cannot be read.
RunConfig read_run_config(const std::string& path);

} // namespace hotspot
