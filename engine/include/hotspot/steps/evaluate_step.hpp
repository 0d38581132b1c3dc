#pragma once
/// @file steps/evaluate_step.hpp
/// The evaluate step: a forecast already in memory (a surface on cells, or the fixed area of hot
/// spot polygons) scored on later incidents already counted (evaluate.hpp for the figures and
/// their sources: hit rate, PAI, PAI*, PEI, PEI*, RRI and the PAI curve, ties split in
/// expectation). It owns the options (validate, manifest form), the tables' schema and their
/// writing through a VectorWriter. Frames: `hotspot evaluate` (evaluate_job.cpp reads the files
/// and counts the incidents, then calls it); the run's backtests use evaluate.hpp's maths.
///
/// Table schema (layers `evaluation` and `evaluation_curve`, no geometry; field names spelled
/// once, in evaluate_step.cpp), in this order, all real:
///   area_share_pct (per cent of the study area), cells (a in cells; empty for polygons),
///   hits (n, expected at ties), hit_rate (n/N), pai, pai_max (PAI*), pei, pei_star (PEI*),
///   train_hits (n_train), rri. A figure without a value is empty (NULL).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/evaluate.hpp"
#include "hotspot/steps/layer_schema.hpp"

namespace hotspot {

class VectorWriter;

/// Options of the evaluate step (CLI flag = manifest key, kebab-cased).
struct EvaluateStepOptions {
    EvaluationOptions evaluation;  ///< area shares and curve steps

    /// @throws UsageError from EvaluationOptions::validate (shares outside (0, 100]%, curve steps).
    void validate() const;
    /// The manifest node of the options ("shares", "curve_steps", "ties").
    nlohmann::ordered_json to_json() const;
};

/// A surface forecast: one value per cell (NaN outside the study area) and the incidents
/// counted on the same cells.
struct EvaluateSurfaceInput {
    const std::vector<double>* values = nullptr;        ///< required
    const std::vector<double>* test_counts = nullptr;   ///< required, one per cell
    const std::vector<double>* train_counts = nullptr;  ///< optional (RRI); nullptr: none
    double cell_size_m = 0;                             ///< metres (> 0)
};

/// A polygon forecast: its area in the study area, and the incidents counted in each.
struct EvaluateAreaInput {
    double area_m2 = 0, study_area_m2 = 0;
    double hits = 0, test_total = 0;
    std::optional<double> train_hits, train_total;  ///< both or neither (RRI)
    std::size_t features = 0;                       ///< polygons read (for the note)
};

struct EvaluateStepInput {
    std::optional<EvaluateSurfaceInput> surface;  ///< exactly one of surface / area
    std::optional<EvaluateAreaInput> area;
};

/// Where the step writes: both tables go to `writer` (nullptr: written by nobody, e.g. a test).
struct EvaluateStepOutput {
    VectorWriter* writer = nullptr;
    std::string layer = "evaluation";
    std::string curve_layer = "evaluation_curve";
};

struct EvaluateStepResult {
    std::string forecast_kind;  ///< "surface" or "polygons"
    ForecastEvaluation evaluation;
    double study_area_m2 = 0;
    std::vector<std::string> warnings;  ///< ties, polygons' limits
    nlohmann::ordered_json manifest;    ///< the "evaluation" node: forecast, study area, figures
};

/// The table schema (the fields above).
const LayerSchema& evaluation_schema();
/// One line naming the figures, their sources and the tie rule (layer description, manifest).
const char* evaluation_method_text();
/// The rows as CSV text with the schema's header (a figure without a value is empty).
std::string evaluation_csv(const std::vector<ForecastScore>& rows);
/// One score as a manifest node (NaN -> null).
nlohmann::ordered_json score_json(const ForecastScore& score);

/// Writes the `evaluation` table and, when the evaluation has one, the `evaluation_curve` table
/// to output.writer (nothing when it is nullptr). run_evaluate_step calls it.
void write_evaluation_tables(const EvaluateStepOutput& output, const ForecastEvaluation& evaluation);

/// Runs the step. @throws UsageError (options, sizes, no evaluable cell), OutputError.
EvaluateStepResult run_evaluate_step(const EvaluateStepInput& input, const EvaluateStepOptions& options,
                                     const EvaluateStepOutput& output);

} // namespace hotspot
