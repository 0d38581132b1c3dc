#include "permutation.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include "hotspot/error.hpp"

namespace hotspot::detail {

unsigned resolve_threads(unsigned requested) noexcept {
    if (requested > 0) return requested;
    return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<double> permutation_p_values(std::span<const double> x, const SpatialWeights& w,
                                         int permutations, std::uint64_t seed, unsigned threads,
                                         const Progress& progress, const char* unit,
                                         std::span<const std::uint8_t> skip, int stop_after) {
    const std::size_t n = x.size();
    std::vector<double> p(n, std::numeric_limits<double>::quiet_NaN());
    if (n < 2 || permutations <= 0) return p;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t others = w.cardinality(i);
        for (auto j : w.neighbours_of(i))
            if (std::size_t(j) == i) --others;
        if (others > n - 1)
            throw UsageError(unit, "observation " + std::to_string(i) + " has " +
                                       std::to_string(others) + " neighbours but only " +
                                       std::to_string(n - 1) +
                                       " other values to permute; use a smaller band");
    }
    const unsigned nthreads = unsigned(std::min<std::size_t>(resolve_threads(threads), n));
    // Work is handed out in blocks through an atomic counter (load balance); the result of
    // an observation depends only on its own stream, so the assignment does not matter.
    constexpr std::size_t block = 256;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<bool> cancelled{false};
    const double r1 = double(permutations) + 1.0;

    auto worker = [&](bool reporter) {
        std::vector<std::uint32_t> stamp(n, 0);
        std::uint32_t generation = 0;
        std::vector<double> other_w;
        while (!cancelled.load(std::memory_order_relaxed)) {
            const std::size_t start = next.fetch_add(block);
            if (start >= n) break;
            const std::size_t end = std::min(n, start + block);
            for (std::size_t i = start; i < end; ++i) {
                if (!skip.empty() && skip[i]) {
                    p[i] = 1.0;
                    continue;
                }
                double self_part = 0, observed = 0;
                other_w.clear();
                const auto nbs = w.neighbours_of(i);
                const auto ws = w.weights_of(i);
                for (std::size_t k = 0; k < nbs.size(); ++k) {
                    observed += ws[k] * x[std::size_t(nbs[k])];
                    if (std::size_t(nbs[k]) == i) self_part += ws[k] * x[i];
                    else other_w.push_back(ws[k]);
                }
                const double eps = 1e-12 * (std::abs(observed) + 1.0);
                Xoshiro256 rng(observation_seed(seed, i));
                std::size_t ge = 0, le = 0;
                const auto bound = std::uint32_t(n - 1);
                const auto h = std::size_t(std::max(0, stop_after));
                bool stopped = false;
                for (int r = 0; r < permutations; ++r) {
                    if (++generation == 0) { // wrapped: clear the marks
                        std::fill(stamp.begin(), stamp.end(), 0u);
                        generation = 1;
                    }
                    stamp[i] = generation;
                    double lag = self_part;
                    for (const double wk : other_w) {
                        std::uint32_t j;
                        do {
                            j = rng.below(bound);
                            if (j >= i) ++j; // skip i itself
                        } while (stamp[j] == generation);
                        stamp[j] = generation;
                        lag += wk * x[j];
                    }
                    ge += lag >= observed - eps;
                    le += lag <= observed + eps;
                    if (h > 0 && ge >= h && le >= h) {  // Besag & Clifford: h on each side
                        p[i] = std::min(1.0, 2.0 * double(h) / double(r + 1));
                        stopped = true;
                        break;
                    }
                }
                if (!stopped) p[i] = std::min(1.0, 2.0 * double(std::min(ge, le) + 1) / r1);
            }
            const std::size_t d = done.fetch_add(end - start) + (end - start);
            if (reporter && !progress(double(d) / double(n), unit)) cancelled = true;
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < nthreads; ++t) pool.emplace_back(worker, false);
    worker(true);
    for (auto& t : pool) t.join();
    if (cancelled) throw Cancelled(unit);
    return p;
}

} // namespace hotspot::detail
