// Benchmark of evaluate's core (issue 16: 1M incidents and a 1000 x 1000 surface under 1 s):
//   bench_evaluate
// 1M incidents binned to a 1000 x 1000 grid of 10 m cells, a surface with ties (values rounded
// to 3 significant digits, a quarter of the cells 0), evaluate_surface at 5 shares with the
// 101-point curve, and hits_at_shares (the backtest's ranking of the top 5% only).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

#include "hotspot/evaluate.hpp"
#include "hotspot/grid.hpp"

using namespace hotspot;
using Clock = std::chrono::steady_clock;

int main() {
    const Grid g{400000, 310000, 10, 1000, 1000};
    std::mt19937_64 rng(1);
    std::normal_distribution<double> nx(405000, 1500), ny(305000, 1500);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> surface(std::size_t(g.size())), counts(std::size_t(g.size()), 0.0);
    for (std::int64_t r = 0; r < g.rows; ++r)
        for (std::int64_t c = 0; c < g.cols; ++c) {
            const double d = std::hypot(g.x_of_col(c) - 405000, g.y_of_row(r) - 305000);
            const double v = u(rng) < 0.25 ? 0.0 : std::exp(-d / 2000) * (0.5 + u(rng));
            surface[std::size_t(r * g.cols + c)] = v > 0 ? std::round(v * 1000) / 1000 : 0.0;
        }
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    for (int i = 0; i < 1'000'000; ++i) {
        const auto c = g.col_of(nx(rng)), r = g.row_of(ny(rng));
        if (g.in_grid(c, r)) counts[std::size_t(r * g.cols + c)] += 1;
    }
    const double bin_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto t1 = Clock::now();
    const std::clock_t c1 = std::clock();
    const ForecastEvaluation e = evaluate_surface(surface, counts, {}, EvaluationOptions{});
    const double eval_s = std::chrono::duration<double>(Clock::now() - t1).count();
    const double eval_cpu = double(std::clock() - c1) / CLOCKS_PER_SEC;
    const auto t2 = Clock::now();
    const std::vector<double> shares{0.005, 0.01, 0.02, 0.05};
    const auto h = hits_at_shares(surface, counts, shares);
    const double top_s = std::chrono::duration<double>(Clock::now() - t2).count();
    std::printf("evaluate: 1M incidents binned in %.3f s; evaluate_surface 1000x1000 (%zu tied cells), 5 shares + "
                "101-point curve: %.3f s wall, %.3f s CPU (hit rate at 1%%: %.4f); hits_at_shares 4 shares: %.3f s; "
                "total CPU %.3f s\n",
                bin_s, e.tied_cells, eval_s, eval_cpu, e.at_shares[1].hit_rate, top_s,
                double(std::clock() - c0) / CLOCKS_PER_SEC);
    return h[1] == e.at_shares[1].hits ? 0 : 1;
}
