#pragma once
/// @file steps/near_repeat_step.hpp
/// The near-repeat step: the Knox test (knox.hpp) on a profile's incidents in memory and the
/// raised-risk windows it supports (buffers of the raised-risk distance around the incidents of
/// the last N days of the data, with their expiry dates, merged where they overlap). Both frames
/// call it: `hotspot near-repeat` (near_repeat_job.hpp) and `hotspot run`
/// (run/profile_near_repeat.cpp), so the two write the same layers for the same options.
///
/// Knox table layer (no geometry; knox_layer_schema(); one row per cell, row-major):
///   row, col         integer  the cell (rows: same location, near distance bands, "or more";
///                             cols: time bands, "or more")
///   distance_band    text     label ("0–100 m", or the NRC's "1 to 100" with --compat nrc)
///   time_band        text     label ("0–7 days"; months-only data: "same month", "1 month apart")
///   distance_lo_m, distance_hi_m  real  half-open [lo, hi), metres; hi null for "or more"
///   days_lo, days_hi integer  half-open [lo, hi) in days (months for months-only data); hi null
///   observed         integer  pairs in the cell
///   expected         real     mean pairs over the permutations
///   ratio            real     Knox ratio observed / expected (null when expected = 0)
///   perm_ge          integer  permutations with a count >= observed
///   p                real     (1 + perm_ge) / (1 + R)
///   significant      integer  1 when p <= alpha and observed > expected
/// Risk windows layer (MultiPolygon; risk_windows_layer_schema()):
///   window_id integer, incidents integer (recent incidents merged into it), first_date text
///   (ISO date of its earliest incident), expires text (ISO date: latest incident date + days),
///   distance_m real (buffer radius, m), days integer, area_m2 real.
/// Style: style_qml("risk_windows"), orange, labelled "until EXPIRES".
///
/// Months-only data (police.uk street-level files: a Month column, no day). The job refuses it
/// (near repeats last days to weeks). The run, when `allow_months` is set, tests at month
/// resolution instead: the time of an incident is its month, the time bands are whole months
/// (default: same month, 1 month apart, 2 months apart, 3 or more), the labels say so, and no
/// risk windows are drawn (an expiry date cannot be stated from a month).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/geometry.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/knox.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/steps/layer_schema.hpp"

namespace hotspot {

class VectorWriter;

/// Options of the near-repeat step. CLI flag / TOML key ([analysis]) / manifest key:
///   --distance-band(s), --distance-limits / near_repeat_distance_limits_m / distance_limits_m (100,200,300)
///   --day-band(s), --day-limits / near_repeat_day_limits / day_limits                  (7,14,21)
///   --same-location / - / same_location_m (0: coincident points; 1 with --compat nrc)
///   --permutations / near_repeat_permutations / permutations  (999)
///   --seed / seed / seed                                        (12345)
///   --alpha / - / alpha                                         (0.05)
///   --compat nrc / near_repeat_compat / labels                  (true-limits)
///   --recent-days / near_repeat_recent_days / recent_days       (28)
///   --risk-distance, --risk-days / - / risk_distance_m, risk_days (from the Knox table)
struct NearRepeatStepOptions {
    KnoxBands bands;             ///< default 100 m x 3, 7 days x 3, same location = 0 m
    int permutations = 999;      ///< Monte Carlo permutations of the days, 1..99999
    std::uint64_t seed = 12345;
    double alpha = 0.05;         ///< significance level of the pseudo p-values
    KnoxLabels labels = KnoxLabels::true_limits;
    int recent_days = 28;        ///< risk windows for incidents in the last N days of the data (0: none)
    std::optional<double> risk_distance_m;  ///< override the raised-risk distance (metres)
    std::optional<int> risk_days;           ///< override the raised-risk days
    std::string what = "incidents";         ///< plural noun for the sentence ("burglaries")
    unsigned threads = 0;                   ///< 0: all cores; results identical whatever the count

    /// Sets the Near Repeat Calculator's conventions: its labels and a 1 m same-location band.
    void set_compat_nrc();
    /// @throws UsageError ("near-repeat: ...") for unusable values.
    void validate() const;
    /// The options as the manifest records them.
    nlohmann::ordered_json to_json() const;
};

/// The Knox table layer's fields (see the file comment).
const LayerSchema& knox_layer_schema();
/// The risk windows layer's fields.
const LayerSchema& risk_windows_layer_schema();

/// One merged risk window.
struct RiskWindow {
    int window_id = 0;
    int incidents = 0;
    std::int32_t first_date = 0;  ///< days since 1970-01-01 of its earliest incident
    std::int32_t expires = 0;     ///< latest (incident date + days)
    double area_m2 = 0;
    MultiPolygon shape;           ///< working CRS
};

/// One cell of the Knox table in the near-repeat manifest node ("table").
struct KnoxCellNode {
    std::size_t row = 0, col = 0;             ///< distance band, time band (table order)
    std::string distance_band, time_band;     ///< their labels
    std::int64_t observed = 0;
    double expected = 0;
    double ratio = std::numeric_limits<double>::quiet_NaN();  ///< null (NaN) when expected is 0
    double p = 1;
    bool significant = false;
};

/// The near-repeat step's manifest node (NearRepeatResult::manifest_node; "near_repeat" of a run
/// profile): written through to_json(), read (the report's Knox table) through from_json(), so
/// its keys are listed once, here and in near_repeat_step.cpp. Missing keys keep the defaults.
struct NearRepeatManifestNode {
    nlohmann::ordered_json options;   ///< NearRepeatOptions::to_json()
    // "method": the method in words, and the time unit tested
    std::string statistic, time_unit = "days", expected_text, p_text, bands, raised_risk_rule, summary;
    std::vector<KnoxCellNode> table;
    // "raised_risk": what the table supports, and the windows drawn
    bool risk_found = false;
    double risk_distance_m = 0;
    std::int64_t risk_days = 0;
    double window_distance_m = 0;
    std::int64_t window_days = 0;
    std::string risk_source;          ///< "options" or "Knox table"
    nlohmann::ordered_json counts;    ///< rows, tested, no_date, pairs, close_pairs, recent_incidents, risk_windows
    std::string first_date, last_date;  ///< "period", YYYY-MM-DD
    std::string sentence;
    std::vector<std::string> warnings;

    nlohmann::ordered_json to_json() const;
    /// @throws nlohmann::json::exception: a key holds a value of another type.
    static NearRepeatManifestNode from_json(const nlohmann::ordered_json& node);
};

struct NearRepeatResult {
    KnoxResult table;
    RaisedRisk risk;                 ///< what the table supports
    bool months = false;             ///< tested at month resolution (months-only data)
    double window_distance_m = 0;    ///< distance used for the windows (risk or the override)
    int window_days = 0;
    std::vector<RiskWindow> windows;
    std::size_t rows = 0, tested = 0, no_date = 0, recent = 0;
    std::int32_t first_day = 0, last_day = 0;
    std::string sentence;            ///< the result in words
    std::string method;              ///< one line: the method with its parameters
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;
    std::string windows_qml;         ///< the risk windows' style
    nlohmann::ordered_json manifest_node;  ///< options, method, table, windows, counts

    std::string summary() const;
};

struct NearRepeatStepInput {
    const IncidentTable* incidents = nullptr;
    const std::vector<std::uint32_t>* rows = nullptr;  ///< the profile's rows; nullptr: all
    /// Months-only data is tested at month resolution (the run) instead of refused (the job).
    bool allow_months = false;
};

struct NearRepeatStepOutput {
    VectorWriter* writer = nullptr;  ///< both layers are written here (not committed)
    std::string knox_layer = "knox";
    std::string windows_layer = "risk_windows";
};

/// Runs the Knox test, finds the risk windows and writes the two layers.
/// @throws UsageError (options), InputError (months-only data without allow_months, fewer than
///         2 dated incidents), OutputError, Cancelled.
NearRepeatResult run_near_repeat_step(const NearRepeatStepInput& input, const NearRepeatStepOptions& options,
                                      const NearRepeatStepOutput& output, const Progress& progress = no_progress());

/// The Knox table of a result as CSV (the layer's fields, same order).
std::string knox_csv(const KnoxResult& table);

/// Parses "euclidean" / "manhattan". @throws UsageError naming the choices.
DistanceMetric parse_distance_metric(const std::string& name);

} // namespace hotspot
