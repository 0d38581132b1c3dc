#pragma once
/// @file snap_points.hpp
/// Detecting a change of police.uk's anonymised snap points between months. police.uk moves
/// every crime to one of a fixed set of map points and replaces that set from time to time
/// (from July 2022 most Leicestershire locations moved by tens of metres and only 4-5% reuse an
/// earlier location). Counts on fine grids then "move" although the crime did not, so change
/// maps and backtests across such a month mislead. Pure core: plain arrays.
///
/// Rule: locations are the distinct (x, y) rounded to `precision_m`. For each month m with at
/// least `min_locations` distinct locations, reuse(m) = the share of m's distinct locations
/// seen in any of the `lookback` months before it (months with no incident are skipped over).
/// The baseline of m is the median reuse of the earlier months that have one (at least
/// `min_history` of them). A change is reported at m when reuse(m) < `drop` × baseline
/// (default: under half the usual reuse). With one set of snap points, reuse is stable from
/// month to month (it grows with the number of incidents, not with time).

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace hotspot {

struct SnapPointOptions {
    double precision_m = 1.0;     ///< locations closer than this (same rounded x, y) are one
    int lookback = 3;             ///< earlier months whose locations count as reused
    std::size_t min_locations = 50; ///< months with fewer distinct locations are not judged
    int min_history = 2;          ///< earlier reuse values needed for a baseline
    double drop = 0.5;            ///< change when reuse < drop × baseline

    /// @throws UsageError for values outside their range.
    void validate() const;
};

struct SnapPointMonth {
    int month = 0;                ///< year · 12 + month − 1
    std::size_t locations = 0;    ///< distinct locations this month
    std::size_t reused = 0;       ///< of them, seen in the lookback months
    double reuse = 0;             ///< reused / locations (NaN for the first month or below min_locations)
    double baseline = 0;          ///< median earlier reuse (NaN without enough history)
    bool change = false;          ///< a snap-point change is reported at this month
};

struct SnapPointCheck {
    std::vector<SnapPointMonth> months;  ///< every month with an incident, ascending
    std::vector<int> changes;            ///< months (year · 12 + month − 1) with a change
    std::vector<std::string> warnings;   ///< one sentence per change, naming the month
};

/// @param month per incident: year · 12 + month − 1, or < 0 when unknown (skipped).
/// @throws UsageError when the spans differ in size or options are invalid.
SnapPointCheck detect_snap_point_changes(std::span<const double> x, std::span<const double> y,
                                         std::span<const int> month, const SnapPointOptions& options = {});

/// "2022-07" from a month index.
std::string month_name(int month);

} // namespace hotspot
