#pragma once
/// @file steps/change_step.hpp
/// The change step: the direction of travel of incidents between two periods, for the study
/// area and every area of each area layer (or any grouping given as a placement per incident,
/// such as the run's numbered hot spots), with the exact test of change.hpp, its class, the
/// change of rates when populations are given, and a monthly series per area with the
/// Mann–Kendall trend and Sen's slope of trend.hpp (seasonal Mann–Kendall when the series
/// covers at least 24 months). Both frames call it: `hotspot change` (change_job.cpp) and
/// `hotspot run` (run/profile_change.cpp); the report reads its manifest node.
///
/// Months are whole calendar months ("YYYY-MM", inclusive ranges); an incident's month is that
/// of its date (police.uk's Month field for police.uk files). Incidents with no date, or dated
/// outside both periods, are counted apart and reported. Exposure of each period is its number
/// of months, so periods of different length compare incidents per month.
///
/// Layer schema (change_schema(), field names spelled once in change_step.cpp), in order:
///   code, name, period_count, comparison_count (integers), pct_change (% change of incidents
///   per month), rate_ratio, rr_lower95, rr_upper95 (exact interval), p (two-sided exact),
///   change_class (words), class_level (-2..2), population, period_rate, comparison_rate,
///   rate_change (per `per` residents per year), mk_s, mk_tau, mk_p, sen_slope_per_month,
///   trend (words), seasonal_mk_p, seasonal_sen_per_year. Style: styles/change_class.qml.

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
#include "hotspot/progress.hpp"
#include "hotspot/steps/layer_schema.hpp"
#include "hotspot/trend.hpp"

namespace hotspot {

class VectorWriter;

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
    /// Publish mode (disclosure.hpp publish_change): a count below the threshold is not written,
    /// nor the test, class and rates when either count is hidden, nor the trend (and monthly
    /// series) when any month is below the threshold.
    bool period_hidden = false, comparison_hidden = false, trend_hidden = false;
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

/// What the change step works on.
struct ChangeStepInput {
    const IncidentTable* incidents = nullptr;
    const std::vector<std::uint32_t>* rows = nullptr;  ///< the selected rows, of any date; nullptr: all
    std::string label = "All incidents";               ///< the selection in words (the profile's title)
    /// The area layers (names and codes; polygons only when `placed` is null for that layer).
    std::vector<const AreaLayer*> layers;
    /// Per layer: the area index of every row of the table (-1: none), e.g. the run's geocode
    /// placement or the numbered hot spot of each incident's cell; null (or missing): the
    /// incidents are placed here with ChangeOptions::snap_m.
    std::vector<const std::vector<std::int32_t>*> placed;
    /// Per layer: population per area (NaN or <= 0: no rate); null or missing: no rates.
    std::vector<const std::vector<double>*> populations;
};

/// The step. @throws UsageError (bad options; no dated incident; periods outside the data).
ChangeResult run_change_step(const ChangeStepInput& input, const ChangeOptions& options, unsigned threads = 0,
                             const Progress& progress = no_progress());

/// The step on incidents in memory selected by `options.profile` (all when empty).
/// `populations[l]` (may be empty or shorter than `areas`) gives layer l's population per area.
/// `placed[l]` (optional; may be shorter, or an entry empty) is layer l's area index of every
/// row of the table, already found (e.g. by the overlap check), so the incidents are not placed
/// twice; it must come from the same layer and ChangeOptions::snap_m.
/// @throws UsageError (bad options; no dated incident; periods outside the data).
ChangeResult compute_change(const IncidentTable& incidents, const std::vector<AreaLayer>& areas,
                            const std::vector<std::vector<double>>& populations, const ChangeOptions& options,
                            bool police_uk = false, unsigned threads = 0, const Progress& progress = no_progress(),
                            const std::vector<std::vector<std::int32_t>>* placed = nullptr);

/// A p-value in words: "p < 0.001", "p = 0.003", "p = 0.41".
std::string p_value_words(double p);

/// The fields of a change layer (file comment).
const LayerSchema& change_schema();

/// "2024-01..2024-12 against 2023-01..2023-12".
std::string change_periods_text(const ChangeResult& r);

/// Writes one change layer: the rows of `areas` (polygons from `polygons` when given, else a
/// table without geometry), styled by class when it has polygons. Returns the layer's manifest
/// node (layer, areas, incidents outside, count per class).
/// @throws OutputError.
nlohmann::ordered_json write_change_layer(VectorWriter& writer, const std::string& layer, const ChangeLayerResult& areas,
                                          const std::vector<MultiPolygon>* polygons, const std::string& description,
                                          const ChangeOptions& options);
/// Writes the study area's row as a table without geometry.
void write_change_study_table(VectorWriter& writer, const std::string& layer, const ChangeResult& r,
                              const std::string& description);

/// The monthly series as CSV: level,code,name,month,incidents (empty count: month absent).
std::string change_series_csv(const ChangeResult& r);

/// One area in the change manifest node: a hot spot of a level's "each" list or a leading area
/// of its "rising" / "falling" lists (the report's sentences).
struct ChangeAreaNode {
    std::string code, name;
    std::int64_t comparison_count = 0, period_count = 0;
    double pct_change = std::numeric_limits<double>::quiet_NaN();  ///< null (NaN) when the comparison had none
    double p = 1;
    std::string change_class;  ///< "class": to_string(ChangeClass)

    static ChangeAreaNode of(const AreaChange& a);
    nlohmann::ordered_json to_json() const;
    static ChangeAreaNode from_json(const nlohmann::ordered_json& j);
};

/// A level's entry of the change node ("levels"): write_change_layer()'s node (layer, areas,
/// incidents_outside, classes) with the level and its areas.
struct ChangeLevelNode {
    nlohmann::ordered_json layer;          ///< write_change_layer()'s keys, as written
    std::string level;                     ///< the area level, or "hotspot" (the numbered hot spots)
    std::vector<ChangeAreaNode> each;      ///< hot spots: every one shown (written for "hotspot" only)
    std::vector<ChangeAreaNode> rising, falling;  ///< area levels: the leading areas (not for "hotspot")

    bool hotspots() const { return level == "hotspot"; }
    nlohmann::ordered_json to_json() const;
    static ChangeLevelNode from_json(const nlohmann::ordered_json& j);
};

/// The study area's monthly trend in the change node ("change.trend").
struct ChangeTrendNode {
    std::string series_from, series_to;  ///< "series": first and last month, YYYY-MM
    double mk_s = 0, mk_tau = 0, mk_p = 1;
    double sen_slope_per_month = std::numeric_limits<double>::quiet_NaN();
    std::string words;                   ///< trend_words()
    std::vector<double> monthly;         ///< incidents per month; NaN (null): month absent
    nlohmann::ordered_json seasonal;     ///< {s, p, sen_slope_per_year}; null: not written
    std::string withheld;                ///< publish mode: why the series is left out ("": shown)

    nlohmann::ordered_json to_json() const;
    static ChangeTrendNode from_json(const nlohmann::ordered_json& j);
};

/// The study area's change ("change" of the node): periods, counts, % change, test, class, trend.
struct ChangeSummaryNode {
    std::string label;
    std::string period_from, period_to, comparison_from, comparison_to;  ///< YYYY-MM
    std::optional<std::int64_t> period_count, comparison_count;          ///< null: hidden (publish mode)
    double pct_change = std::numeric_limits<double>::quiet_NaN(), rate_ratio = std::numeric_limits<double>::quiet_NaN(),
           rr_lower95 = std::numeric_limits<double>::quiet_NaN(), rr_upper95 = std::numeric_limits<double>::quiet_NaN(),
           p = std::numeric_limits<double>::quiet_NaN();  ///< NaN (null): not tested or hidden
    std::string change_class;            ///< "class": to_string(ChangeClass) or "suppressed"
    ChangeTrendNode trend;
    std::string sentence;
    std::vector<std::string> absent_months;

    nlohmann::ordered_json to_json() const;
    static ChangeSummaryNode from_json(const nlohmann::ordered_json& j);
};

/// The change step's manifest node ("change" of a run profile, and the body of `hotspot change`'s
/// manifest): written through to_json(), read (the report's direction of travel) through
/// from_json(), so its keys are listed once, here and in change_step.cpp. Missing keys keep the
/// defaults.
struct ChangeManifestNode {
    std::string skipped;                 ///< non-empty: the step did not run (only this is written)
    nlohmann::ordered_json options;      ///< ChangeOptions::to_json()
    std::string method;
    std::uint64_t selected = 0, no_date = 0, outside_periods = 0;  ///< "counts"
    ChangeSummaryNode change;
    std::string comparison_source;       ///< the run: how the comparison was chosen ("": not written)
    std::optional<std::vector<ChangeLevelNode>> levels;  ///< the run: per level (absent: not written)
    std::optional<std::uint64_t> publish_rows_hidden;    ///< the run in publish mode

    /// The node of a result (options, method, counts, change); the run adds the rest.
    static ChangeManifestNode of(const ChangeResult& r, const ChangeOptions& options);
    nlohmann::ordered_json to_json() const;
    /// @throws nlohmann::json::exception: a key holds a value of another type.
    static ChangeManifestNode from_json(const nlohmann::ordered_json& node);
};

/// The step's manifest node: options, method, counts, and "change" (the study area's periods,
/// counts, % change, test, class, trend with its monthly series, sentence).
/// ChangeManifestNode::of(r, options).to_json().
nlohmann::ordered_json change_manifest_node(const ChangeResult& r, const ChangeOptions& options);

} // namespace hotspot
