#pragma once
// How a density map whose bandwidth the backtests chose is shown (issue 16). At force scale on
// police.uk data the backtests pick 75-150 m bandwidths: finer than the spacing of the snap
// points, so the kde's "finer than the snap points" warning fired and the 3-incident heat floor
// left only the densest 0.1-0.3% of the area shaded, while the pack quoted the hit rate of the
// densest 1%. The rule: the map's classes are the area shares the backtest measured (densest
// 0.5, 1, 2 and 5%), with no incident floor (min_incidents 1) unless publish mode or the
// config's analysis.heat_min_incidents asks for one; and the snap-point warning is replaced by a
// statement that the setting was chosen on out-of-sample prediction, with its hit rate and PAI.

#include <string>
#include <vector>

#include "hotspot/heat_classes.hpp"

namespace hotspot::detail {

/// What the backtest measured for the setting that draws the map.
struct BacktestShown {
    std::string setting;                 ///< "kde 100 m"
    std::vector<double> shares;          ///< the backtest's area shares (0-1), e.g. 0.005 .. 0.05
    double share = 0.01;                 ///< the share the hit rate below is at
    double hit_rate = 0;                 ///< pooled out-of-sample hit rate at `share` (0-1)
    double pai = 0;                      ///< PAI at `share`
    int months = 0;                      ///< months the origins span
    std::string what = "incidents";      ///< "car key burglary": what the hit rate counts
};

/// Sets `heat` for a backtest-drawn map: area_shares = shown.shares; min_incidents = 1 unless
/// `publish` (the disclosure floor stays) or `configured_min` differs from the default
/// (HeatClassOptions{}.min_incidents: the analyst's own floor stays).
void apply_backtest_display(HeatClassOptions& heat, const BacktestShown& shown, bool publish, int configured_min);

/// `warnings` with the kde's snap-point warning ("kde: the bandwidth (support radius ...) is
/// finer than the spacing of the snap points ...") replaced by the statement that the setting
/// was chosen on out-of-sample prediction; every other warning kept, in order.
std::vector<std::string> restate_snap_warning(const std::vector<std::string>& warnings, const BacktestShown& shown);

/// The statement itself: "kde: kde 100 m is finer than the spacing of the police.uk snap points,
/// but it was chosen on out-of-sample prediction: over the last 17 months maps drawn this way
/// caught 48% of the next quarter's incidents in 1% of the area (PAI 48); the map shows the
/// densest 0.5, 1, 2 and 5% of the area, the shares the backtest measured".
std::string backtest_snap_statement(const BacktestShown& shown);

} // namespace hotspot::detail
