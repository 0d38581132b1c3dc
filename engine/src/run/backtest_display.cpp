// The display rule of a backtest-drawn density map (backtest_display.hpp).

#include "run/backtest_display.hpp"

namespace hotspot::detail {

void apply_backtest_display(HeatClassOptions& heat, const BacktestShown& shown, bool publish, int configured_min) {
    if (!shown.shares.empty()) heat.area_shares = shown.shares;
    if (!publish && configured_min == HeatClassOptions{}.min_incidents) heat.min_incidents = 1;
}

} // namespace hotspot::detail
