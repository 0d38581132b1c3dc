#pragma once
// The incident-reading flags every command that reads incidents shares (geocode, kde, gistar,
// rates), and the permutation-test flags of gistar and rates, declared once so their names,
// help and defaults cannot drift apart.

#include <CLI/CLI.hpp>
#include <memory>

#include "hotspot/incidents_io.hpp"
#include "hotspot/steps/permutation_options.hpp"

namespace hotspot::cli {

/// Adds --incidents (required), --x, --y, --crs, --working-crs, --id, --category, --date,
/// --time and --keep-outliers to `sub`, filling `read`. `read` must outlive the parse.
/// --postcode, --postcodes, --postcodes-previous (part of add_read_options; `run` adds them alone).
void add_postcode_options(CLI::App& sub, ReadOptions& r);
/// --x, --y, --id, --category, --date, --time (part of add_read_options; `run` adds them alone,
/// over its config's incidents.x, .y, .id, .category, .date and .time).
void add_column_options(CLI::App& sub, ReadOptions& r);

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

namespace hotspot::cli {

/// Publish mode of a single command (README "Publish mode: disclosure control"): --publish and
/// --publish-min-count N (default 5). `what` ends the --publish help (what the command hides).
struct PublishFlags {
    bool on = false;
    int min_count = 5;
    int min_count_or_0() const { return on ? min_count : 0; }  ///< the job options' publish_min_count
};
std::shared_ptr<PublishFlags> add_publish_options(CLI::App& sub, const std::string& what);

} // namespace hotspot::cli
