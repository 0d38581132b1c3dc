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
    // value, so it is worked out once per distinct p, with the very expression of the rank-by-rank
    // loop below (same bits). Gi* grids' p-values are mostly a few shared values (exact test:
    // one per local sum and neighbour count), and sorting the values themselves is several times
    // faster than sorting indices by them. A -0.0 takes the loop below (its sign is kept there).
    if (std::none_of(order.begin(), order.end(), [&](std::size_t i) { return p[i] == 0.0 && std::signbit(p[i]); })) {
        std::vector<double> values(order.size());
        for (std::size_t k = 0; k < order.size(); ++k) values[k] = p[order[k]];
        std::sort(values.begin(), values.end());
        std::vector<double> distinct, adjusted;
        std::vector<std::size_t> last_rank;  // 1-based rank of each distinct value's last copy
        for (std::size_t k = 0; k < values.size(); ++k)
            if (k + 1 == values.size() || values[k + 1] != values[k]) distinct.push_back(values[k]), last_rank.push_back(k + 1);
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
    // Stable sort so ties keep a deterministic order (ties get the same adjusted value anyway,
    // because the running minimum from the top makes them equal).
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    double running = 1.0;
    for (std::size_t k = order.size(); k-- > 0;) {
        const double v = m * p[order[k]] / double(k + 1);
        running = std::min(running, v);
        out[order[k]] = std::min(1.0, running);
    }
    return out;
}

} // namespace hotspot
