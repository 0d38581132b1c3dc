#pragma once
/// @file rates_job.hpp
/// The `rates` job: read incidents, count them per area (geocode.hpp), join each area
/// layer's population by area code, and compute per area (rates.hpp, lisa.hpp, gistar.hpp):
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
#include "hotspot/progress.hpp"
#include "hotspot/rates.hpp"

namespace hotspot {

/// One `--population [AREA=]PATH[:CODE_COL[:POP_COL]]` argument.
struct PopulationSpec {
    std::string area;      ///< the area layer it belongs to; empty: the next layer without one
    std::string path;      ///< CSV file
    std::string code_col;  ///< empty: the area layer's code field name, else a column ending in CD/code
    std::string pop_col;   ///< empty: "population" (any case), else the one column containing "pop"

    /// @throws UsageError when malformed.
    static PopulationSpec parse(const std::string& text);
};

/// A population table: code → residents (NaN where the file leaves it blank or "NA").
struct PopulationTable {
    std::string path, code_col, pop_col;
    std::vector<std::string> codes;
    std::vector<double> population;
};

/// Reads a population CSV. @param default_code_col tried first when spec.code_col is empty.
/// @throws InputError (file, line, field) for a missing column, a value that is not a
///         number, or a code given twice.
PopulationTable read_population_csv(const PopulationSpec& spec, const std::string& default_code_col = {});

/// Options of the rates job, as the CLI and the QGIS plugin fill them.
struct RatesJobOptions {
    ReadOptions read;
    std::vector<AreaSpec> areas;              ///< one output layer each
    std::vector<PopulationSpec> populations;  ///< matched to `areas` (see PopulationSpec::area)
    std::string population_field;             ///< else: a population field of the area layers
    std::optional<double> reference_rate;     ///< per `per` residents; empty: the study area's own
    double per = 1000;                        ///< rates per this many residents
    CiMethod ci = CiMethod::exact;
    double snap_m = 0;                        ///< geocode: snap points outside every area
    double contiguity_snap_m = 1.0;           ///< queen contiguity tolerance (contiguity.hpp)
    /// LISA and Gi* conditional permutations (0: analytic). 9999, not GeoDa's 999: the
    /// smallest permutation p is 2/(R+1), and 0.002 cannot survive FDR over hundreds of areas.
    int permutations = 9999;
    std::uint64_t seed = 12345;
    PAdjust correction = PAdjust::fdr_bh;     ///< for the LISA and Gi* p-values
    std::string out;                          ///< GeoPackage (.gpkg)
    std::string manifest_path;                ///< empty: manifest.json beside `out`
    bool overwrite = false;
    unsigned threads = 0;
    std::string command_line;

    /// @throws UsageError for unusable values (no areas, no population, per <= 0, ...).
    void validate() const;
};

/// Per area layer results.
struct RatesLayerSummary {
    std::string name;
    std::size_t areas = 0, valid = 0;
    std::uint64_t incidents = 0;     ///< incidents assigned to an area of this layer
    double population = 0;           ///< of the valid areas
    double reference_rate = 0;       ///< per `per`
    std::string reference_source;    ///< "given" or "study area"
    std::int64_t classes[5] = {};    ///< significantly below .. significantly above
    std::int64_t not_computed = 0;
    std::int64_t lisa[5] = {};       ///< not significant, HH, LL, HL, LH
    std::int64_t gi_hot = 0, gi_cold = 0;
    std::size_t islands = 0;         ///< areas without a queen neighbour
    std::string top_area;            ///< the valid area with the highest rate
    double top_rate = 0;
    std::string top_class;
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
