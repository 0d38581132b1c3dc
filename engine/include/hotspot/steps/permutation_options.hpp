#pragma once
/// @file permutation_options.hpp
/// The options of a conditional permutation test, shared by every step that runs one (Gi* on
/// cells, LISA and Gi* of area rates; usable by the near-repeat Knox test): one name, one
/// check and one manifest form each, from the TOML key to the CLI flag (cli/read_options.hpp's
/// add_permutation_options) and the manifest. Each step chooses its own default count.
///
/// Flags / manifest keys: --permutations / permutations, --seed / seed, --correction /
/// correction (fdr, bonferroni or none, fdr.hpp); threads come from the global --threads and
/// never change the output (each observation draws from its own seeded stream).

#include <cstdint>
#include <nlohmann/json.hpp>

#include "hotspot/fdr.hpp"

namespace hotspot {

struct PermutationOptions {
    int permutations = 0;                  ///< conditional permutations R; 0: analytic p only
    std::uint64_t seed = 12345;            ///< seed of the permutations
    PAdjust correction = PAdjust::fdr_bh;  ///< multiple-testing correction of the p-values
    unsigned threads = 0;                  ///< 0: all cores; never changes the output
    /// h > 0: Besag & Clifford's (1991) sequential stop: an observation stops permuting once h
    /// permuted values lie on each side of its own, p = 2h/l after l draws (core permutation.hpp).
    /// Set by the step (the area statistics of `rates` use 20), not by a flag.
    int stop_after = 0;

    static constexpr int max_permutations = 99999;

    /// @throws UsageError "<unit>: --permutations must be between 0 and 99999 (got N)".
    void validate(const char* unit) const;
    /// Adds "permutations", "seed" and "correction", in that order, to a step's options node.
    void add_to_json(nlohmann::ordered_json& node) const;
    /// Sets p_adjust, permutations, seed and threads of a core's options (GiStarOptions,
    /// LisaOptions).
    template <class CoreOptions>
    void apply_to(CoreOptions& core) const {
        core.p_adjust = correction;
        core.permutations = permutations;
        core.seed = seed;
        core.threads = threads;
        core.stop_after = stop_after;
    }
};

} // namespace hotspot
