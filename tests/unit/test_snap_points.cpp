// Snap-point change detection: a planted change in a synthetic police.uk-like series is found
// at its month, noise is not; the 29 shared Leicestershire months (one set of snap points)
// show none.

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/snap_points.hpp"
#include "support.hpp"

using namespace hotspot;

namespace {
struct Series {
    std::vector<double> x, y;
    std::vector<int> month;
};

// 24 months from 2021-01 of `per_month` incidents drawn from 600 snap points; from month
// `change_at` (index, -1: never) the points are replaced by a set moved by ~19 m.
Series series(int change_at, int per_month, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> ux(440000, 450000), uy(300000, 308000), ang(0, 2 * M_PI);
    std::vector<double> px(600), py(600), qx(600), qy(600);
    for (std::size_t k = 0; k < 600; ++k) {
        px[k] = std::round(ux(rng)), py[k] = std::round(uy(rng));
        const double a = ang(rng);
        qx[k] = std::round(px[k] + 19 * std::cos(a)), qy[k] = std::round(py[k] + 19 * std::sin(a));
    }
    // Popular points are popular: a skewed choice, as real crime is.
    std::geometric_distribution<int> pick(0.01);
    Series s;
    for (int m = 0; m < 24; ++m)
        for (int i = 0; i < per_month; ++i) {
            const auto k = std::size_t(pick(rng) % 600);
            const bool moved = change_at >= 0 && m >= change_at;
            s.x.push_back(moved ? qx[k] : px[k]);
            s.y.push_back(moved ? qy[k] : py[k]);
            s.month.push_back(2021 * 12 + m);
        }
    return s;
}
} // namespace

TEST_CASE("snap points: a planted change is found at its month, none without one", "[snap-points]") {
    const auto changed = series(18, 800, 1);
    const auto r = detect_snap_point_changes(changed.x, changed.y, changed.month);
    REQUIRE(r.changes.size() == 1);
    CHECK(month_name(r.changes[0]) == "2022-07");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("2022-07") != std::string::npos);
    CHECK(r.months.size() == 24);
    for (int seed = 2; seed < 12; ++seed) {
        const auto same = series(-1, 800, std::uint64_t(seed));
        CHECK(detect_snap_point_changes(same.x, same.y, same.month).changes.empty());
    }
    // Small months are not judged: 30 incidents a month cannot show a change.
    const auto small = series(18, 30, 3);
    CHECK(detect_snap_point_changes(small.x, small.y, small.month).changes.empty());
    std::vector<double> one = {1};
    std::vector<int> none;
    CHECK_THROWS_AS(detect_snap_point_changes(one, one, none), UsageError);
}

TEST_CASE("snap points: the 29 shared Leicestershire months report no change", "[snap-points]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    ReadOptions ro;
    ro.paths = {(test::shared_data() / "police_uk" / "leicestershire").string()};
    const auto read = read_incidents(ro);
    const auto& inc = read.incidents;
    std::vector<int> month(inc.size(), -1);
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (inc.date_days[i] != no_date) {
            const auto ymd = civil_from_days(inc.date_days[i]);
            month[i] = (ymd / 10000) * 12 + ymd / 100 % 100 - 1;
        }
    const auto r = detect_snap_point_changes(inc.x, inc.y, month);
    CHECK(r.months.size() == 29);
    for (const auto& m : r.months) {
        INFO(month_name(m.month) << ": " << m.locations << " locations, reuse " << m.reuse << ", baseline " << m.baseline);
        CHECK_FALSE(m.change);
    }
}
