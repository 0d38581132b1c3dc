#include "hotspot/fdr.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "hotspot/error.hpp"

namespace hotspot {

PAdjust parse_p_adjust(std::string_view name) {
    if (name == "fdr" || name == "bh" || name == "BH") return PAdjust::fdr_bh;
    if (name == "bonferroni") return PAdjust::bonferroni;
    if (name == "none") return PAdjust::none;
    throw UsageError("fdr", "unknown correction '" + std::string(name) +
                                "' (use fdr, bonferroni or none)");
}

std::string_view to_string(PAdjust method) noexcept {
    switch (method) {
    case PAdjust::fdr_bh: return "fdr";
    case PAdjust::bonferroni: return "bonferroni";
    case PAdjust::none: break;
    }
    return "none";
}

std::vector<double> adjust_p_values(std::span<const double> p, PAdjust method) {
    std::vector<std::size_t> order;
    order.reserve(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (std::isnan(p[i])) continue;
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            throw UsageError("fdr", "p-value " + std::to_string(i) + " is " +
                                        std::to_string(p[i]) + ", outside [0, 1]");
        order.push_back(i);
    }
    std::vector<double> out(p.begin(), p.end());
    const double m = double(order.size());
    if (method == PAdjust::none || order.empty()) return out;
    if (method == PAdjust::bonferroni) {
        for (auto i : order) out[i] = std::min(1.0, m * p[i]);
        return out;
    }
    // Benjamini-Hochberg by distinct value: within a run of equal p-values (ranks a..b) the
    // running minimum from the top is set at rank b, and every member of the run gets that
    // value, so it is worked out once per distinct p, with the very expression of the textbook
    // rank-by-rank loop over a stable sort (same bits; tests/unit/stats/test_fdr.cpp compares
    // them). Gi* grids' p-values are mostly a few shared values (exact test: one per local sum
    // and neighbour count), and sorting the values themselves is several times faster than
    // sorting indices by them.
    std::vector<double> values(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) values[k] = p[order[k]];
    std::sort(values.begin(), values.end());
    std::vector<double> distinct, adjusted;
    std::vector<std::size_t> last_rank;  // 1-based rank of each distinct value's last copy
    for (std::size_t k = 0; k < values.size(); ++k)
        if (k + 1 == values.size() || values[k + 1] != values[k]) distinct.push_back(values[k]), last_rank.push_back(k + 1);
    // 0.0 and -0.0 are one run, in no set order after std::sort. The textbook loop meets the
    // run's last row first (stable sort, from the top), and that row's zero, with its sign, is
    // what every member of the run gets.
    if (distinct.front() == 0.0)
        for (const std::size_t i : order)
            if (p[i] == 0.0) distinct.front() = p[i];
    adjusted.resize(distinct.size());
    double running = 1.0;
    for (std::size_t d = distinct.size(); d-- > 0;) {
        const double v = m * distinct[d] / double(last_rank[d]);
        running = std::min(running, v);
        adjusted[d] = std::min(1.0, running);
    }
    for (const std::size_t i : order)
        out[i] = adjusted[std::size_t(std::lower_bound(distinct.begin(), distinct.end(), p[i]) - distinct.begin())];
    return out;
}

} // namespace hotspot
