#pragma once
// How a density map whose bandwidth the backtests chose is shown (issue 16). At force scale on
// police.uk data the backtests pick 75-150 m bandwidths: finer than the spacing of the snap
// points, so the kde's "finer than the snap points" warning fired and the 3-incident heat floor
// left only the densest 0.1-0.3% of the area shaded, while the pack quoted the hit rate of the
// densest 1%. The rule: the map's classes are the area shares the backtest measured (densest
// 0.5, 1, 2 and 5%), with no incident floor (min_incidents 1) unless publish mode or the
// config's analysis.heat_min_incidents asks for one; and the density step writes, in place of the
// snap-point warning, a statement that the setting was chosen on out-of-sample prediction, with
// its hit rate and PAI (KdeStepOptions::bandwidth_chosen_by_backtest).

#include <optional>
#include <string>
#include <vector>

#include "hotspot/heat_classes.hpp"
#include "hotspot/steps/kde_step.hpp"

namespace hotspot::detail {

/// What the backtest measured for the setting that draws the map (kde_step.hpp).
using BacktestShown = KdeBacktestRecord;

/// The heat map's k (HeatClassOptions::min_incidents) of a run profile; the one place the
/// config's analysis.heat_min_incidents is read. `configured` when set, else
/// HeatClassOptions{}.min_incidents (3), except 1 (no floor) on a `backtest_drawn` map outside
/// `publish` mode; publish mode raises it to at least `publish_min_count` (the disclosure floor).
/// @throws UsageError: configured < 1 ("analysis.heat_min_incidents must be >= 1 (got 0)").
int heat_min_incidents_of(std::optional<int> configured, bool backtest_drawn, bool publish, int publish_min_count);

/// Sets `heat`'s classes for a backtest-drawn map: area_shares = shown.shares (when given).
void apply_backtest_display(HeatClassOptions& heat, const BacktestShown& shown);

} // namespace hotspot::detail
