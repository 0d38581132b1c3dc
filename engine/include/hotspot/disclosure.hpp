#pragma once
/// @file disclosure.hpp
/// Statistical disclosure control for publish mode: the one policy every publish-mode output
/// passes through (rates layers, run summary, report, manifest; any count table another step
/// adds: call suppress_table() on it and write only what it leaves published).
///
/// The rules (README "Publish mode: disclosure control"):
///  1. Primary suppression: a count below `min_count` (default 5) is not published, nor is any
///     statistic derived from it (rate, intervals, class, change, expected, ratio, p).
///  2. Secondary (complementary) suppression along the published hierarchy (LSOA within ward
///     within study area): in every parent whose equation `parent = sum of children` has exactly
///     one suppressed term, the smallest unsuppressed sibling (or the parent) is suppressed too;
///     then the table is attacked (audit_table: interval bounds of every suppressed cell from
///     the published cells, as a reader who also knows the threshold and each cell's reason
///     would compute them) and, while any suppressed cell is pinned to one value, one more
///     cell of its equation is suppressed. Iterated to a fixed point. This is the standard
///     hierarchical heuristic of statistical agencies (Hundepool, Domingo-Ferrer, Franconi,
///     Giessing, Schulte Nordholt, Spicer & de Wolf 2012, "Statistical Disclosure Control",
///     Wiley, ch. 4 "Magnitude tables" §4.3-4.4 (secondary suppression, HiTaS-style top-down
///     processing of hierarchies, audit by interval computation) and ch. 5 "Frequency tables").
///     It is not optimal (a small integer program can hide less); its cost is measured in
///     README "Cost of protection".
///  3. Statistics pooled over a table (local Moran's I, Gi* of areas, empirical-Bayes rates:
///     each uses the table's mean and variance, so the sum of squares of the hidden counts) are
///     not published for any area of a table that has a suppressed cell.
///  4. Published totals are rounded to `round_base` (round_total).
///
/// Shapes: a table is a forest of cells; `parent[i]` is the index of the cell whose count is the
/// sum of its children (the ward of an LSOA, the study-area total of a ward), or -1. Counts are
/// whole incidents. Errors: std::invalid_argument when the shapes disagree or a parent index is
/// out of range or cyclic.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/grid.hpp"

namespace hotspot {

enum class Suppression : std::uint8_t { published = 0, primary = 1, secondary = 2, derived = 3 };
std::string_view to_string(Suppression s);

struct DisclosurePolicy {
    bool enabled = false;
    std::uint64_t min_count = 5;      ///< counts below this are suppressed (publish.min_count)
    std::uint64_t round_base = 5;     ///< published totals rounded to a multiple of this (1: none)
    double min_bandwidth_m = 300;     ///< density surfaces: bandwidth floor in publish mode
};

/// A hierarchical count table (see the file comment).
struct CountTable {
    std::vector<std::uint64_t> counts;
    std::vector<std::int32_t> parent;  ///< -1: no parent (a published total, or a lone cell)
    /// Optional (empty: none): cells the reader knows whatever is suppressed (a total printed
    /// elsewhere, or a sum the reader can form); never suppressed, and exact in the attack.
    std::vector<std::uint8_t> known;
};

/// Primary then secondary suppression of `t` (rules 1-2); one entry per cell: published,
/// primary or secondary. A cell with no parent and no children is only primary-tested.
/// Deterministic (ties broken by index). O(cells x rounds).
std::vector<Suppression> suppress_table(const CountTable& t, std::uint64_t min_count);

/// The reader's attack: per cell, the [lower, upper] bounds of its count implied by the
/// published counts, the equations parent = sum(children), and what the reason tells
/// (primary: 0 .. min_count-1; secondary: at least min_count). Bounds propagation to a fixed
/// point; exact for a hierarchy (each equation shares at most one cell with another along a
/// tree). Published cells get [count, count].
struct CellBounds {
    std::uint64_t lower = 0, upper = 0;
};
std::vector<CellBounds> audit_table(const CountTable& t, const std::vector<Suppression>& s, std::uint64_t min_count);

/// Indices of suppressed cells the attack pins to a single value (empty: the table is safe).
std::vector<std::size_t> disclosed_cells(const CountTable& t, const std::vector<Suppression>& s, std::uint64_t min_count);

/// Publish mode of a direction of travel (steps/change_step.hpp), the period against the
/// comparison: in the study area's row and every area's, a count below `min_count` is hidden;
/// the test, % change, class and rates of a row with either count hidden are hidden (the change
/// is derived from both, and with one count published it would give the other: the joint
/// protection of the two periods); the trend and the monthly series of a row with any month
/// below `min_count` are hidden (the months sum to the periods' counts, so one hidden month
/// alone could be recovered). Each layer's class tally is recounted over the published rows.
/// Returns how many rows had something hidden.
struct ChangeResult;
std::size_t publish_change(ChangeResult& r, std::uint64_t min_count);

/// `v` rounded to the nearest multiple of `base` (halves up); base 0 or 1: v.
std::uint64_t round_total(std::uint64_t v, std::uint64_t base);

/// The density floor: cells of `values` (row-major over `grid`) with fewer than `k` incidents
/// (x, y, metres) strictly within `radius_m` (the kernel's support radius) of their centre are
/// set to 0 (NaN, outside the study area, stays NaN). Returns how many non-zero cells were
/// zeroed. After it every non-zero cell, so every connected patch of them, rests on at least k
/// incidents: no patch integrates to fewer than k. O(incidents x cells within the radius).
std::size_t mask_density(std::vector<double>& values, const Grid& grid, const std::vector<double>& x,
                         const std::vector<double>& y, double radius_m, int k);

} // namespace hotspot
