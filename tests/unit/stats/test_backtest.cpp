// Rolling-origin backtests (backtest.hpp) against a brute force written in the test: each
// origin's training and test months picked by hand, each candidate's surface drawn by hand
// (counts per cell; kernel_density for a fixed bandwidth), and the expected hits in the top
// share of cells from the tie rule's definition: a cell with g cells strictly above it and e
// cells sharing its value (itself included) lies in the top K cells with probability
// clamp((K − g) / e, 0, 1), the mean over every ordering of the tied cells.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "hotspot/backtest.hpp"
#include "hotspot/error.hpp"
#include "hotspot/evaluate.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "report_backtest.hpp"  // the report's section reads the node the run writes

using namespace hotspot;

namespace {

double brute_hits(const std::vector<double>& value, const std::vector<double>& test, double share) {
    std::vector<std::size_t> in;
    for (std::size_t i = 0; i < value.size(); ++i)
        if (std::isfinite(value[i])) in.push_back(i);
    const double k = share * double(in.size());
    double hits = 0;
    for (std::size_t i : in) {
        double above = 0, same = 0;
        for (std::size_t j : in) above += value[j] > value[i], same += value[j] == value[i];
        hits += test[i] * std::clamp((k - above) / same, 0.0, 1.0);
    }
    return hits;
}

struct Synthetic {
    std::vector<double> x, y;
    std::vector<int> month;
    Grid grid;
    std::vector<std::uint8_t> window;
};

// 40 × 40 cells of 50 m; 18 months from 2021-01; per month 60 incidents spread uniformly and
// 3 × 15 around three fixed centres (sd 40 m); the west column of cells is outside the study.
Synthetic synthetic(int months = 18) {
    Synthetic s;
    s.grid.origin_x = 400000, s.grid.origin_y = 302000, s.grid.cell_size_m = 50, s.grid.cols = 40, s.grid.rows = 40;
    s.window.assign(std::size_t(s.grid.size()), 1);
    for (std::int64_t r = 0; r < s.grid.rows; ++r) s.window[std::size_t(r * s.grid.cols)] = 0;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> ux(400000, 402000), uy(300000, 302000);
    std::normal_distribution<double> near(0, 40);
    const double cx[] = {400500, 401300, 401700}, cy[] = {301500, 300700, 301600};
    for (int m = 0; m < months; ++m) {
        const int month = 2021 * 12 + m;
        for (int i = 0; i < 60; ++i) s.x.push_back(ux(rng)), s.y.push_back(uy(rng)), s.month.push_back(month);
        for (int c = 0; c < 3; ++c)
            for (int i = 0; i < 15; ++i)
                s.x.push_back(cx[c] + near(rng)), s.y.push_back(cy[c] + near(rng)), s.month.push_back(month);
    }
    s.x.push_back(401000), s.y.push_back(301000), s.month.push_back(-1);  // undated: left out
    return s;
}

BacktestInput input_of(const Synthetic& s) { return {s.x, s.y, s.month, s.grid, s.window}; }

std::vector<BacktestCandidate> small_grid() {
    std::vector<BacktestCandidate> g;
    for (double b : {300.0, 100.0, 600.0}) g.push_back({BacktestCandidate::Kind::kde, b, BandwidthMethod::fixed, {}});
    g.push_back({BacktestCandidate::Kind::counts, 0, BandwidthMethod::fixed, {}});
    g.push_back({BacktestCandidate::Kind::gistar, 130, BandwidthMethod::fixed, {}});
    return g;
}

} // namespace

TEST_CASE("hits_at_shares equals evaluate_surface's hits on random grids with ties", "[evaluate]") {
    std::mt19937_64 rng(3);
    std::uniform_int_distribution<int> level(0, 6), count(0, 4);
    for (int trial = 0; trial < 50; ++trial) {
        const std::size_t n = 20 + std::size_t(trial) * 7;
        std::vector<double> v(n), c(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = level(rng), c[i] = count(rng);
        v[n / 2] = std::nan("");
        const std::vector<double> shares = {0.005, 0.01, 0.05, 0.2, 0.5, 1.0};
        EvaluationOptions o;
        o.shares = shares;
        const ForecastEvaluation e = evaluate_surface(v, c, {}, o);
        const std::vector<double> h = hits_at_shares(v, c, shares);
        for (std::size_t k = 0; k < shares.size(); ++k) {
            CHECK(h[k] == Approx(e.at_shares[k].hits).margin(1e-12));
            CHECK(h[k] == Approx(brute_hits(v, c, shares[k])).margin(1e-9));
        }
    }
}

// A sparse surface (a short bandwidth over a rural force): nine cells in ten are 0, so the
// cutoff at 5% of the area falls in the zero block, which is counted as one tied block.
TEST_CASE("hits_at_shares on a sparse surface whose cutoff is the zero block", "[evaluate]") {
    std::mt19937_64 rng(5);
    std::uniform_int_distribution<int> level(1, 40), count(0, 3), one_in(0, 9);
    for (int trial = 0; trial < 30; ++trial) {
        const std::size_t n = 200 + std::size_t(trial) * 31;
        std::vector<double> v(n), c(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = one_in(rng) == 0 ? level(rng) : 0.0, c[i] = count(rng);
        const std::vector<double> shares = {0.005, 0.01, 0.05, 0.15, 0.3};
        const std::vector<double> h = hits_at_shares(v, c, shares);
        for (std::size_t k = 0; k < shares.size(); ++k) CHECK(h[k] == Approx(brute_hits(v, c, shares[k])).margin(1e-9));
    }
    // Grids big enough for the sampled floor (4,096 cells and more): sparse, dense without ties,
    // coarse levels (big tie blocks), a negative surface (Gi* z) and sorted runs that a sample of
    // every 64th cell misjudges; against evaluate_surface, which sorts every cell.
    std::uniform_real_distribution<double> real(-3, 3);
    for (int trial = 0; trial < 25; ++trial) {
        const std::size_t n = 4096 + std::size_t(trial) * 2311;
        std::vector<double> v(n), c(n);
        for (std::size_t i = 0; i < n; ++i) {
            c[i] = count(rng);
            switch (trial % 5) {
            case 0: v[i] = one_in(rng) == 0 ? level(rng) : 0.0; break;
            case 1: v[i] = real(rng); break;
            case 2: v[i] = double(level(rng) / 10); break;
            case 3: v[i] = -std::abs(real(rng)); break;
            default: v[i] = i % 64 == 0 ? 1e9 : double(i); break;  // the sampled cells are the top: too few
            }
        }
        if (trial % 7 == 0) v[n / 3] = std::nan("");
        const std::vector<double> shares = {0.005, 0.01, 0.02, 0.05, 0.1};
        EvaluationOptions o;
        o.shares = shares;
        const ForecastEvaluation e = evaluate_surface(v, c, {}, o);
        const std::vector<double> h = hits_at_shares(v, c, shares);
        for (std::size_t k = 0; k < shares.size(); ++k) CHECK(h[k] == Approx(e.at_shares[k].hits).margin(1e-9));
    }
}

// The backtest's form: test counts as a list of cells (repeats add up), shares in any order, on
// surfaces shaped like density maps (hot blobs on a zero background, a study area with holes:
// NaN, and stray infinities, which are outside), equal to evaluate_surface's full sort to the
// bit, since whole counts are summed exactly in any order.
TEST_CASE("hits_at_shares' list form equals evaluate_surface to the bit", "[evaluate]") {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(0, 1);
    const std::vector<double> shares = {0.02, 0.005, 0.05, 0.01, 0.5, 1.0};
    EvaluationOptions o;
    o.shares = shares;
    for (int trial = 0; trial < 12; ++trial) {
        const std::int64_t cols = 64 + trial * 53, rows = 64 + trial * 41;
        const std::size_t n = std::size_t(cols * rows);
        std::vector<double> v(n, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            if ((i / std::size_t(cols)) % 5 == 0 && i % std::size_t(cols) < std::size_t(cols / 3)) v[i] = std::nan("");
        for (int b = 0; b < 3 + trial * 4; ++b) {  // blobs: quartic bumps, some coarse (ties)
            const double cx = u(rng) * double(cols), cy = u(rng) * double(rows), r = 3 + u(rng) * 20, w = u(rng);
            for (std::int64_t y = 0; y < rows; ++y)
                for (std::int64_t x = 0; x < cols; ++x) {
                    const double d2 = ((double(x) - cx) * (double(x) - cx) + (double(y) - cy) * (double(y) - cy)) / (r * r);
                    double& c = v[std::size_t(y * cols + x)];
                    if (d2 < 1 && std::isfinite(c)) c += b % 3 == 0 ? std::round(4 * w * (1 - d2)) : w * (1 - d2) * (1 - d2);
                }
        }
        v[n / 7] = std::numeric_limits<double>::infinity();
        v[n / 9] = -std::numeric_limits<double>::infinity();
        std::vector<double> dense(n, 0.0);
        std::vector<TestCell> list;
        for (int i = 0; i < 50 + trial * 40; ++i) {
            const auto at = std::size_t(u(rng) * double(n));
            list.push_back({at, 1.0});
            dense[at] += 1;
        }
        list.push_back({n / 7, 5.0}), dense[n / 7] += 5;  // on the infinite cell: outside, no hit
        const ForecastEvaluation e = evaluate_surface(v, dense, {}, o);
        const std::vector<double> h = hits_at_shares(v, list, shares), hd = hits_at_shares(v, dense, shares);
        for (std::size_t k = 0; k < shares.size(); ++k) {
            INFO("trial " << trial << ", share " << shares[k]);
            CHECK(h[k] == e.at_shares[k].hits);
            CHECK(hd[k] == e.at_shares[k].hits);
        }
    }
    std::vector<double> v(100, 1.0);
    const std::vector<TestCell> outside_grid{{100, 1.0}};
    CHECK_THROWS_AS(hits_at_shares(v, outside_grid, shares), UsageError);
}

// The backtest reads only the study area's cells (runs along the rows): the figures equal those
// of the whole surface when it is NaN outside the runs, whatever is outside them (a cell outside
// every run is outside the study area); runs from cell_runs() are the flags' runs exactly.
TEST_CASE("hits_at_shares over study-cell runs equals the whole surface NaN outside them", "[evaluate]") {
    std::mt19937_64 rng(29);
    std::uniform_real_distribution<double> u(0, 1);
    const std::vector<double> shares = {0.02, 0.005, 0.05, 0.01, 0.5, 1.0};
    for (int trial = 0; trial < 16; ++trial) {
        const std::size_t cols = 70 + std::size_t(trial) * 37, rows = 50 + std::size_t(trial) * 29, n = cols * rows;
        std::vector<std::uint8_t> flags(n, 0);
        const double cx = double(cols) / 2, cy = double(rows) / 2, r = 0.45 * double(std::min(cols, rows));
        for (std::size_t i = 0; i < n; ++i) {  // a disc with holes and a stray cell: many runs
            const double dx = double(i % cols) - cx, dy = double(i / cols) - cy;
            flags[i] = (dx * dx + dy * dy < r * r && u(rng) > 0.05) || i == n - 1;
        }
        const std::vector<CellRun> runs = cell_runs(flags);
        std::vector<std::uint8_t> again(n, 0);
        for (std::size_t k = 0; k < runs.size(); ++k) {
            REQUIRE(runs[k].begin < runs[k].end);
            if (k > 0) REQUIRE(runs[k].begin > runs[k - 1].end);  // maximal: a gap between runs
            for (std::size_t i = runs[k].begin; i < runs[k].end; ++i) again[i] = 1;
        }
        CHECK(again == flags);
        std::vector<double> v(n), garbage(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double value = trial % 3 == 0 ? std::round(u(rng) * 5) : u(rng) * u(rng);  // ties, or none
            v[i] = flags[i] ? value : std::nan("");
            garbage[i] = flags[i] ? value : 1e6 * u(rng);  // finite outside: must not count
        }
        std::vector<TestCell> test;
        for (int i = 0; i < 40 + trial * 30; ++i) {
            const auto at = std::size_t(u(rng) * double(n));
            test.push_back({at, 1.0 + double(i % 3)});
        }
        const auto whole = hits_at_shares(v, test, shares);
        const auto in_runs = hits_at_shares(v, test, shares, runs);
        const auto garbage_runs = hits_at_shares(garbage, test, shares, runs);
        for (std::size_t k = 0; k < shares.size(); ++k) {
            INFO("trial " << trial << ", share " << shares[k]);
            CHECK(in_runs[k] == whole[k]);
            CHECK(garbage_runs[k] == whole[k]);
        }
    }
    const std::vector<double> v(100, 1.0);
    const std::vector<TestCell> none;
    const std::vector<double> one{0.01};
    CHECK_THROWS_WITH(hits_at_shares(v, none, one, std::vector<CellRun>{{5, 10}, {8, 20}}), Catch::Contains("out of order"));
    CHECK_THROWS_WITH(hits_at_shares(v, none, one, std::vector<CellRun>{{90, 101}}), Catch::Contains("past the surface"));
    CHECK_THROWS_WITH(hits_at_shares(v, none, one, std::vector<CellRun>{{7, 7}}), Catch::Contains("empty"));
}

TEST_CASE("backtest hit rates equal a brute force over the origins", "[backtest]") {
    const Synthetic s = synthetic();
    BacktestOptions o;
    o.kde.kernel = Kernel::quartic;
    const auto grid = small_grid();
    const BacktestResult r = run_backtest(input_of(s), grid, o);
    REQUIRE(r.skipped_reason.empty());
    // 18 months, train 12 + test 3: origins at months 12..15 (4 of them)
    REQUIRE(r.origins.size() == 4);
    CHECK(r.origins.front().origin == 2021 * 12 + 12);
    CHECK(r.origins.back().origin == 2021 * 12 + 15);
    const std::size_t cells = std::size_t(s.grid.size());
    std::vector<std::vector<double>> hits(grid.size(), std::vector<double>(o.shares.size(), 0.0));
    double total = 0;
    for (const auto& origin : r.origins) {
        const int t = origin.origin;
        std::vector<double> test(cells, 0.0), counts(cells, 0.0), tx, ty;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (s.month[i] < 0) continue;
            const auto c = s.grid.col_of(s.x[i]), rw = s.grid.row_of(s.y[i]);
            const bool in = s.grid.in_grid(c, rw) && s.window[std::size_t(rw * s.grid.cols + c)];
            const std::size_t k = in ? std::size_t(rw * s.grid.cols + c) : 0;
            if (s.month[i] >= t && s.month[i] <= t + 2) {
                if (in) test[k] += 1, total += 1;
            } else if (s.month[i] >= t - 12 && s.month[i] <= t - 1) {
                tx.push_back(s.x[i]), ty.push_back(s.y[i]);
                if (in) counts[k] += 1;
            }
        }
        CHECK(origin.test_total == std::accumulate(test.begin(), test.end(), 0.0));
        for (std::size_t c = 0; c < grid.size(); ++c) {
            std::vector<double> surface;
            if (grid[c].kind == BacktestCandidate::Kind::counts) {
                surface = counts;
            } else if (grid[c].kind == BacktestCandidate::Kind::gistar) {
                // Getis & Ord (1992) G*_i z over the study cells, binary band, self included
                std::vector<std::size_t> in;
                for (std::size_t q = 0; q < cells; ++q)
                    if (s.window[q]) in.push_back(q);
                const double n = double(in.size());
                double sum = 0, sum2 = 0;
                for (std::size_t q : in) sum += counts[q], sum2 += counts[q] * counts[q];
                const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
                surface.assign(cells, 0.0);
                for (std::size_t i : in) {
                    double w = 0, l = 0;
                    for (std::size_t j : in) {
                        const double dx = double(std::int64_t(i % 40) - std::int64_t(j % 40)) * 50,
                                     dy = double(std::int64_t(i / 40) - std::int64_t(j / 40)) * 50;
                        if (std::hypot(dx, dy) <= grid[c].bandwidth_m) w += 1, l += counts[j];
                    }
                    surface[i] = (l - mean * w) / (sd * std::sqrt((n * w - w * w) / (n - 1)));
                }
            } else {
                KdeOptions k;
                k.bandwidth_m = grid[c].bandwidth_m;
                surface = kernel_density(tx, ty, {}, s.grid, k, s.window).values;
            }
            for (std::size_t q = 0; q < cells; ++q)
                if (!s.window[q]) surface[q] = std::nan("");
            for (std::size_t k = 0; k < o.shares.size(); ++k) hits[c][k] += brute_hits(surface, test, o.shares[k]);
        }
    }
    CHECK(r.test_total == total);
    for (std::size_t c = 0; c < grid.size(); ++c)
        for (std::size_t k = 0; k < o.shares.size(); ++k) {
            CHECK(r.scores[c].hit_rate[k] == Approx(hits[c][k] / total).margin(1e-12));
            CHECK(r.scores[c].pai[k] == Approx(hits[c][k] / total / o.shares[k]).epsilon(1e-12));
        }
}

TEST_CASE("backtest chooses the best of the grid at 1% of the area; a tie keeps the earlier", "[backtest]") {
    const Synthetic s = synthetic();
    BacktestOptions o;
    auto grid = small_grid();
    const BacktestResult r = run_backtest(input_of(s), grid, o);
    REQUIRE(r.chosen >= 0);
    const std::size_t at1 = 1;  // shares 0.5, 1, 2, 5 %
    REQUIRE(o.shares[at1] == 0.01);
    for (const auto& sc : r.scores) CHECK(r.scores[std::size_t(r.chosen)].hit_rate[at1] >= sc.hit_rate[at1]);
    // tight clusters (sd 40 m): a 100 m kernel beats a 600 m one at 1% of the area
    CHECK(r.scores[1].hit_rate[at1] > r.scores[2].hit_rate[at1]);
    CHECK(r.scores[std::size_t(r.chosen)].candidate != "kde 600 m");
    // the same candidate twice: the first is chosen
    grid.insert(grid.begin(), grid[std::size_t(r.chosen)]);
    grid.front().name = "first copy";
    const BacktestResult twice = run_backtest(input_of(s), grid, o);
    CHECK(twice.chosen == 0);
    CHECK(twice.scores[0].hit_rate == twice.scores[std::size_t(r.chosen) + 1].hit_rate);
    // the manifest node names the chosen candidate
    CHECK(twice.to_json(o)["chosen"] == "first copy");
}

// Candidates run as parallel jobs (one surface per thread): the figures, the order of the
// warnings and the choice do not depend on the thread count, and a job's error reaches the caller.
TEST_CASE("backtest figures are the same whatever the thread count", "[backtest]") {
    const Synthetic s = synthetic();
    auto grid = default_backtest_grid({BacktestCandidate::Kind::kde, 200, BandwidthMethod::fixed, "profile"});
    grid.push_back({BacktestCandidate::Kind::kde, 0, BandwidthMethod::ppl, {}});
    grid.back().name = grid.back().make_name();
    BacktestOptions o;
    o.kde.threads = 1;
    const BacktestResult one = run_backtest(input_of(s), grid, o);
    REQUIRE(one.chosen >= 0);
    for (unsigned threads : {2u, 3u, 7u}) {
        INFO(threads << " threads");
        o.kde.threads = threads;
        const BacktestResult r = run_backtest(input_of(s), grid, o);
        CHECK(r.chosen == one.chosen);
        CHECK(r.warnings == one.warnings);
        REQUIRE(r.scores.size() == one.scores.size());
        for (std::size_t c = 0; c < r.scores.size(); ++c) {
            CHECK(r.scores[c].hits == one.scores[c].hits);
            CHECK(r.scores[c].origin_hit_rate.size() == one.scores[c].origin_hit_rate.size());
            for (std::size_t g = 0; g < r.scores[c].origin_hit_rate.size(); ++g) {
                const double a = r.scores[c].origin_hit_rate[g], b = one.scores[c].origin_hit_rate[g];
                CHECK((a == b || (std::isnan(a) && std::isnan(b))));
            }
            CHECK(r.scores[c].mean_bandwidth_m == one.scores[c].mean_bandwidth_m);
        }
    }
    Synthetic broken = s;
    broken.x[0] = std::nan("");  // a training incident kernel_density refuses, on a worker thread
    REQUIRE(broken.month[0] < 2021 * 12 + 12);
    o.kde.threads = 2;
    CHECK_THROWS_AS(run_backtest(input_of(broken), grid, o), UsageError);
}

TEST_CASE("backtest with short history is skipped and says why; bad options are refused", "[backtest]") {
    const Synthetic s = synthetic(14);
    const BacktestResult r = run_backtest(input_of(s), small_grid(), {});
    CHECK(r.chosen == -1);
    CHECK(r.origins.empty());
    CHECK(r.skipped_reason.find("14 months") != std::string::npos);
    CHECK(history_months(s.month) == 14);
    BacktestOptions bad;
    bad.choose_share = 0.03;
    CHECK_THROWS_AS(run_backtest(input_of(s), small_grid(), bad), UsageError);
    bad = {};
    bad.train_months = 0;
    CHECK_THROWS_WITH(run_backtest(input_of(s), small_grid(), bad), Catch::Contains("train months must be >= 1"));
    // origins limited to the latest max_origins
    const Synthetic longer = synthetic(20);
    BacktestOptions two;
    two.max_origins = 2;
    const BacktestResult r2 = run_backtest(input_of(longer), small_grid(), two);
    REQUIRE(r2.origins.size() == 2);
    CHECK(r2.origins.back().origin == 2021 * 12 + 17);
}

TEST_CASE("the default grid lists the map's setting first, once", "[backtest]") {
    const auto g = default_backtest_grid({BacktestCandidate::Kind::kde, 200, BandwidthMethod::fixed, "profile"});
    REQUIRE(g.size() == 12);
    CHECK(g[0].name == "profile");
    CHECK(std::count_if(g.begin(), g.end(), [](const auto& c) { return c.bandwidth_m == 200; }) == 1);
    CHECK(g.back().name == "counts");
    CHECK(g[9].name == "kde auto:scott");
    CHECK(g[10].name == "gistar 300 m");
    // a rule as the map's own setting: nothing to drop, 13 candidates
    CHECK(default_backtest_grid({BacktestCandidate::Kind::kde, 0, BandwidthMethod::ppl, {}}).size() == 13);
}


TEST_CASE("report: backtest table best first, the map's setting and the best marked, the sentence under the map", "[backtest]") {
    const Synthetic s = synthetic();
    BacktestOptions o;
    const auto grid = small_grid();  // 300 m (the map's own, first), 100, 600 m, counts, gistar
    const BacktestResult r = run_backtest(input_of(s), grid, o);
    REQUIRE(r.chosen >= 0);
    nlohmann::ordered_json steps;
    steps["backtest"] = r.to_json(o);
    steps["backtest"]["shown"] = "kde 300 m";
    steps["backtest"]["sentence"] = "Over the last 6 months, maps drawn this way caught 40% (PAI 40).";
    const report::BacktestTable t = report::backtest_table(steps, 300);
    // one row per candidate, then the curve and the note spanning the table
    REQUIRE(t.rows.size() == grid.size() + 2);
    REQUIRE(t.cost.size() == t.rows.size());
    CHECK(t.rows[grid.size()].find("<svg class=\"pai-curve\"") != std::string::npos);
    CHECK(t.rows[grid.size() + 1].find("pooled over 4 origins") != std::string::npos);
    // best first by hit rate at 1%: the first row is the chosen candidate, starred
    CHECK(t.rows[0].find(r.scores[std::size_t(r.chosen)].candidate) != std::string::npos);
    CHECK(t.rows[0].find("\u2605") != std::string::npos);
    for (std::size_t i = 1; i < grid.size(); ++i) CHECK(t.rows[i].find("\u2605") == std::string::npos);
    // the map's own setting in bold, with its hit rate at 1% as the run pooled it
    const auto own = std::find_if(t.rows.begin(), t.rows.end(), [](const std::string& row) { return row.find("<b>kde 300 m</b>") != std::string::npos; });
    REQUIRE(own != t.rows.end());
    char want[32];
    std::snprintf(want, sizeof want, "%.1f%%", r.scores[0].hit_rate[1] * 100);
    CHECK(own->find(want) != std::string::npos);
    CHECK(report::backtest_map_note(steps) == " Out of sample: over the last 6 months, maps drawn this way caught 40% (PAI 40).");
    // skipped: the note says why; no table
    nlohmann::ordered_json skipped;
    skipped["backtest"] = run_backtest(input_of(synthetic(14)), grid, o).to_json(o);
    CHECK(report::backtest_map_note(skipped).find("Not backtested: 14 months") != std::string::npos);
    CHECK(report::backtest_table(skipped, 300).rows.empty());
}

TEST_CASE("backtest wording follows train_months and test_months", "[backtest]") {
    BacktestOptions o;  // the defaults: 12 + 3
    CHECK(o.design() == "train 12 months, test the next 3");
    CHECK(o.trained_on() == "the 12 months before");
    CHECK(o.tested_on() == "the next quarter's");
    o.train_months = 24, o.test_months = 6;
    CHECK(o.design() == "train 24 months, test the next 6");
    CHECK(o.trained_on() == "the 24 months before");
    CHECK(o.tested_on() == "the next 6 months'");
    o.train_months = 1, o.test_months = 1;
    CHECK(o.design() == "train 1 month, test the next month");
    CHECK(o.trained_on() == "the month before");
    CHECK(o.tested_on() == "the next month's");
    // the density step's statement for a backtest-chosen bandwidth takes the same words
    KdeBacktestRecord b;
    b.setting = "kde 100 m", b.shares = {0.01}, b.hit_rate = 0.5, b.pai = 50, b.months = 12;
    b.tested_on = o.tested_on();
    CHECK(backtest_snap_statement(b).find("caught 50% of the next month's incidents in 1% of the area") != std::string::npos);
}
