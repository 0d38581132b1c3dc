#pragma once
/// @file change_job.hpp
/// The `change` step: the direction of travel of incidents between two periods, for the study
/// area and every area of each area layer, with the exact test of change.hpp, its class, the
/// change of rates when populations are given, and a monthly series per area with the
/// Mann–Kendall trend and Sen's slope of trend.hpp (seasonal Mann–Kendall when the series
/// covers at least 24 months).
///
/// compute_change() works on incidents and areas already in memory (for `hotspot run`, the
/// report and the plugin); run_change_job() is the `hotspot change` frame around it: read,
/// compute, write a GeoPackage (`<area>_change` polygon layers styled by class with
/// styles/change_class.qml, and a `study_area_change` table), the monthly series as CSV, and
/// manifest.json.
///
/// Months are whole calendar months ("YYYY-MM", inclusive ranges); an incident's month is that
/// of its date (police.uk's Month field for police.uk files). Incidents with no date, or dated
/// outside both periods, are counted apart and reported. Exposure of each period is its number
/// of months, so periods of different length compare incidents per month.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/areas_io.hpp"
#include "hotspot/change.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/population.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/trend.hpp"

namespace hotspot {

/// A calendar month as year·12 + (month − 1).
using MonthIndex = std::int32_t;

/// "2024-03" → 2024·12 + 2. @throws UsageError "change: --period-from must be a month YYYY-MM (got 2024-3-1)".
MonthIndex parse_month(const std::string& text, const char* what);
/// "2024-03".
std::string format_month(MonthIndex m);
/// The month of a day count (days since 1970-01-01).
MonthIndex month_of_days(std::int32_t days) noexcept;

/// Options of the change step (the analysis, not the I/O).
struct ChangeOptions {
    /// The period of interest and the comparison period, "YYYY-MM", inclusive. All four empty:
    /// the last 12 months of the data against the 12 before (the later and earlier halves when
    /// the data span fewer than 24 months).
    std::string period_from, period_to, compare_from, compare_to;
    ChangeClassLevels levels;        ///< p levels of the classes (0.05 and 0.002)
    double per = 1000;               ///< rates per this many residents (per year)
    double snap_m = 0;               ///< geocode: snap points outside every area
    std::string profile;             ///< a built-in profile selecting the incidents; empty: all
    /// @throws UsageError: some but not all months given, unreadable months, from after to,
    ///         per <= 0, bad class levels, an unknown profile.
    void validate() const;
    /// The manifest node of these options.
    nlohmann::ordered_json to_json() const;
};

/// The direction of travel of one area (or of the study area).
struct AreaChange {
    std::string code, name;
    std::int64_t period = 0, comparison = 0;  ///< incidents in each period
    PoissonChangeTest test;                   ///< exposures = months of each period
    ChangeClass change = ChangeClass::no_significant_change;
    double population = std::numeric_limits<double>::quiet_NaN();   ///< NaN: none given
    double rate_period = std::numeric_limits<double>::quiet_NaN();  ///< per `per` residents per year
    double rate_comparison = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> monthly;              ///< incidents per month of the series (NaN: month absent)
    MannKendall trend;                        ///< of `monthly`; Sen's slope per month
    std::optional<MannKendall> seasonal;      ///< when the series spans >= 24 months; slope per year
};

struct ChangeLayerResult {
    std::string name;                       ///< the area layer's name ("ward")
    std::vector<AreaChange> areas;          ///< in the layer's order
    std::uint64_t outside = 0;              ///< incidents in the periods outside every area
    std::int64_t classes[5] = {};           ///< significant decrease .. significant increase
};

struct ChangeResult {
    MonthIndex period_from = 0, period_to = 0, compare_from = 0, compare_to = 0;
    MonthIndex series_from = 0, series_to = 0;  ///< the monthly series (both periods and between)
    std::string label;                          ///< "All incidents" or the profile's title
    std::uint64_t selected = 0;                 ///< incidents the profile selected (all when none)
    std::uint64_t no_date = 0;                  ///< selected incidents without a date
    std::uint64_t outside_periods = 0;          ///< dated, but in neither period
    std::vector<MonthIndex> absent_months;      ///< months of the series with no incident at all
    AreaChange study_area;
    std::vector<ChangeLayerResult> layers;
    std::string method;
    std::vector<std::string> warnings;

    /// "All incidents rose 16% (12,345 to 14,321 ...), a significant increase (exact Poisson
    /// test, p < 0.001)." and the monthly trend, in words.
    std::string sentence() const;
};

/// The step on incidents in memory. `populations[l]` (may be empty or shorter than `areas`)
/// gives layer l's population per area (NaN or <= 0: no rate).
/// @throws UsageError (bad options; no dated incident; periods outside the data).
ChangeResult compute_change(const IncidentTable& incidents, const std::vector<AreaLayer>& areas,
                            const std::vector<std::vector<double>>& populations, const ChangeOptions& options,
                            bool police_uk = false, unsigned threads = 0, const Progress& progress = no_progress());

/// Options of `hotspot change`.
struct ChangeJobOptions {
    ReadOptions read;
    ChangeOptions change;
    std::vector<AreaSpec> areas;
    std::vector<PopulationSpec> populations;  ///< matched to `areas` by name, else in order
    std::string population_field;             ///< else: a population field of the area layers
    std::string out;                          ///< GeoPackage (.gpkg)
    std::string series_path;                  ///< empty: <out stem>_series.csv beside `out`
    std::string manifest_path;                ///< empty: <out stem>.manifest.json beside `out`
    bool overwrite = false;
    unsigned threads = 0;
    std::string command_line;

    /// @throws UsageError (no incidents, no output, more populations than areas, ...).
    void validate() const;
};

struct ChangeJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    ChangeResult change;
    std::vector<std::string> outputs;
    std::string summary() const;
};

/// @throws UsageError, InputError, OutputError.
ChangeJobResult run_change_job(const ChangeJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
