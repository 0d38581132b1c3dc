#pragma once
// The incident-reading flags every command that reads incidents shares (geocode, kde, gistar,
// rates), and the permutation-test flags of gistar and rates, declared once so their names,
// help and defaults cannot drift apart.

#include <CLI/CLI.hpp>

#include "hotspot/incidents_io.hpp"
#include "hotspot/steps/permutation_options.hpp"

namespace hotspot::cli {

/// Adds --incidents (required), --x, --y, --crs, --working-crs, --id, --category, --date,
/// --time and --keep-outliers to `sub`, filling `read`. `read` must outlive the parse.
/// --postcode, --postcodes, --postcodes-previous (part of add_read_options; `run` adds them alone).
void add_postcode_options(CLI::App& sub, ReadOptions& r);

void add_read_options(CLI::App& sub, ReadOptions& read);

} // namespace hotspot::cli

namespace hotspot::cli {

/// Adds --permutations, --seed and --correction to `sub`, filling `perm` (the correction is kept
/// as text in `correction` until the command runs: apply_permutation_flags). The help of
/// --permutations and --correction is the command's; `perm` and `correction` must outlive the
/// parse.
void add_permutation_options(CLI::App& sub, PermutationOptions& perm, std::string& correction,
                             const std::string& permutations_help, const std::string& correction_help);
/// Sets `perm.correction` from the --correction text and `perm.threads` from --threads.
/// @throws UsageError for an unknown correction (fdr.hpp).
void apply_permutation_flags(PermutationOptions& perm, const std::string& correction, unsigned threads);

} // namespace hotspot::cli
