#include "hotspot/hotspots.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "hotspot/error.hpp"

namespace hotspot {

HotspotOptions HotspotOptions::parse(const std::string& text) {
    HotspotOptions o;
    std::string kind = text, val;
    if (const auto c = text.find(':'); c != std::string::npos) {
        kind = text.substr(0, c);
        val = text.substr(c + 1);
    } else if (text.rfind("top", 0) == 0 && text.size() > 3) {
        kind = "top";
        val = text.substr(3);
    }
    if (kind == "top") o.method = ThresholdMethod::top_percent;
    else if (kind == "sd") o.method = ThresholdMethod::mean_k_sd;
    else if (kind == "value") o.method = ThresholdMethod::fixed;
    else
        throw UsageError("hotspots", "threshold '" + text + "' is not top:PERCENT, sd:K or value:X (e.g. top:5)");
    try {
        std::size_t used = 0;
        o.value = val.empty() ? (o.method == ThresholdMethod::mean_k_sd ? 2.0 : 5.0) : std::stod(val, &used);
        if (!val.empty() && used != val.size()) throw std::invalid_argument(val);
    } catch (const std::exception&) {
        throw UsageError("hotspots", "threshold '" + text + "': '" + val + "' is not a number");
    }
    if (o.method == ThresholdMethod::top_percent && !(o.value > 0 && o.value < 100))
        throw UsageError("hotspots", "top:PERCENT must be between 0 and 100 (got " + val + ")");
    if (!std::isfinite(o.value)) throw UsageError("hotspots", "threshold value must be finite");
    return o;
}

std::string HotspotOptions::describe() const {
    std::ostringstream s;
    switch (method) {
    case ThresholdMethod::top_percent: s << "top " << value << "% of non-zero cells"; break;
    case ThresholdMethod::mean_k_sd: s << "mean + " << value << " sd of non-zero cells"; break;
    case ThresholdMethod::fixed: s << "fixed value " << value; break;
    }
    return s.str();
}

double hotspot_threshold(std::span<const double> surface, const HotspotOptions& o) {
    std::vector<double> nz;
    for (double v : surface)
        if (std::isfinite(v) && v > 0) nz.push_back(v);
    if (o.method == ThresholdMethod::fixed) return o.value;
    if (nz.empty()) return std::numeric_limits<double>::infinity();
    if (o.method == ThresholdMethod::top_percent) {
        std::sort(nz.begin(), nz.end());
        // the value at or above which lie o.value % of the non-zero cells
        const double k = std::floor(double(nz.size()) * (1.0 - o.value / 100.0));
        const std::size_t i = std::min(nz.size() - 1, std::size_t(std::max(0.0, k)));
        return nz[i];
    }
    double sum = 0, sum2 = 0;
    for (double v : nz) sum += v;
    const double mean = sum / double(nz.size());
    for (double v : nz) sum2 += (v - mean) * (v - mean);
    return mean + o.value * std::sqrt(sum2 / double(nz.size()));
}

HotspotResult find_hotspots(const Grid& grid, std::span<const double> surface, std::span<const double> x,
                            std::span<const double> y, double study_area_m2, const HotspotOptions& options) {
    if (surface.size() != std::size_t(grid.size())) throw UsageError("hotspots", "surface and grid differ in size");
    HotspotResult r;
    r.study_area_m2 = study_area_m2;
    r.threshold = hotspot_threshold(surface, options);
    r.labels.assign(surface.size(), 0);
    const std::int64_t cols = grid.cols, rows = grid.rows;
    auto hot = [&](std::int64_t i) { return std::isfinite(surface[std::size_t(i)]) && surface[std::size_t(i)] > 0 && surface[std::size_t(i)] >= r.threshold; };
    // 8-connected flood fill in row-major scan order: labels are deterministic.
    std::int32_t next = 0;
    std::vector<std::int64_t> stack;
    for (std::int64_t i = 0; i < cols * rows; ++i) {
        if (r.labels[std::size_t(i)] || !hot(i)) continue;
        ++next;
        Hotspot h;
        h.label = next;
        h.peak = -1;
        r.labels[std::size_t(i)] = next;
        stack.push_back(i);
        while (!stack.empty()) {
            const std::int64_t c = stack.back();
            stack.pop_back();
            ++h.cells;
            const double v = surface[std::size_t(c)];
            if (v > h.peak) {
                h.peak = v;
                h.centre_x = grid.x_of_col(c % cols);
                h.centre_y = grid.y_of_row(c / cols);
            }
            const std::int64_t cr = c / cols, cc = c % cols;
            for (std::int64_t dr = -1; dr <= 1; ++dr)
                for (std::int64_t dc = -1; dc <= 1; ++dc) {
                    const std::int64_t nr = cr + dr, nc = cc + dc;
                    if ((dr || dc) && nr >= 0 && nc >= 0 && nr < rows && nc < cols) {
                        const std::int64_t n = nr * cols + nc;
                        if (!r.labels[std::size_t(n)] && hot(n)) {
                            r.labels[std::size_t(n)] = next;
                            stack.push_back(n);
                        }
                    }
                }
        }
        h.area_m2 = double(h.cells) * grid.cell_area_m2();
        r.hotspots.push_back(h);
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::int64_t c = grid.col_of(x[i]), rr = grid.row_of(y[i]);
        if (!grid.in_grid(c, rr)) continue;
        const std::int32_t l = r.labels[std::size_t(rr * cols + c)];
        if (l) ++r.hotspots[std::size_t(l - 1)].incidents;
    }
    for (auto& h : r.hotspots) {
        h.share = x.empty() ? 0 : double(h.incidents) / double(x.size());
        h.pai = study_area_m2 > 0 && h.area_m2 > 0 ? h.share / (h.area_m2 / study_area_m2) : 0;
    }
    std::sort(r.hotspots.begin(), r.hotspots.end(), [](const Hotspot& a, const Hotspot& b) {
        if (a.incidents != b.incidents) return a.incidents > b.incidents;
        if (a.pai != b.pai) return a.pai > b.pai;
        return a.label < b.label;
    });
    for (std::size_t k = 0; k < r.hotspots.size(); ++k) r.hotspots[k].rank = std::int32_t(k + 1);
    return r;
}

} // namespace hotspot
