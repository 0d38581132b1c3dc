#pragma once
/// @file fdr.hpp
/// Multiple-testing correction of p-values: Benjamini–Hochberg false discovery rate (the
/// default, as ArcGIS Pro's Hot Spot Analysis "Apply False Discovery Rate correction"),
/// Bonferroni, or none. The adjusted p-values equal R's `p.adjust(p, "BH")` and
/// `p.adjust(p, "bonferroni")`, so "adjusted p < alpha" is the BH decision at FDR level alpha.

#include <span>
#include <string_view>
#include <vector>

namespace hotspot {

/// How p-values are corrected for the number of tests.
enum class PAdjust {
    none,       ///< raw p-values
    fdr_bh,     ///< Benjamini–Hochberg step-up (controls the false discovery rate)
    bonferroni, ///< min(1, m·p) (controls the family-wise error rate)
};

/// Parses "fdr" / "bh" / "bonferroni" / "none" (case-sensitive, lower case).
/// @throws UsageError "fdr: unknown correction 'X' (use fdr, bonferroni or none)".
PAdjust parse_p_adjust(std::string_view name);

/// The name parse_p_adjust() accepts for `method` ("fdr", "bonferroni", "none").
std::string_view to_string(PAdjust method) noexcept;

/// Adjusted p-values, in the order of `p`. NaN entries (cells outside the study area, areas
/// without a result) are left NaN and do not count towards the number of tests m.
/// BH: p_adj(i) = min over ranks k ≥ rank(i) of min(1, m·p(k)/k), as R's p.adjust "BH".
/// @pre every non-NaN p lies in [0, 1].
/// @throws UsageError "fdr: p-value N is X, outside [0, 1]" when a p-value is out of range.
std::vector<double> adjust_p_values(std::span<const double> p, PAdjust method);

} // namespace hotspot
