// The display rule of a backtest-drawn density map (backtest_display.hpp).

#include "run/backtest_display.hpp"

#include <algorithm>

#include "hotspot/error.hpp"

namespace hotspot::detail {

int heat_min_incidents_of(std::optional<int> configured, bool backtest_drawn, bool publish, int publish_min_count) {
    if (configured && *configured < 1)
        throw UsageError("run", "analysis.heat_min_incidents must be >= 1 (got " + std::to_string(*configured) +
                                    "); give the fewest incidents that must reach a shaded cell");
    const int own = configured.value_or(backtest_drawn && !publish ? 1 : HeatClassOptions{}.min_incidents);
    return std::max(own, publish ? publish_min_count : 1);
}

void apply_backtest_display(HeatClassOptions& heat, const BacktestShown& shown) {
    if (!shown.shares.empty()) heat.area_shares = shown.shares;
}

} // namespace hotspot::detail
