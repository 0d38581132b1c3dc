// How a backtest-drawn density map is shown (run/backtest_display.hpp, issue 16): the density
// step writes "chosen on out-of-sample prediction" in place of the kde's snap-point warning
// (flagged by index, KdeResult::snap_warning) only when the backtest chose the bandwidth, and
// the map's classes are the backtest's area shares with no incident floor, so the map shows the
// densest 1% of the area whose hit rate the pack quotes. The class breaks are checked against
// the area-share quantiles counted here by brute force.

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "hotspot/config.hpp"
#include "hotspot/heat_classes.hpp"
#include "hotspot/kde.hpp"
#include "hotspot/steps/kde_step.hpp"
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

TEST_CASE("backtest display: the density step restates the snap-point warning only for a backtest-chosen bandwidth", "[backtest-display]") {
    // 40 snap points 1 km apart with 2 incidents each: at a 100 m radius every point is isolated.
    std::vector<double> x, y;
    for (int i = 0; i < 40; ++i)
        for (int k = 0; k < 2; ++k) x.push_back(400050.0 + 1000 * (i % 8)), y.push_back(300050.0 + 1000 * (i / 8));
    KdeOptions o;
    o.bandwidth_m = 100;
    const Grid grid{400000, 306000, 50, 160, 120};
    KdeResult k = kernel_density(x, y, {}, grid, o);
    REQUIRE(k.snap_warning);  // the kde flags its own warning by index, not by text
    k.warnings.insert(k.warnings.begin(), "kde: another warning");
    ++*k.snap_warning;
    const std::size_t at = *k.snap_warning;
    REQUIRE(at < k.warnings.size());
    CHECK(k.warnings[at].find("finer than the spacing of the snap points") != std::string::npos);

    // a fixed bandwidth from the config keeps the kde's own warning, word for word
    KdeStepOptions fixed;
    CHECK(kde_step_warnings(k, fixed) == k.warnings);

    KdeStepOptions chosen;
    chosen.bandwidth_chosen_by_backtest = shown();
    const auto restated = kde_step_warnings(k, chosen);
    REQUIRE(restated.size() == k.warnings.size());
    CHECK(restated.front() == "kde: another warning");  // others kept, in order
    const std::string& s = restated[at];
    CHECK(s == "kde: kde 100 m is finer than the spacing of the police.uk snap points, but it was chosen on "
               "out-of-sample prediction: over the last 17 months maps drawn this way caught 48% of the next "
               "quarter's car key burglary in 1% of the area (PAI 48); the map's classes are the densest 0.5, 1, 2 "
               "and 5% of the area, the shares the backtest measured");
    CHECK(s == backtest_snap_statement(shown()));
    for (std::size_t i = 0; i < restated.size(); ++i)
        if (i != at) CHECK(restated[i] == k.warnings[i]);

    // spread points (no coincident incidents): no snap-point warning, nothing restated
    const std::vector<double> sx{400100, 401300, 402700}, sy{300100, 301900, 303100};
    const KdeResult spread = kernel_density(sx, sy, {}, grid, o);
    CHECK_FALSE(spread.snap_warning);
    CHECK(kde_step_warnings(spread, chosen) == spread.warnings);
}

TEST_CASE("backtest display: the floor goes only when neither publish mode nor the config sets one", "[backtest-display]") {
    const int k3 = HeatClassOptions{}.min_incidents;
    REQUIRE(k3 == 3);
    // unset: 3 on a map drawn with a given bandwidth, no floor on a backtest-drawn one
    CHECK(heat_min_incidents_of(std::nullopt, false, false, 5) == 3);
    CHECK(heat_min_incidents_of(std::nullopt, true, false, 5) == 1);
    // an explicit analysis.heat_min_incidents = 3 (the default's value) keeps the 3-incident floor
    CHECK(heat_min_incidents_of(3, true, false, 5) == 3);
    CHECK(heat_min_incidents_of(4, true, false, 5) == 4);
    CHECK(heat_min_incidents_of(1, false, false, 5) == 1);
    // publish mode: at least the disclosure threshold, backtest or not
    CHECK(heat_min_incidents_of(std::nullopt, true, true, 5) == 5);
    CHECK(heat_min_incidents_of(std::nullopt, true, true, 2) == 3);
    CHECK(heat_min_incidents_of(8, true, true, 5) == 8);
    CHECK(heat_min_incidents_of(std::nullopt, false, true, 5) == 5);
    CHECK_THROWS_WITH(heat_min_incidents_of(0, false, false, 5), Catch::Contains("analysis.heat_min_incidents must be >= 1"));
    HeatClassOptions h;
    apply_backtest_display(h, shown());
    CHECK(h.area_shares == shown().shares);
}

TEST_CASE("backtest display: analysis.heat_min_incidents read from a config: unset stays unset, an explicit 3 is kept", "[backtest-display]") {
    const auto read = [](const std::string& analysis) {
        return parse_run_config("title = \"t\"\noutput = \"pack\"\nprofiles = [\"drug-possession\"]\n[incidents]\n"
                                "paths = [\"x.csv\"]\n[analysis]\n" + analysis, "run.toml");
    };
    CHECK_FALSE(read("").analysis.heat_min_incidents);
    const auto three = read("heat_min_incidents = 3\n").analysis.heat_min_incidents;
    REQUIRE(three);
    CHECK(*three == 3);
    CHECK(heat_min_incidents_of(three, true, false, 5) == 3);
    CHECK(heat_min_incidents_of(read("").analysis.heat_min_incidents, true, false, 5) == 1);
    CHECK_THROWS_WITH(read("heat_min_incidents = 0\n"), Catch::Contains("heat_min_incidents"));
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
    h.min_incidents = heat_min_incidents_of(std::nullopt, true, false, 5);
    apply_backtest_display(h, shown());
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
