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
