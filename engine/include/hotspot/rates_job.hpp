#pragma once
/// @file rates_job.hpp
/// The `rates` job, the single-command frame of the rates step (steps/rates_step.hpp): read
/// incidents, count them per area (geocode.hpp), join each area layer's population by area
/// code, and run the step per layer, which computes per area (rates.hpp, lisa.hpp, gistar.hpp):
/// rate per N residents with 95% and 99.8% Poisson confidence intervals, the class against a
/// reference rate, funnel-plot limits, Choynowski p, the empirical Bayes rate, local Moran's I
/// of the rates on queen contiguity (contiguity.hpp) with its LISA class, and Gi* of the
/// rates on the same neighbours (self included). Writes one GeoPackage polygon layer per area
/// level, `<area>_rates`, styled with styles/rates_class.qml (default) and styles/lisa.qml
/// (second style), plus manifest.json.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/fdr.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/population.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/rates.hpp"
#include "hotspot/steps/rates_step.hpp"

namespace hotspot {

/// Options of the rates job, as the CLI and the QGIS plugin fill them.
struct RatesJobOptions {
    ReadOptions read;
    std::vector<AreaSpec> areas;              ///< one output layer each
    std::vector<PopulationSpec> populations;  ///< matched to `areas` (see PopulationSpec::area)
    std::string population_field;             ///< else: a population field of the area layers
    std::string lookup_path;                  ///< ONS LSOA 2011 to 2021 lookup (vintage.hpp); empty: none
    double snap_m = 0;                        ///< geocode: snap points outside every area
    RatesStepOptions step;                    ///< the analysis (per, CI, reference, LISA, Gi*)
    std::string out;                          ///< GeoPackage (.gpkg)
    std::string manifest_path;                ///< empty: <out stem>.manifest.json beside `out`
    bool overwrite = false;
    std::string command_line;
    /// > 0: publish mode (disclosure.hpp), as `hotspot run --publish` on one area level: the
    /// layer is a table under its known total, primary and secondary suppression, nothing
    /// derived from a hidden count, pooled statistics withheld, the self-check (exit 4). One
    /// --areas level only (the run finds and protects the nesting of several).
    int publish_min_count = 0;

    /// @throws UsageError for unusable values (no areas, no population, per <= 0, ...).
    void validate() const;
};

/// Per area layer results.
struct RatesLayerSummary {
    std::string name;
    std::size_t areas = 0;
    std::uint64_t incidents = 0;     ///< incidents assigned to an area of this layer
    std::string reference_source;    ///< "given" or "study area"
    RatesStepResult step;
};

struct RatesJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    double per = 1000;
    std::vector<RatesLayerSummary> layers;
    std::string method;
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;

    std::string summary() const;
};

/// Runs the job. @throws UsageError, InputError (unmatched codes are listed), OutputError.
RatesJobResult run_rates_job(const RatesJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
