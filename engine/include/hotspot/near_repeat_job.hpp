#pragma once
/// @file near_repeat_job.hpp
/// The `near-repeat` step: the Knox test (knox.hpp) on incidents in memory, the raised-risk
/// windows it supports (buffers of the raised-risk distance around the last N days' incidents,
/// with their expiry dates, merged where they overlap), written as a GeoPackage (a no-geometry
/// `knox` table and a styled `risk_windows` polygon layer), a CSV of the table, and a manifest node.
///
/// Dates: the Knox test needs day-level dates. Incidents read from police.uk street-level files
/// (a Month column and no date) are refused with an InputError saying what to do; incidents
/// without a date are left out, counted and reported (rows = tested + no date).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/incidents.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/knox.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

/// Options of the near-repeat step, as the CLI (and later `run` and the plugin) fill them.
struct NearRepeatOptions {
    ReadOptions read;            ///< used by run_near_repeat_job() only
    KnoxBands bands;             ///< default 100 m x 3, 7 days x 3, same location = 0 m
    int permutations = 999;      ///< Monte Carlo permutations of the days, 1..99999
    std::uint64_t seed = 12345;
    double alpha = 0.05;         ///< significance level of the pseudo p-values
    KnoxLabels labels = KnoxLabels::true_limits;
    int recent_days = 28;        ///< risk windows for incidents in the last N days of the data (0: none)
    std::optional<double> risk_distance_m;  ///< override the raised-risk distance (metres)
    std::optional<int> risk_days;           ///< override the raised-risk days
    std::string what = "incidents";         ///< plural noun for the sentence ("burglaries")
    std::string out;             ///< GeoPackage (.gpkg) with `knox` and `risk_windows`
    std::string csv;             ///< CSV of the Knox table; empty: beside `out`, NAME_knox.csv
    std::string manifest_path;   ///< empty: <out stem>.manifest.json beside `out` (job only)
    bool overwrite = false;
    unsigned threads = 0;
    std::string command_line;

    /// Sets the Near Repeat Calculator's conventions: its labels and a 1 m same-location band.
    void set_compat_nrc();
    /// @throws UsageError ("near-repeat: ...") for unusable values.
    void validate() const;
    /// The options as the manifest records them.
    nlohmann::ordered_json to_json() const;
    /// The CSV path: `csv`, or `out` with its extension replaced by "_knox.csv".
    std::string csv_path() const;
};

/// One merged risk window.
struct RiskWindow {
    int window_id = 0;
    int incidents = 0;
    std::int32_t first_date = 0;  ///< days since 1970-01-01 of its earliest incident
    std::int32_t expires = 0;     ///< latest (incident date + days)
    double area_m2 = 0;
};

struct NearRepeatResult {
    KnoxResult table;
    RaisedRisk risk;                 ///< what the table supports
    double window_distance_m = 0;    ///< distance used for the windows (risk or the override)
    int window_days = 0;
    std::vector<RiskWindow> windows;
    std::size_t rows = 0, tested = 0, no_date = 0, recent = 0;
    std::int32_t first_day = 0, last_day = 0;
    std::string sentence;            ///< the result in words
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;
    nlohmann::ordered_json manifest_node;  ///< options, method, table, windows, counts

    std::string summary() const;
};

/// Runs the step on incidents in memory and writes the GeoPackage and CSV (not the manifest).
/// @throws UsageError, InputError (no day-level dates), OutputError, Cancelled.
NearRepeatResult run_near_repeat(const NearRepeatOptions& options, const IncidentTable& incidents,
                                 const Progress& progress = no_progress());

/// Reads options.read, runs the step and writes manifest.json.
NearRepeatResult run_near_repeat_job(const NearRepeatOptions& options, const Progress& progress = no_progress());

/// Parses "euclidean" / "manhattan". @throws UsageError naming the choices.
DistanceMetric parse_distance_metric(const std::string& name);

} // namespace hotspot
