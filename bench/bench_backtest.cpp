// Benchmark of the rolling-origin backtest (issue 16: a Leicestershire backtest over 24 origins
// and 12 candidate settings under 30 s):
//   bench_backtest FOLDER_OF_POLICE_UK_CSVS [train_months=3] [test_months=3] [repeats=3]
// Reads every police.uk street-level file of the folder (all crime), 50 m cells over the
// extent of the central 99.8% of incidents on each axis (the few rows police.uk places far
// outside the force would otherwise make the grid hundreds of km wide: the run uses its study
// area instead), every cell ranked (no study mask), and runs default_backtest_grid(kde 250 m) =
// 12 candidates. The 29 shared months
// give 24 origins with a 3-month training window (29 - 3 - 3 + 1); the run's default (12 + 3)
// gives 15. Prints each repeat's wall time and the median.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "hotspot/backtest.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/kde.hpp"

using namespace hotspot;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_backtest FOLDER [train_months] [test_months] [repeats]\n");
        return 2;
    }
    ReadOptions ro;
    ro.paths = {argv[1]};
    const auto t0 = Clock::now();
    const ReadResult rr = read_incidents(ro);
    const double read_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const IncidentTable& inc = rr.incidents;
    std::vector<double> x, y;
    std::vector<int> month;
    for (std::size_t i = 0; i < inc.size(); ++i) {
        if (inc.date_days[i] == no_date) continue;
        const std::int32_t ymd = civil_from_days(inc.date_days[i]);
        x.push_back(inc.x[i]), y.push_back(inc.y[i]), month.push_back((ymd / 10000) * 12 + (ymd / 100 % 100) - 1);
    }
    // The central 99.8% on each axis (see the header); rows outside are dropped, and counted.
    const auto cut = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return std::pair{v[v.size() / 1000], v[v.size() - 1 - v.size() / 1000]};
    };
    const auto [x0, x1] = cut(x);
    const auto [y0, y1] = cut(y);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i] >= x0 && x[i] <= x1 && y[i] >= y0 && y[i] <= y1) x[kept] = x[i], y[kept] = y[i], month[kept] = month[i], ++kept;
    const std::size_t dropped = x.size() - kept;
    x.resize(kept), y.resize(kept), month.resize(kept);
    BacktestOptions o;
    o.train_months = argc > 2 ? std::atoi(argv[2]) : 3;
    o.test_months = argc > 3 ? std::atoi(argv[3]) : 3;
    const int repeats = argc > 4 ? std::atoi(argv[4]) : 3;
    o.kde.threads = 0;
    Bounds b;
    for (std::size_t i = 0; i < x.size(); ++i) b.add(x[i], y[i]);
    KdeOptions g = o.kde;
    g.bandwidth_m = 50;
    g.cell_size_m = 50;
    BacktestInput in;
    in.x = x, in.y = y, in.month = month;
    in.grid = kde_grid(b, g);
    BacktestCandidate current;
    current.bandwidth_m = 250;
    const auto grid = default_backtest_grid(current);
    std::vector<double> wall;
    BacktestResult r;
    for (int k = 0; k < repeats; ++k) {
        const auto t = Clock::now();
        const std::clock_t c = std::clock();
        r = run_backtest(in, grid, o);
        wall.push_back(std::chrono::duration<double>(Clock::now() - t).count());
        std::printf("repeat %d: %.2f s wall, %.2f s CPU\n", k + 1, wall.back(), double(std::clock() - c) / CLOCKS_PER_SEC);
    }
    std::sort(wall.begin(), wall.end());
    std::printf("backtest: %zu incidents (%zu outside the central 99.8%% dropped; read in %.1f s), grid %lld x %lld cells of 50 m, %zu origins (train %d, test %d "
                "months), %zu candidates; median %.2f s wall of %d; chosen %s\n",
                x.size(), dropped, read_s, static_cast<long long>(in.grid.cols), static_cast<long long>(in.grid.rows),
                r.origins.size(), o.train_months, o.test_months, grid.size(), wall[wall.size() / 2], repeats,
                r.chosen >= 0 ? r.scores[std::size_t(r.chosen)].candidate.c_str() : "none");
    return r.origins.size() > 0 ? 0 : 1;
}
