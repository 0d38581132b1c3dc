// The display rule of a backtest-drawn density map (backtest_display.hpp).

#include "run/backtest_display.hpp"

#include "util/text.hpp"

namespace hotspot::detail {

namespace {
// The start of kde.cpp's snap-point warning (kde_estimate: "the bandwidth (support radius R m)
// is finer than the spacing of the snap points").
constexpr std::string_view snap_warning_start = "kde: the bandwidth (support radius ";
constexpr std::string_view snap_warning_mark = "finer than the spacing of the snap points";

std::string percent_list(const std::vector<double>& shares) {
    std::string s;
    for (std::size_t i = 0; i < shares.size(); ++i) {
        if (i) s += i + 1 == shares.size() ? " and " : ", ";
        s += util::num(shares[i] * 100, 3);
    }
    return s + "%";
}
} // namespace

void apply_backtest_display(HeatClassOptions& heat, const BacktestShown& shown, bool publish, int configured_min) {
    if (!shown.shares.empty()) heat.area_shares = shown.shares;
    if (!publish && configured_min == HeatClassOptions{}.min_incidents) heat.min_incidents = 1;
}

std::string backtest_snap_statement(const BacktestShown& shown) {
    return "kde: " + shown.setting + " is finer than the spacing of the police.uk snap points, but it was chosen on " +
           "out-of-sample prediction: over the last " + std::to_string(shown.months) +
           " months maps drawn this way caught " + util::num(shown.hit_rate * 100, 3) +
           "% of the next quarter's " + shown.what + " in " + util::num(shown.share * 100, 3) + "% of the area (PAI " +
           util::num(shown.pai, 3) + "); the map's classes are the densest " + percent_list(shown.shares) +
           " of the area, the shares the backtest measured";
}

std::vector<std::string> restate_snap_warning(const std::vector<std::string>& warnings, const BacktestShown& shown) {
    std::vector<std::string> out;
    out.reserve(warnings.size());
    for (const auto& w : warnings)
        out.push_back(w.starts_with(snap_warning_start) && w.find(snap_warning_mark) != std::string::npos
                          ? backtest_snap_statement(shown)
                          : w);
    return out;
}

} // namespace hotspot::detail
