#pragma once
/// @file evaluate_job.hpp
/// The `evaluate` job: how well a hot spot forecast drawn from one period predicts the
/// incidents of a later period (evaluate.hpp for the figures and their sources).
///
/// Forecast: a single-band GeoTIFF surface (any kde/gistar surface hotspot writes, or any other
/// north-up single-band raster in the working CRS; nodata and non-finite cells are outside) or
/// a hot spot polygon layer (any OGR layer; every feature together). Study area (optional for
/// a surface, required for polygons): for a surface, the cells whose centres lie inside it
/// (the kde rule); for polygons, its area is A and the polygons' area within it is a.
/// Test incidents (and, for RRI, training incidents) are read with the usual read options,
/// optionally limited to a month range (police.uk "Month" or the date's month). Incidents in
/// no evaluated cell / outside the study area are reported, not counted (N excludes them).
/// Outputs in `out_dir`: evaluation.csv (one row per area share), evaluation_curve.csv (shares
/// 0..100%), evaluation.gpkg (tables `evaluation` and `evaluation_curve`, no geometry) and
/// manifest.json with the figures.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/areas_io.hpp"
#include "hotspot/evaluate.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

struct EvaluateJobOptions {
    ReadOptions read;                    ///< the test incidents (paths and reading options)
    std::vector<std::string> train_paths;///< training incidents for RRI (same reading options); empty: no RRI
    std::string period_from, period_to;  ///< test months "YYYY-MM" (inclusive); empty: open
    std::string train_from, train_to;    ///< training months "YYYY-MM" (inclusive); empty: open
    std::string surface;                 ///< forecast GeoTIFF (exactly one of surface / hotspots)
    std::string hotspots;                ///< forecast polygon layer
    std::optional<AreaSpec> study;       ///< study area (required with hotspots)
    EvaluationOptions evaluation;        ///< area shares and curve steps
    std::string out_dir;                 ///< folder for the outputs (created)
    bool overwrite = false;
    unsigned threads = 0;
    std::string command_line;

    /// @throws UsageError "evaluate: give --surface or --hotspots (not both)", bad months,
    ///         "--hotspots needs --areas study=PATH", no --out, bad shares.
    void validate() const;
    /// The options as the manifest's "options" node.
    nlohmann::ordered_json to_json() const;
};

struct EvaluateJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;   ///< test read
    std::uint64_t outside_period = 0;   ///< kept test rows outside --period-from/--period-to
    std::uint64_t counted = 0;          ///< test incidents in the evaluated area (N)
    std::uint64_t outside_study = 0;    ///< test incidents in the period but in no evaluated cell / outside the study area
    std::uint64_t train_counted = 0;    ///< training incidents counted (N_train)
    std::string forecast_kind;          ///< "surface" or "polygons"
    std::size_t cells = 0;              ///< evaluated cells (surface)
    std::size_t tied_cells = 0;
    double cell_size_m = 0;
    double study_area_m2 = 0;
    ForecastEvaluation evaluation;
    std::vector<std::string> snap_point_changes; ///< months ("2022-07") where police.uk's snap points changed
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;

    std::string summary() const;
};

/// Runs the job. @throws UsageError, InputError, OutputError, Cancelled.
EvaluateJobResult run_evaluate_job(const EvaluateJobOptions& options, const Progress& progress = no_progress());

/// Parses "YYYY-MM" into year·12 + month − 1. @throws UsageError naming `flag`.
int parse_month_index(const std::string& text, const char* flag);

} // namespace hotspot
