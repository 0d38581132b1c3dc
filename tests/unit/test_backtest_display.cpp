// How a backtest-drawn density map is shown (run/backtest_display.hpp, issue 16): the kde's
// snap-point warning is restated as "chosen on out-of-sample prediction" only when the backtest
// chose the bandwidth, and the map's classes are the backtest's area shares with no incident
// floor, so the map shows the densest 1% of the area whose hit rate the pack quotes. The class
// breaks are checked against the area-share quantiles counted here by brute force.

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "hotspot/heat_classes.hpp"
#include "hotspot/kde.hpp"
#include "run/backtest_display.hpp"

using namespace hotspot;
using namespace hotspot::detail;

namespace {

BacktestShown shown() {
    BacktestShown s;
    s.setting = "kde 100 m";
    s.shares = {0.005, 0.01, 0.02, 0.05};
    s.hit_rate = 0.48;
    s.pai = 48;
    s.months = 17;
    s.what = "car key burglary";
    return s;
}

} // namespace

TEST_CASE("backtest display: the snap-point warning is restated only for a backtest-chosen bandwidth", "[backtest-display]") {
    // 40 snap points 1 km apart with 2 incidents each: at a 100 m radius every point is isolated.
    std::vector<double> x, y;
    for (int i = 0; i < 40; ++i)
        for (int k = 0; k < 2; ++k) x.push_back(400050.0 + 1000 * (i % 8)), y.push_back(300050.0 + 1000 * (i / 8));
    KdeOptions o;
    o.bandwidth_m = 100;
    const Grid grid{400000, 306000, 50, 160, 120};
    const KdeResult k = kernel_density(x, y, {}, grid, o);
    std::vector<std::string> warnings = k.warnings;
    warnings.insert(warnings.begin(), "kde: another warning");
    const auto snap = std::find_if(warnings.begin(), warnings.end(),
                                   [](const std::string& w) { return w.find("finer than the spacing of the snap points") != std::string::npos; });
    REQUIRE(snap != warnings.end());  // the kde's own warning (a fixed bandwidth from the config keeps it)
    CHECK(snap->find("use a larger bandwidth") != std::string::npos);

    const auto restated = restate_snap_warning(warnings, shown());
    REQUIRE(restated.size() == warnings.size());
    CHECK(restated.front() == "kde: another warning");  // others kept, in order
    const std::string& s = restated[std::size_t(snap - warnings.begin())];
    CHECK(s == backtest_snap_statement(shown()));
    CHECK(s.find("use a larger bandwidth") == std::string::npos);
    CHECK(s.find("chosen on out-of-sample prediction") != std::string::npos);
    CHECK(s.find("caught 48% of the next quarter's car key burglary in 1% of the area (PAI 48)") != std::string::npos);
    CHECK(s.find("densest 0.5, 1, 2 and 5% of the area") != std::string::npos);
    CHECK(s.find("over the last 17 months") != std::string::npos);
}

TEST_CASE("backtest display: the floor goes only when neither publish mode nor the config sets one", "[backtest-display]") {
    HeatClassOptions h;
    apply_backtest_display(h, shown(), false, HeatClassOptions{}.min_incidents);
    CHECK(h.min_incidents == 1);
    CHECK(h.area_shares == shown().shares);
    HeatClassOptions pub;
    pub.min_incidents = 5;  // publish mode's disclosure floor
    apply_backtest_display(pub, shown(), true, HeatClassOptions{}.min_incidents);
    CHECK(pub.min_incidents == 5);
    HeatClassOptions own;
    own.min_incidents = 4;  // analysis.heat_min_incidents = 4
    apply_backtest_display(own, shown(), false, 4);
    CHECK(own.min_incidents == 4);
}

TEST_CASE("backtest display: the classes are the densest 0.5/1/2/5% of the area, counted by brute force", "[backtest-display]") {
    // 100 x 100 cells: 50 at 90, 50 at 80, 100 at 70, 300 at 60, one at 40, the rest below 40;
    // one incident in each of a few dense cells and many lone ones, as police.uk snap points.
    const Grid grid{0, 10000, 100, 100, 100};
    const std::size_t n = std::size_t(grid.size());
    std::vector<double> v(n);
    std::mt19937 rng(16);
    std::uniform_real_distribution<double> low(0.5, 39.5);
    for (std::size_t i = 0; i < n; ++i) v[i] = i < 50 ? 90 : i < 100 ? 80 : i < 200 ? 70 : i < 500 ? 60 : i == 500 ? 40 : low(rng);
    std::shuffle(v.begin(), v.end(), rng);
    std::vector<double> x, y;
    for (std::size_t i = 0; i < n; i += 37) x.push_back(grid.x_of_col(std::int64_t(i) % grid.cols)), y.push_back(grid.y_of_row(std::int64_t(i) / grid.cols));

    HeatClassOptions h;
    apply_backtest_display(h, shown(), false, HeatClassOptions{}.min_incidents);
    const HeatClasses c = heat_classes(grid, v, x, y, 100, h);
    CHECK(c.floor_from_count == 0);  // no incident floor: the lightest class's edge is the floor
    REQUIRE(c.classes.size() == 4);
    CHECK(c.floor == c.classes.front().lower);
    // brute force: the value t of the ceil(s N)-th densest cell; its class's lower edge is the
    // next smaller value (rounded to 2 significant figures); the share above it is s exactly here
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    const std::vector<double> shares = shown().shares;
    for (std::size_t k = 0; k < shares.size(); ++k) {
        const auto m = std::size_t(std::ceil(shares[k] * double(n)));
        const double t = sorted[m - 1];
        double next = 0;
        for (double s : sorted)
            if (s < t) { next = s; break; }
        const HeatClass& cls = c.classes[shares.size() - 1 - k];  // lightest first
        INFO("share " << shares[k]);
        CHECK(cls.lower == round_significant(next, 2));
        std::size_t above = 0;
        for (double s : v) above += s > cls.lower;
        CHECK(cls.area_share_above == Approx(double(above) / double(n)));
        CHECK(cls.area_share_above == Approx(shares[k]));
    }
    // the default floor (3 incidents within the radius) leaves far less shaded on the same data:
    // the "specks" the rule removes
    const HeatClasses d = heat_classes(grid, v, x, y, 100, HeatClassOptions{});
    const double shaded = d.classes.empty() ? 0 : d.classes.back().area_share_above;
    CHECK(shaded < 0.005);
}
