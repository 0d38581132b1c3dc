#pragma once
/// @file steps/rates_step.hpp
/// The area rates step: incidents already placed in one area layer (geocode step) and the
/// layer's population -> per area the rate per `per` residents with 95% and 99.8% Poisson
/// intervals, the class against a reference rate, funnel limits, Choynowski p, the empirical
/// Bayes rate, local Moran's I (LISA) of the rates on queen contiguity among the areas with a
/// rate, and Gi* of the rates on the same neighbours with self (rates.hpp, lisa.hpp,
/// gistar.hpp). Writes one polygon layer through a VectorWriter. Both frames call it:
/// `hotspot rates` (rates_job.cpp, per area layer) and `hotspot run` (per profile and level).
///
/// Without a population (a run profile whose denominator is not population, or a level with no
/// population) the layer holds the counts, no rate, and LISA/Gi* of the counts on all areas.
///
/// Layer schema (field names spelled once, in rates_step.cpp), in this order:
///   code, name, status (ok / the reason there is no rate), incidents (integer; empty when below
///   publish_min_count), population, rate_per_<per>, ci95_lower, ci95_upper, ci998_lower,
///   ci998_upper, reference_rate (all per `per` residents), expected, ratio (observed/expected),
///   rate_class (significantly above ... significantly below, "not computed", "suppressed"),
///   class_level (-2..2), funnel95_lower, funnel95_upper, funnel998_lower, funnel998_upper,
///   choynowski_p, eb_rate_per_<per>, neighbours (queen), lisa_i, lisa_z, lisa_p (raw analytic p),
///   lisa_p_perm (permutation pseudo p), lisa_p_corrected (the p the class uses), lisa_class
///   (HH, LL, HL, LH, not significant, not computed), gi_z, gi_p (permutation p when permuted),
///   gi_p_corrected, gi_bin (-3..3); with comparison counts also comparison_incidents, change.
/// Styles: styles/rates_class.qml (default; boundaries without a rate), styles/lisa.qml (second).

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/areas_io.hpp"
#include "hotspot/fdr.hpp"
#include "hotspot/steps/permutation_options.hpp"
#include "hotspot/lisa.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/disclosure.hpp"
#include "hotspot/rates.hpp"

namespace hotspot {

class VectorWriter;

/// Options of the rates step (CLI flag = manifest key, kebab-cased).
struct RatesStepOptions {
    double per = 1000;                     ///< rates per this many residents
    std::optional<double> reference_rate;  ///< per `per` residents; empty: the study area's own
    CiMethod ci = CiMethod::exact;
    double contiguity_snap_m = 1.0;        ///< queen contiguity tolerance (contiguity.hpp)
    /// LISA and Gi* conditional permutations (0: analytic), their seed and the correction of
    /// their p-values. 9999, not GeoDa's 999; with a correction the step raises R to
    /// lisa_permutations_for_fdr() (one rule for `hotspot rates` and `hotspot run`).
    PermutationOptions perm{.permutations = 9999};
    double alpha = 0.05;                   ///< LISA class level on the corrected p (a profile's fdr_q)
    bool lisa = true;                      ///< LISA and Gi* of the rates (a run profile without "lisa": off)

    /// @throws UsageError: per, reference rate, snap, permutations or alpha out of range.
    void validate() const;
    nlohmann::ordered_json to_json() const;
};

/// The rates node of a run profile ("rates": run/profile_rates.cpp's summary over the step's
/// per-level nodes) as its readers (the report) take it. Missing keys keep the defaults.
struct RatesManifestNode {
    std::string ci;                        ///< the CI method in words
    std::string classes;                   ///< the class rule in words
    double reference_rate_per_1000 = NAN;
    /// @throws nlohmann::json::exception: a key holds a value of another type.
    static RatesManifestNode from_json(const nlohmann::ordered_json& node);
};

struct RatesStepInput {
    const AreaLayer* layer = nullptr;
    const std::vector<double>* counts = nullptr;      ///< incidents per area
    const std::vector<double>* population = nullptr;  ///< per area; nullptr: counts only
    bool rates = true;  ///< false: counts only even with a population (shown, not used)
    std::string population_source;                    ///< for the manifest
    const std::vector<double>* comparison = nullptr;  ///< comparison period's counts; nullptr: none
    /// Queen neighbours of every area (queen_neighbours); nullptr: computed here.
    const std::vector<std::vector<std::int32_t>>* neighbours = nullptr;
};

struct RatesStepOutput {
    VectorWriter* writer = nullptr;
    std::string layer;                     ///< empty: "<area>_rates"
    std::string description;               ///< the layer's description prefix
    std::string style_title;               ///< prefix of the style names
    std::string no_rate_status = "no population";  ///< status of every area in counts-only mode
    std::uint64_t publish_min_count = 0;   ///< counts below this are suppressed (publish mode)
    /// Publish mode's decision per area (disclosure.hpp suppress_table: primary or secondary;
    /// nullptr: counts below publish_min_count only), and per area of the comparison period.
    /// A hidden area has no count, rate, interval, class, change or p; and while any area of
    /// the layer is hidden the pooled statistics (LISA, Gi*, EB rate) are withheld for all.
    const std::vector<Suppression>* suppression = nullptr;
    const std::vector<Suppression>* comparison_suppression = nullptr;
};

struct RatesStepResult {
    std::string layer;
    RatesResult rates;                     ///< empty in counts-only mode
    double reference_rate = 0;             ///< per `per`
    std::size_t valid = 0, islands = 0;
    std::int64_t classes[5] = {}, not_computed = 0, lisa[5] = {}, gi_hot = 0, gi_cold = 0;
    std::string top_area, top_class;
    double top_rate = 0;
    std::string method;
    int permutations_used = 0;             ///< R after lisa_permutations_for_fdr(); 0: analytic
    std::vector<std::string> warnings;
    nlohmann::ordered_json manifest;
};

/// The permutations the rates step uses for its LISA and Gi* of `areas` areas: `asked` (0 stays
/// 0, analytic p), raised when a correction is on to the smallest R whose smallest folded
/// two-sided permutation p, 2/(R+1), can pass Benjamini-Hochberg (and Bonferroni) at rank 1,
/// q/m: R >= ceil(2m/q) - 1, at most PermutationOptions::max_permutations. Fewer permutations
/// could never flag a lone cluster, whatever the data (611 LSOAs at q = 0.05: 24,439).
int lisa_permutations_for_fdr(int asked, std::size_t areas, double q, PAdjust correction);

/// Runs the step on one area layer. @throws UsageError, InputError (a population with no area
/// > 0), OutputError.
RatesStepResult run_rates_step(const RatesStepInput& input, const RatesStepOptions& options,
                               const RatesStepOutput& output, const Progress& progress = no_progress());

} // namespace hotspot
