// change.hpp (exact test of two Poisson counts) and trend.hpp (Mann-Kendall, Sen's slope,
// seasonal Mann-Kendall) against R (tests/fixtures/trend/make_fixtures.R) and brute force.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

#include "fixture_csv.hpp"
#include "hotspot/change.hpp"
#include "hotspot/error.hpp"
#include "hotspot/trend.hpp"

using namespace hotspot;
using hotspot::test::close;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// The trend fixtures live beside the stats ones.
test::FixtureCsv trend_fixture(const std::string& name) { return test::FixtureCsv("../trend/" + name); }

std::vector<double> values(const std::string& text) {
    std::vector<double> v;
    std::istringstream s(text);
    std::string w;
    while (s >> w) v.push_back(w == "NA" ? std::numeric_limits<double>::quiet_NaN() : std::stod(w));
    return v;
}

// Binomial pmf from lgamma: independent of Boost's implementation.
double pmf(std::int64_t k, std::int64_t n, double p) {
    return std::exp(std::lgamma(double(n) + 1) - std::lgamma(double(k) + 1) - std::lgamma(double(n - k) + 1) +
                    double(k) * std::log(p) + double(n - k) * std::log1p(-p));
}

// R's two-sided rule, by brute force over every outcome.
double brute_p(std::int64_t x, std::int64_t n, double p) {
    const double d = pmf(x, n, p);
    double s = 0;
    for (std::int64_t k = 0; k <= n; ++k)
        if (pmf(k, n, p) <= d * (1 + 1e-7)) s += pmf(k, n, p);
    return std::min(1.0, s);
}

} // namespace

TEST_CASE("poisson_change_test equals R poisson.test: p, rate ratio, 95% and 99.8% intervals", "[change]") {
    const auto f = trend_fixture("poisson_test.csv");
    REQUIRE(f.rows() == 60);
    for (std::size_t r = 0; r < f.rows(); ++r) {
        const auto n1 = std::int64_t(f.num(r, "n1")), n2 = std::int64_t(f.num(r, "n2"));
        const double e1 = f.num(r, "e1"), e2 = f.num(r, "e2");
        INFO(f.name() << " row " << r << ": n1 " << n1 << " n2 " << n2 << " e1 " << e1 << " e2 " << e2);
        const auto t = poisson_change_test(n1, n2, e1, e2);
        const auto t998 = poisson_change_test(n1, n2, e1, e2, 0.998);
        CHECK(close(t.p, f.num(r, "p"), 1e-8));
        const auto ratio = [](double v) { return v == -1 ? inf : v; };
        if (std::isnan(f.num(r, "ratio"))) CHECK(std::isnan(t.rate_ratio));
        else if (ratio(f.num(r, "ratio")) == inf) CHECK(t.rate_ratio == inf);
        else CHECK(close(t.rate_ratio, ratio(f.num(r, "ratio")), 1e-12));
        CHECK(close(t.ratio_lower, f.num(r, "lower95"), 1e-8));
        CHECK((ratio(f.num(r, "upper95")) == inf ? t.ratio_upper == inf : close(t.ratio_upper, f.num(r, "upper95"), 1e-8)));
        CHECK(close(t998.ratio_lower, f.num(r, "lower998"), 1e-8));
        CHECK((ratio(f.num(r, "upper998")) == inf ? t998.ratio_upper == inf
                                                  : close(t998.ratio_upper, f.num(r, "upper998"), 1e-8)));
    }
}

TEST_CASE("binomial_test_p equals a brute-force sum over all outcomes", "[change]") {
    for (std::int64_t n : {0, 1, 2, 7, 20, 57, 200, 1001})
        for (double p : {0.5, 0.3, 1.0 / 3, 0.75, 0.9})
            for (std::int64_t x = 0; x <= n; x += std::max<std::int64_t>(1, n / 23)) {
                INFO("x " << x << " n " << n << " p " << p);
                CHECK(close(binomial_test_p(x, n, p), brute_p(x, n, p), 1e-9));
            }
}

TEST_CASE("Poisson change test: synthetic truth, classes and errors", "[change]") {
    // Planted doubling of a rate of 50 per period: nearly always an increase, mostly a significant one;
    // no change: "no significant change" in about 95% of draws (the test's false-positive rate
    // is at most 5% because it is exact and conservative).
    std::mt19937_64 rng(7);
    std::poisson_distribution<int> base(50), doubled(100);
    int found = 0, found_strong = 0, false_pos = 0;
    const int draws = 2000;
    for (int i = 0; i < draws; ++i) {
        const auto up = poisson_change_test(doubled(rng), base(rng));
        if (change_class(up) == ChangeClass::significant_increase) ++found_strong;
        if (int(change_class(up)) > 0) ++found;
        const auto none = poisson_change_test(base(rng), base(rng));
        if (change_class(none) != ChangeClass::no_significant_change) ++false_pos;
    }
    CHECK(found > draws * 97 / 100);         // power at p < 0.05 is about 98%
    CHECK(found_strong > draws * 75 / 100);  // and about 83% at p < 0.002
    CHECK(false_pos <= draws * 5 / 100);
    CHECK(false_pos > draws * 2 / 100);  // an exact test near its level, not one that never rejects

    // The rule, case by case: p < 0.002 significant, p < 0.05 increase/decrease.
    const auto t = poisson_change_test(30, 15);  // p = 0.04 (R: 0.03989)
    CHECK(t.p > 0.002);
    CHECK(t.p < 0.05);
    CHECK(change_class(t) == ChangeClass::increase);
    CHECK(change_class(poisson_change_test(15, 30)) == ChangeClass::decrease);
    CHECK(change_class(poisson_change_test(60, 20)) == ChangeClass::significant_increase);
    CHECK(change_class(poisson_change_test(20, 60)) == ChangeClass::significant_decrease);
    CHECK(change_class(poisson_change_test(0, 0)) == ChangeClass::no_significant_change);
    CHECK(change_class(poisson_change_test(12, 10)) == ChangeClass::no_significant_change);
    // Exposure: 24 incidents in 12 months against 12 in 6 months is no change in the monthly rate.
    const auto same = poisson_change_test(24, 12, 12, 6);
    CHECK(same.rate_ratio == Approx(1.0));
    CHECK(same.pct_change == Approx(0.0).margin(1e-12));
    CHECK(same.p == Approx(1.0));
    CHECK(poisson_change_test(116, 100).pct_change == Approx(16.0));
    CHECK(to_string(ChangeClass::significant_increase) == "significant increase");

    CHECK_THROWS_WITH(poisson_change_test(-1, 2), "change: counts must be >= 0 (got -1)");
    CHECK_THROWS_WITH(poisson_change_test(1, 2, 0, 1), "change: exposures must be > 0 and finite (got 0)");
    CHECK_THROWS_WITH(poisson_change_test(1, 2, 1, 1, 95), "change: confidence must be in (0, 1) (got 95)");
    CHECK_THROWS_AS((ChangeClassLevels{0.01, 0.05}.validate()), UsageError);
}

TEST_CASE("mann_kendall equals the textbook formula and R cor.test(kendall); Sen's slope equals R", "[trend]") {
    const auto f = trend_fixture("mann_kendall.csv");
    REQUIRE(f.rows() == 27);
    for (std::size_t r = 0; r < f.rows(); ++r) {
        const auto x = values(f.text(r, "values"));
        INFO(f.name() << " row " << r << ": n " << x.size());
        const auto mk = mann_kendall(x);
        CHECK(mk.n == x.size());
        CHECK(mk.s == f.num(r, "S"));
        CHECK(close(mk.var_s, f.num(r, "varS"), 1e-12));
        CHECK(close(mk.z, f.num(r, "z"), 1e-10));
        CHECK(close(mk.p, f.num(r, "p"), 1e-9));
        if (!std::isnan(f.num(r, "z_cortest"))) {
            CHECK(close(mk.z, f.num(r, "z_cortest"), 1e-10));
            CHECK(close(mk.p, f.num(r, "p_cortest"), 1e-9));
            CHECK(close(mk.tau, f.num(r, "tau"), 1e-10));
        }
        CHECK(close(mk.sen_slope, f.num(r, "sen"), 1e-12));
    }
}

TEST_CASE("Mann-Kendall Var(S) without ties equals the variance of S over all permutations", "[trend]") {
    // Under H0 every ordering is equally likely: enumerate them (n <= 7) and compute Var(S).
    for (int n = 2; n <= 7; ++n) {
        std::vector<double> x(static_cast<std::size_t>(n));
        std::iota(x.begin(), x.end(), 1.0);
        double sum = 0, sum2 = 0, count = 0;
        do {
            double s = 0;
            for (int i = 0; i < n; ++i)
                for (int j = i + 1; j < n; ++j) s += double((x[std::size_t(j)] > x[std::size_t(i)]) - (x[std::size_t(j)] < x[std::size_t(i)]));
            sum += s, sum2 += s * s, ++count;
        } while (std::next_permutation(x.begin(), x.end()));
        INFO("n " << n);
        CHECK(sum == 0);
        CHECK(mann_kendall(x).var_s == Approx(sum2 / count).epsilon(1e-12));
    }
    // With ties, the tie-corrected Var(S) equals the permutation variance of S over the
    // distinct orderings of the multiset {1, 1, 2, 3, 3, 3} (ties contribute sign 0).
    std::vector<double> x = {1, 1, 2, 3, 3, 3};
    double sum2 = 0, count = 0;
    do {
        double s = 0;
        for (std::size_t i = 0; i < x.size(); ++i)
            for (std::size_t j = i + 1; j < x.size(); ++j) s += double((x[j] > x[i]) - (x[j] < x[i]));
        sum2 += s * s, ++count;
    } while (std::next_permutation(x.begin(), x.end()));
    CHECK(mann_kendall(x).var_s == Approx(sum2 / count).epsilon(1e-12));
}

TEST_CASE("Mann-Kendall on synthetic series: planted trends found, noise at the stated rate", "[trend]") {
    std::mt19937_64 rng(11);
    int found = 0, false_pos = 0;
    const int draws = 1000;
    for (int d = 0; d < draws; ++d) {
        std::vector<double> up(36), flat(36);
        for (std::size_t i = 0; i < 36; ++i) {
            up[i] = std::poisson_distribution<int>(40 + 1.5 * double(i))(rng);
            flat[i] = std::poisson_distribution<int>(40)(rng);
        }
        const auto mk = mann_kendall(up);
        if (mk.p < 0.05 && mk.s > 0) ++found;
        if (mann_kendall(flat).p < 0.05) ++false_pos;
        if (d == 0) CHECK(mk.sen_slope == Approx(1.5).margin(0.6));
    }
    CHECK(found > draws * 95 / 100);
    CHECK(false_pos < draws * 7 / 100);
    CHECK(trend_words(mann_kendall(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})) == "rising");
    CHECK(trend_words(mann_kendall(std::vector<double>{5, 5, 5, 5})) == "no significant trend");
    // NaN values are left out; Sen's slope keeps their time positions.
    const auto gap = mann_kendall(std::vector<double>{1, std::nan(""), 3, 4});
    CHECK(gap.n == 3);
    CHECK(gap.sen_slope == Approx(1.0));
}

TEST_CASE("seasonal_mann_kendall equals the textbook sum over seasons (Hirsch et al. 1982)", "[trend]") {
    const auto f = trend_fixture("seasonal_mann_kendall.csv");
    REQUIRE(f.rows() == 12);
    for (std::size_t r = 0; r < f.rows(); ++r) {
        const auto x = values(f.text(r, "values"));
        INFO(f.name() << " row " << r << ": n " << x.size());
        const auto mk = seasonal_mann_kendall(x, 12);
        CHECK(mk.s == f.num(r, "S"));
        CHECK(close(mk.var_s, f.num(r, "varS"), 1e-12));
        CHECK(close(mk.z, f.num(r, "z"), 1e-10));
        CHECK(close(mk.p, f.num(r, "p"), 1e-9));
        CHECK(close(mk.sen_slope, f.num(r, "sen"), 1e-12));
    }
    // A strong seasonal cycle with no trend: the plain test can be fooled by where the series
    // starts and ends, the seasonal one compares each month only with itself.
    std::vector<double> season(36);
    const double cycle[12] = {50, 65, 76, 80, 76, 65, 50, 35, 24, 20, 24, 35};
    for (std::size_t i = 0; i < 36; ++i) season[i] = cycle[i % 12];
    CHECK(seasonal_mann_kendall(season).s == 0);
    CHECK(seasonal_mann_kendall(season).sen_slope == 0);
    CHECK_THROWS_WITH(seasonal_mann_kendall(season, 1), "trend: period must be >= 2 (got 1)");
}
