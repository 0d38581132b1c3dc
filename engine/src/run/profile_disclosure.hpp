#pragma once
// Publish mode's disclosure control of a profile's area tables (disclosure.hpp applied to the
// run): the hierarchy the pack publishes (LSOA within ward within study area, read from where
// the incidents were placed), primary and secondary suppression per period, the self-check
// (the reader's attack; a pack that fails is refused, exit 4) and the audit for the manifest.

#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/disclosure.hpp"
#include "run/run_context.hpp"

namespace hotspot::detail {

struct AreaDisclosure {
    /// per area level (p.areas.levels order), per area: the period's and the comparison's
    std::vector<std::vector<Suppression>> period, comparison;
    nlohmann::ordered_json audit;  ///< the manifest's "disclosure" node of the profile
};

/// counts[l][a], ccounts[l][a]: incidents of area a of level l in the period and the comparison
/// period (ccounts all 0 without one). Every level is a table cell under the study-area total;
/// a finer level's area hangs under the coarser area holding all its incidents, where every
/// child of that parent sums to it in both periods (else the reader has no exact equation and
/// the children hang under the total only).
/// @throws OutputError (exit 4): the self-check recovers a suppressed count.
AreaDisclosure suppress_profile_areas(const ProfileRun& p, const std::vector<std::vector<double>>& counts,
                                      const std::vector<std::vector<double>>& ccounts);

/// Publish mode with --publish-round above 1: the profile's totals in the manifest (and so in
/// the report, which reads it) rounded to the base, as the stdout summary rounds them:
/// "selected", "selected_comparison" and the selection's per-term counts; a total of at least 1
/// never rounds to 0. The layers keep their exact published counts (the rounding is for the
/// prose; the protection assumes the reader knows the exact totals). No-op outside publish mode.
void round_profile_totals(ProfileRun& p);

} // namespace hotspot::detail
