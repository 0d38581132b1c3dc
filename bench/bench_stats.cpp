// Benchmark of the statistics cores (not part of the test suite):
//   bench_stats [threads]
// 1. analytic Gi* on a 1000 x 1000 grid of 10 m cells, 150 m band (~709 neighbours);
// 2. 999 conditional permutations on ~100,000 cells x ~29 neighbours;
// 3. when Rscript with spdep is installed: spdep localG on a 300 x 300 grid with the same
//    band, and the engine on the same grid, for a ratio (the full 1M-cell grid with 700
//    neighbours per cell is beyond spdep's nb lists in memory and time).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "hotspot/gistar.hpp"

using namespace hotspot;
using Clock = std::chrono::steady_clock;

namespace {
std::vector<double> poisson_counts(const Grid& g, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::poisson_distribution<int> base(0.5), hot(3.0);
    std::vector<double> x(std::size_t(g.size()));
    for (std::int64_t r = 0; r < g.rows; ++r)
        for (std::int64_t c = 0; c < g.cols; ++c) {
            const bool in = std::hypot(double(c - g.cols / 3), double(r - g.rows / 2)) < double(g.cols) / 20;
            x[std::size_t(r * g.cols + c)] = in ? hot(rng) : base(rng);
        }
    return x;
}
double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}
} // namespace

int main(int argc, char** argv) {
    const unsigned threads = argc > 1 ? unsigned(std::atoi(argv[1])) : 2u;
    {
        const Grid g{400000, 310000, 10, 1000, 1000};
        const auto x = poisson_counts(g, 1);
        GiStarOptions o;
        o.band_m = 150;
        o.threads = threads;
        gistar_grid(g, x, o); // warm-up
        const auto t = Clock::now();
        const auto r = gistar_grid(g, x, o);
        std::printf("gistar analytic 1000x1000 cells, 10 m, band 150 m (%d neighbours), %u threads: %.3f s\n",
                    r.neighbour_count[500500], threads, seconds_since(t));
    }
    {
        const Grid g{0, 3160, 10, 316, 316};
        const auto x = poisson_counts(g, 2);
        GiStarOptions o;
        o.band_m = 30;
        o.permutations = 999;
        o.threads = threads;
        const auto t = Clock::now();
        const auto r = gistar_grid(g, x, o);
        std::printf("gistar 999 permutations, %lld cells x %d neighbours, %u threads: %.2f s\n",
                    static_cast<long long>(g.size()), r.neighbour_count[std::size_t(150 * 316 + 150)], threads,
                    seconds_since(t));
    }
    if (std::system("Rscript -e 'suppressMessages(library(spdep))' >/dev/null 2>&1") == 0) {
        const Grid g{0, 3000, 10, 300, 300};
        const auto x = poisson_counts(g, 3);
        const std::string csv = "/tmp/hotspot_bench_counts.csv";
        {
            std::ofstream f(csv);
            f << "x,y,count\n";
            for (std::int64_t r = 0; r < g.rows; ++r)
                for (std::int64_t c = 0; c < g.cols; ++c)
                    f << g.x_of_col(c) << ',' << g.y_of_row(r) << ',' << x[std::size_t(r * g.cols + c)] << '\n';
        }
        GiStarOptions o;
        o.band_m = 150;
        o.threads = threads;
        auto t = Clock::now();
        gistar_grid(g, x, o);
        const double ours = seconds_since(t);
        const std::string cmd =
            "Rscript -e 'suppressMessages(library(spdep)); d <- read.csv(\"" + csv +
            "\"); t <- system.time({nb <- include.self(dnearneigh(cbind(d$x, d$y), 0, 150)); "
            "z <- localG(d$count, nb2listw(nb, style = \"B\"))}); cat(t[[\"elapsed\"]])'";
        t = Clock::now();
        FILE* p = popen(cmd.c_str(), "r");
        char buf[64] = {0};
        const bool ok = p && std::fgets(buf, sizeof buf, p);
        if (p) pclose(p);
        const double r_total = seconds_since(t);
        if (ok) {
            const double r_s = std::atof(buf);
            std::printf("spdep localG (dnearneigh+include.self+nb2listw B) 300x300 cells, band 150 m: "
                        "%.2f s (R process %.2f s); engine same grid: %.4f s; ratio %.0fx\n",
                        r_s, r_total, ours, r_s / ours);
        }
    } else {
        std::printf("spdep comparison skipped: Rscript with spdep not found\n");
    }
}
