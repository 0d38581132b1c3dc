// The Knox test (knox.hpp) against a brute-force count of every pair written here from the
// definition (half-open bands, same location kept apart), on synthetic data with pairs exactly
// on the band limits; planted near repeats found where planted and nowhere else beyond the
// stated rate; the same numbers with 1 and 2 threads; and the Near Repeat Calculator's labels
// and counts on the worked example of its convention.

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/knox.hpp"

using namespace hotspot;

namespace {

struct Points {
    std::vector<double> x, y;
    std::vector<std::int32_t> days;
    void add(double px, double py, std::int32_t d) { x.push_back(px), y.push_back(py), days.push_back(d); }
};

/// Every pair, binned from the definition with sqrt distances (the engine compares squares).
std::vector<std::int64_t> brute_force(const Points& p, const KnoxBands& b) {
    const std::size_t rows = b.distance_limits_m.size() + 2, cols = b.day_limits.size() + 1;
    std::vector<std::int64_t> t(rows * cols, 0);
    for (std::size_t i = 0; i < p.x.size(); ++i)
        for (std::size_t j = i + 1; j < p.x.size(); ++j) {
            const double dx = p.x[i] - p.x[j], dy = p.y[i] - p.y[j];
            const double d = b.metric == DistanceMetric::manhattan ? std::fabs(dx) + std::fabs(dy) : std::sqrt(dx * dx + dy * dy);
            std::size_t row;
            if (d == 0 || d < b.same_location_m) row = 0;
            else {
                row = rows - 1;
                for (std::size_t k = 0; k < b.distance_limits_m.size(); ++k) {
                    const double lo = k == 0 ? b.same_location_m : b.distance_limits_m[k - 1];
                    if (d >= lo && d < b.distance_limits_m[k]) { row = k + 1; break; }
                }
            }
            const int dt = std::abs(p.days[i] - p.days[j]);
            std::size_t col = cols - 1;
            for (std::size_t k = 0; k < b.day_limits.size(); ++k) {
                const int lo = k == 0 ? 0 : b.day_limits[k - 1];
                if (dt >= lo && dt < b.day_limits[k]) { col = k; break; }
            }
            ++t[row * cols + col];
        }
    return t;
}

/// Integer coordinates on a 10 m lattice (many pairs exactly 100, 200, 300 m apart), repeated
/// points (snap points), and pairs planted exactly on the limits: (60, 80) is 100 m from the
/// origin, 7 and 14 days apart.
Points lattice_points(unsigned seed, int n) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> cell(0, 40), day(0, 60);
    Points p;
    for (int i = 0; i < n; ++i) p.add(10.0 * cell(rng), 10.0 * cell(rng), day(rng));
    p.add(0, 0, 0);
    p.add(100, 0, 7);
    p.add(60, 80, 14);
    p.add(0, 0, 21);   // same location as the first, 21 days later
    p.add(0, 200, 0);  // exactly 200 m, same day
    p.add(300, 0, 7);  // exactly 300 m: the "more than" band
    p.add(0.5, 0, 3);  // under 1 m: same location only with a 1 m same-location band
    return p;
}

/// Background incidents uniform over a 5 km square and a year, plus `planted` offspring each
/// within 100 m (not 0) and 0-6 days after a distinct background parent.
Points contagion(unsigned seed, int background, int planted) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 5000), unit(0, 1);
    std::uniform_int_distribution<int> day(0, 364), lag(0, 6);
    Points p;
    for (int i = 0; i < background; ++i) p.add(std::round(u(rng)), std::round(u(rng)), day(rng));
    for (int k = 0; k < planted; ++k) {
        const std::size_t parent = std::size_t(k);  // distinct parents: no sibling pairs
        const double r = 5 + 90 * std::sqrt(unit(rng)), a = 2 * M_PI * unit(rng);
        p.add(p.x[parent] + r * std::cos(a), p.y[parent] + r * std::sin(a), p.days[parent] + lag(rng));
    }
    return p;
}

KnoxResult run(const Points& p, KnoxOptions o) { return knox_test(p.x, p.y, p.days, o); }

} // namespace

TEST_CASE("knox: observed counts equal a brute-force count of every pair", "[knox]") {
    for (unsigned seed : {1u, 2u, 3u}) {
        const Points p = lattice_points(seed, 400);
        for (int variant = 0; variant < 3; ++variant) {
            KnoxOptions o;
            o.permutations = 9;
            if (variant == 1) o.bands.same_location_m = 1;
            if (variant == 2) o.bands.metric = DistanceMetric::manhattan;
            INFO("seed " << seed << " variant " << variant);
            const KnoxResult r = run(p, o);
            const auto expect = brute_force(p, o.bands);
            REQUIRE(r.rows == 5);
            REQUIRE(r.cols == 4);
            CHECK(r.observed == expect);
            std::int64_t sum = 0;
            for (auto v : r.observed) sum += v;
            CHECK(sum == r.total_pairs);
            CHECK(r.total_pairs == std::int64_t(p.x.size() * (p.x.size() - 1) / 2));
            // Permuting days moves no pair between distance bands nor between time bands in total.
            for (std::size_t row = 0; row < r.rows; ++row) {
                double e = 0;
                std::int64_t obs = 0;
                for (std::size_t col = 0; col < r.cols; ++col) e += r.expected[r.cell(row, col)], obs += r.observed[r.cell(row, col)];
                CHECK(e == Approx(double(obs)).epsilon(1e-12));
            }
            for (std::size_t col = 0; col < r.cols; ++col) {
                double e = 0;
                std::int64_t obs = 0;
                for (std::size_t row = 0; row < r.rows; ++row) e += r.expected[r.cell(row, col)], obs += r.observed[r.cell(row, col)];
                CHECK(e == Approx(double(obs)).epsilon(1e-12));
            }
        }
    }
}

TEST_CASE("knox: each permutation's table equals a brute-force count on its permuted days", "[knox]") {
    // 16 permutations share a pass over the pairs (vector lanes); 37 permutations leave a
    // partial last batch; a snap point with 400 incidents on one spot (79,800 pairs on its own)
    // crosses the 16-bit counters' flush.
    Points p = lattice_points(4, 300);
    for (int k = 0; k < 400; ++k) p.add(200, 200, k % 50);
    KnoxOptions o;
    o.permutations = 37;
    o.seed = 99;
    o.bands = KnoxBands::regular(50, 4, 3, 5);
    const KnoxResult r = run(p, o);
    const std::int32_t dmin = *std::min_element(p.days.begin(), p.days.end());
    std::vector<std::uint16_t> input(p.days.size()), shuffled;
    for (std::size_t i = 0; i < input.size(); ++i) input[i] = std::uint16_t(p.days[i] - dmin);
    const std::size_t ncell = r.rows * r.cols;
    for (std::size_t perm : {std::size_t(0), std::size_t(15), std::size_t(16), std::size_t(36)}) {
        detail::knox_shuffle(input, o.seed, perm, shuffled);
        Points q = p;
        for (std::size_t i = 0; i < q.days.size(); ++i) q.days[i] = shuffled[i];
        const auto expect = brute_force(q, o.bands);
        const std::vector<std::int64_t> got(r.permuted.begin() + std::ptrdiff_t(perm * ncell),
                                            r.permuted.begin() + std::ptrdiff_t((perm + 1) * ncell));
        INFO("permutation " << perm);
        CHECK(got == expect);
    }
}

TEST_CASE("knox: pairs exactly on a limit fall in the band above it", "[knox]") {
    Points p;
    p.add(0, 0, 0);
    p.add(60, 80, 7);  // exactly 100 m and 7 days: 100-200 m x 7-14 days
    KnoxOptions o;
    o.permutations = 1;
    const KnoxResult r = run(p, o);
    CHECK(r.observed[r.cell(2, 1)] == 1);
    CHECK(r.row_labels[2] == "100\u2013200 m");
    CHECK(r.col_labels[1] == "7\u201314 days");
    CHECK(r.row_labels[0] == "same location (0 m)");
    CHECK(r.row_labels[4] == "300 m or more");
    CHECK(r.col_labels[3] == "21 days or more");
}

TEST_CASE("knox: planted near repeats are found in 0-100 m x 0-7 days and nowhere else beyond the rate", "[knox]") {
    KnoxOptions o;
    o.permutations = 199;
    o.seed = 7;
    int other_significant = 0, other_cells = 0;
    for (unsigned seed : {11u, 12u, 13u, 14u, 15u}) {
        const KnoxResult r = run(contagion(seed, 2000, 150), o);
        const std::size_t hot = r.cell(1, 0);
        INFO("seed " << seed << ": observed " << r.observed[hot] << " expected " << r.expected[hot]);
        CHECK(r.significant[hot]);
        CHECK(r.p[hot] == Approx(1.0 / 200));
        CHECK(r.ratio[hot] > 2);
        // The near cells (not the "or more" row and column: with the margins fixed by the
        // permutations, an excess in 0-100 m x 0-7 days is mirrored by one in "300 m or more x 21
        // days or more", which is arithmetic, not a second pattern).
        for (std::size_t row = 0; row + 1 < r.rows; ++row)
            for (std::size_t col = 0; col + 1 < r.cols; ++col) {
                const std::size_t c = r.cell(row, col);
                if (c != hot && std::isfinite(r.ratio[c])) ++other_cells, other_significant += r.significant[c];
            }
        const RaisedRisk rr = raised_risk(r);
        CHECK(rr.found);
        CHECK(rr.distance_m >= 100);
        CHECK(rr.days >= 7);
    }
    // alpha = 0.05 over 40 cells (8 near cells with pairs x 5 data sets): 2 by chance; P(X > 7) < 0.001.
    INFO(other_significant << " of " << other_cells << " other cells significant");
    CHECK(other_cells >= 40);
    CHECK(other_significant <= 7);
}

TEST_CASE("knox: data with no near repeats show none beyond the stated rate", "[knox]") {
    KnoxOptions o;
    o.permutations = 199;
    int significant = 0, cells = 0, first_cell = 0;
    for (unsigned seed = 21; seed < 31; ++seed) {
        const KnoxResult r = run(contagion(seed, 2000, 0), o);
        for (std::size_t c = 0; c < r.rows * r.cols; ++c)
            if (std::isfinite(r.ratio[c])) ++cells, significant += r.significant[c];
        first_cell += r.significant[r.cell(1, 0)];
    }
    INFO(significant << " of " << cells << " cells significant at 0.05");
    // Binomial(~180, 0.05): mean 9; P(X > 20) < 0.001.
    CHECK(significant <= 20);
    CHECK(first_cell <= 3);
}

TEST_CASE("knox: same seed, same numbers with 1 and 2 threads", "[knox]") {
    const Points p = contagion(5, 3000, 200);
    KnoxOptions o;
    o.permutations = 99;
    o.seed = 2024;
    o.threads = 1;
    const KnoxResult a = run(p, o);
    o.threads = 2;
    const KnoxResult b = run(p, o);
    CHECK(a.observed == b.observed);
    CHECK(a.permuted == b.permuted);
    CHECK(a.expected == b.expected);
    CHECK(a.p == b.p);
    o.seed = 2025;
    const KnoxResult c = run(p, o);
    CHECK(c.permuted != a.permuted);
}

// The Near Repeat Calculator's convention, worked out (Steenbeek, NearRepeat vignette "NRC",
// the "pathological example" run through the Calculator):
//   incidents A (0, 0) on 2019-01-01 and B (0, 100) on 2019-01-04: one pair, 100 m and 3 days.
//   Spatial bandwidth 200 m x 2 bands, temporal bandwidth 3 days x 2 bands. The Calculator's
//   table has rows "Same location", "1 to 200", "201 to 400", "More than 400" and columns
//   "0 to 3", "4 to 6", "More than 6", and puts the pair in ("1 to 200", "4 to 6"): its band
//   "a to b" holds [a - 1, b), so "4 to 6" days is [3, 6) and 3 days apart lands there.
//   With a 100 m bandwidth the pair is in "101 to 200" ([100, 200)): 100 m lands there.
//   Its "Same location" band is distances under 1 m.
// So the counts are those of half-open bands [lo, hi) with a 1 m same-location band; only the
// labels differ. A third incident C (0.5, 0) on 2019-01-01 adds: A-C 0.5 m, 0 days -> "Same
// location" x "0 to 3" (with true limits and the default exact same-location band it would be
// 0-200 m); B-C 100.00125 m, 3 days -> "1 to 200" x "4 to 6".
TEST_CASE("knox: --compat nrc labels and counts equal the Calculator's worked example", "[knox]") {
    const std::int32_t jan1 = days_from_civil(2019, 1, 1), jan4 = days_from_civil(2019, 1, 4);
    Points p;
    p.add(0, 0, jan1);
    p.add(0, 100, jan4);
    KnoxOptions o;
    o.permutations = 19;
    o.labels = KnoxLabels::nrc;
    o.bands = KnoxBands::regular(200, 2, 3, 2);
    o.bands.same_location_m = 1;
    KnoxResult r = run(p, o);
    CHECK(r.row_labels == std::vector<std::string>{"Same location", "1 to 200", "201 to 400", "More than 400"});
    CHECK(r.col_labels == std::vector<std::string>{"0 to 3", "4 to 6", "More than 6"});
    CHECK(r.observed == std::vector<std::int64_t>{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0});

    o.bands = KnoxBands::regular(100, 2, 3, 2);
    o.bands.same_location_m = 1;
    r = run(p, o);
    CHECK(r.row_labels == std::vector<std::string>{"Same location", "1 to 100", "101 to 200", "More than 200"});
    CHECK(r.observed[r.cell(2, 1)] == 1);  // "101 to 200" x "4 to 6"

    p.add(0.5, 0, jan1);
    o.bands = KnoxBands::regular(200, 2, 3, 2);
    o.bands.same_location_m = 1;
    r = run(p, o);
    CHECK(r.observed == std::vector<std::int64_t>{1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0});
    o.labels = KnoxLabels::true_limits;
    o.bands.same_location_m = 0;
    r = run(p, o);
    CHECK(r.observed == std::vector<std::int64_t>{0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0});
    CHECK(r.row_labels[1] == "0\u2013200 m");
    CHECK(r.col_labels[1] == "3\u20136 days");
}

TEST_CASE("knox: the raised-risk rule keeps the contiguous significant bands from the origin", "[knox]") {
    KnoxResult r;
    r.rows = 5, r.cols = 4;
    r.row_hi_m = {0, 100, 200, 300, INFINITY};
    r.col_hi_days = {7, 14, 21, 1 << 30};
    r.significant.assign(20, 0);
    r.ratio.assign(20, 1.0);
    r.p.assign(20, 0.5);
    CHECK_FALSE(raised_risk(r).found);
    auto set = [&](std::size_t row, std::size_t col) { r.significant[row * 4 + col] = 1; };
    set(1, 0);
    set(2, 0);
    set(4, 0);  // "more than": never used
    set(1, 1);
    set(2, 2);  // not contiguous along the first band
    const RaisedRisk rr = raised_risk(r);
    CHECK(rr.found);
    CHECK(rr.distance_m == 200);
    CHECK(rr.days == 14);
}

TEST_CASE("knox: unusable options are refused with the unit and the value", "[knox]") {
    Points p;
    p.add(0, 0, 0);
    p.add(1, 1, 1);
    KnoxOptions o;
    o.bands.distance_limits_m = {100, 50};
    CHECK_THROWS_WITH(run(p, o), Catch::Contains("near-repeat: distance band limits must increase"));
    o.bands = KnoxBands{};
    o.bands.day_limits = {0};
    CHECK_THROWS_AS(run(p, o), UsageError);
    o.bands = KnoxBands{};
    o.permutations = 0;
    CHECK_THROWS_WITH(run(p, o), Catch::Contains("--permutations must be 1..99999"));
    CHECK_THROWS_AS(KnoxBands::regular(0, 3, 7, 3), UsageError);
}
