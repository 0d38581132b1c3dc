// Hot spots from a density surface (hotspots.hpp): threshold by share of the study area,
// steepest-ascent watershed from the peaks, a cap on each region's area, a minimum count.

#include "hotspot/hotspots.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "hotspot/error.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "hotspots";

std::string shown(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

} // namespace

void HotspotOptions::set_threshold(const std::string& text) {
    std::string kind = text, val;
    if (const auto c = text.find(':'); c != std::string::npos) {
        kind = text.substr(0, c);
        val = text.substr(c + 1);
    } else if (text.rfind("top", 0) == 0 && text.size() > 3) {
        kind = "top";
        val = text.substr(3);
    }
    if (kind == "area") method = ThresholdMethod::area_share;
    else if (kind == "top") method = ThresholdMethod::top_percent;
    else if (kind == "sd") method = ThresholdMethod::mean_k_sd;
    else if (kind == "value") method = ThresholdMethod::fixed;
    else
        throw UsageError(unit, "threshold '" + text +
                                   "' is not area:PERCENT, top:PERCENT, sd:K or value:X (e.g. area:1, the densest "
                                   "1% of the study area)");
    try {
        std::size_t used = 0;
        const double fallback = method == ThresholdMethod::mean_k_sd ? 2.0 : method == ThresholdMethod::area_share ? 1.0 : 5.0;
        value = val.empty() ? fallback : std::stod(val, &used);
        if (!val.empty() && used != val.size()) throw std::invalid_argument(val);
    } catch (const std::exception&) {
        throw UsageError(unit, "threshold '" + text + "': '" + val + "' is not a number");
    }
    if (!std::isfinite(value)) throw UsageError(unit, "threshold value must be finite");
    if ((method == ThresholdMethod::top_percent || method == ThresholdMethod::area_share) && !(value > 0 && value < 100))
        throw UsageError(unit, std::string(method == ThresholdMethod::top_percent ? "top" : "area") +
                                   ":PERCENT must be between 0 and 100 (got " + val + ")");
}

HotspotOptions HotspotOptions::parse(const std::string& text) {
    HotspotOptions o;
    o.set_threshold(text);
    return o;
}

std::string HotspotOptions::threshold_text() const {
    switch (method) {
    case ThresholdMethod::area_share: return "area:" + shown(value);
    case ThresholdMethod::top_percent: return "top:" + shown(value);
    case ThresholdMethod::mean_k_sd: return "sd:" + shown(value);
    case ThresholdMethod::fixed: break;
    }
    return "value:" + shown(value);
}

std::string HotspotOptions::describe() const {
    switch (method) {
    case ThresholdMethod::area_share: return "densest " + shown(value) + "% of the study area";
    case ThresholdMethod::top_percent: return "top " + shown(value) + "% of non-zero cells";
    case ThresholdMethod::mean_k_sd: return "mean + " + shown(value) + " sd of non-zero cells";
    case ThresholdMethod::fixed: break;
    }
    return "fixed value " + shown(value);
}

void HotspotOptions::validate() const {
    (void)parse(threshold_text());
    if (!(std::isfinite(max_area_m2) && max_area_m2 > 0))
        throw UsageError(unit, "maximum area must be > 0 m² (got " + shown(max_area_m2) + ")");
    if (!(min_saddle_drop >= 0 && min_saddle_drop <= 1))
        throw UsageError(unit, "saddle drop must be between 0 and 1 (got " + shown(min_saddle_drop) + ")");
    if (max_numbered < 0) throw UsageError(unit, "maximum numbered must be >= 0 (got " + std::to_string(max_numbered) + ")");
}

double hotspot_threshold(std::span<const double> surface, const HotspotOptions& o, double study_area_m2,
                         double cell_area_m2) {
    if (o.method == ThresholdMethod::fixed) return o.value;
    std::vector<double> nz;
    std::size_t finite = 0;
    for (double v : surface)
        if (std::isfinite(v)) {
            ++finite;
            if (v > 0) nz.push_back(v);
        }
    if (nz.empty()) return std::numeric_limits<double>::infinity();
    if (o.method == ThresholdMethod::area_share) {
        const double area = study_area_m2 > 0 ? study_area_m2 : double(finite) * cell_area_m2;
        const double k = cell_area_m2 > 0 ? std::round(o.value / 100.0 * area / cell_area_m2) : 0;
        const std::size_t kk = std::size_t(std::clamp(k, 1.0, double(nz.size())));
        std::nth_element(nz.begin(), nz.begin() + std::ptrdiff_t(kk - 1), nz.end(), std::greater<>());
        return nz[kk - 1];
    }
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

double HotspotResult::total_area_m2() const noexcept {
    double a = 0;
    for (const auto& h : hotspots) a += h.area_m2;
    return a;
}

std::uint64_t HotspotResult::total_incidents() const noexcept {
    std::uint64_t n = 0;
    for (const auto& h : hotspots) n += h.incidents;
    return n;
}

HotspotResult find_hotspots(const Grid& grid, std::span<const double> surface, std::span<const double> x,
                            std::span<const double> y, double study_area_m2, const HotspotOptions& options) {
    options.validate();
    if (surface.size() != std::size_t(grid.size())) throw UsageError(unit, "surface and grid differ in size");
    if (x.size() != y.size()) throw UsageError(unit, "x and y differ in size");
    const double cell_area = grid.cell_area_m2();
    const auto cap_cells = std::int64_t(std::floor(options.max_area_m2 / cell_area + 1e-9));
    if (cap_cells < 1)
        throw UsageError(unit, "maximum area " + shown(options.max_area_m2) + " m² is smaller than one " +
                                   shown(grid.cell_size_m) + " m cell; raise it or use smaller cells");
    HotspotResult r;
    if (study_area_m2 <= 0)
        for (double v : surface)
            if (std::isfinite(v)) study_area_m2 += cell_area;
    r.study_area_m2 = study_area_m2;
    r.incidents = x.size();
    r.threshold = hotspot_threshold(surface, options, study_area_m2, cell_area);
    const std::int64_t cols = grid.cols, rows = grid.rows;

    // ---- watershed: cells from the densest down, each joins its densest taken neighbour
    std::vector<std::int64_t> order;
    for (std::int64_t i = 0; i < grid.size(); ++i) {
        const double v = surface[std::size_t(i)];
        if (std::isfinite(v) && v > 0 && v >= r.threshold) order.push_back(i);
    }
    r.hot_area_m2 = double(order.size()) * cell_area;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::int64_t a, std::int64_t b) { return surface[std::size_t(a)] > surface[std::size_t(b)]; });
    // basin: 0 = not taken yet; >0 = region id, in the hot spot; <0 = -region id, in the
    // region's catchment but beyond its area cap (not in the hot spot).
    std::vector<std::int32_t> basin(surface.size(), 0);
    std::vector<std::int64_t> taken_cells{0};  // per region id: cells in the hot spot
    std::vector<std::int64_t> peak_of{0};
    std::vector<std::uint8_t> cut{0};
    std::vector<std::int32_t> parent{0};       // union-find: regions merged across a shallow saddle
    const auto find = [&parent](std::int32_t id) {
        while (parent[std::size_t(id)] != id) id = parent[std::size_t(id)] = parent[std::size_t(parent[std::size_t(id)])];
        return id;
    };
    std::vector<std::int32_t> touching;
    for (const std::int64_t c : order) {
        const std::int64_t cr = c / cols, cc = c % cols;
        std::int64_t best = -1;
        touching.clear();
        for (std::int64_t dr = -1; dr <= 1; ++dr)
            for (std::int64_t dc = -1; dc <= 1; ++dc) {
                const std::int64_t nr = cr + dr, nc = cc + dc;
                if ((dr || dc) && nr >= 0 && nc >= 0 && nr < rows && nc < cols) {
                    const std::int64_t n = nr * cols + nc;
                    const std::int32_t b = basin[std::size_t(n)];
                    if (b == 0) continue;
                    if (b > 0) touching.push_back(find(b));
                    // densest neighbour; equal values: the one taken first (lower index)
                    if (best < 0 || surface[std::size_t(n)] > surface[std::size_t(best)] ||
                        (surface[std::size_t(n)] == surface[std::size_t(best)] && n < best))
                        best = n;
                }
            }
        if (best < 0) {
            const auto id = std::int32_t(taken_cells.size());
            taken_cells.push_back(1);
            peak_of.push_back(c);
            cut.push_back(0);
            parent.push_back(id);
            basin[std::size_t(c)] = id;
            continue;
        }
        // c is a saddle between the regions it touches: one whose peak stands less than
        // min_saddle_drop above it is a shoulder of the higher one, merged while both fit the cap.
        const double v = surface[std::size_t(c)];
        for (std::size_t i = 0; i < touching.size(); ++i)
            for (std::size_t j = i + 1; j < touching.size(); ++j) {
                std::int32_t a = find(touching[i]), b = find(touching[j]);
                if (a == b) continue;
                const double pa = surface[std::size_t(peak_of[std::size_t(a)])], pb = surface[std::size_t(peak_of[std::size_t(b)])];
                if (pa < pb || (pa == pb && peak_of[std::size_t(a)] > peak_of[std::size_t(b)])) std::swap(a, b);  // b: the lower
                if (pb - v < options.min_saddle_drop * pb &&
                    taken_cells[std::size_t(a)] + taken_cells[std::size_t(b)] <= cap_cells) {
                    parent[std::size_t(b)] = a;
                    taken_cells[std::size_t(a)] += taken_cells[std::size_t(b)];
                    cut[std::size_t(a)] = std::uint8_t(cut[std::size_t(a)] | cut[std::size_t(b)]);
                }
            }
        const std::int32_t b = basin[std::size_t(best)];
        const std::int32_t id = find(b > 0 ? b : -b);
        if (b > 0 && taken_cells[std::size_t(id)] < cap_cells) {
            ++taken_cells[std::size_t(id)];
            basin[std::size_t(c)] = id;
        } else {
            cut[std::size_t(id)] = 1;
            basin[std::size_t(c)] = -id;
        }
    }
    // every cell to its region's root; roots renumbered 1..regions in order of their peaks
    std::vector<std::int32_t> root_id(taken_cells.size(), 0);
    std::int32_t next = 0;
    for (std::size_t id = 1; id < taken_cells.size(); ++id)
        if (find(std::int32_t(id)) == std::int32_t(id)) root_id[id] = ++next;
    {
        std::vector<std::int64_t> t2(std::size_t(next) + 1, 0), p2(std::size_t(next) + 1, 0);
        std::vector<std::uint8_t> c2(std::size_t(next) + 1, 0);
        for (std::size_t id = 1; id < taken_cells.size(); ++id)
            if (const std::int32_t k = root_id[id]) t2[std::size_t(k)] = taken_cells[id], p2[std::size_t(k)] = peak_of[id], c2[std::size_t(k)] = cut[id];
        for (auto& b : basin)
            if (b) b = b > 0 ? root_id[std::size_t(find(b))] : -root_id[std::size_t(find(-b))];
        taken_cells = std::move(t2);
        peak_of = std::move(p2);
        cut = std::move(c2);
    }
    const std::size_t regions = taken_cells.size() - 1;
    r.regions = std::int64_t(regions);

    // ---- incidents per region, then drop the small ones and rank
    std::vector<std::uint64_t> count(regions + 1, 0);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::int64_t c = grid.col_of(x[i]), rr = grid.row_of(y[i]);
        if (!grid.in_grid(c, rr)) continue;
        if (const std::int32_t b = basin[std::size_t(rr * cols + c)]; b > 0) ++count[std::size_t(b)];
    }
    std::vector<Hotspot> kept;
    for (std::size_t id = 1; id <= regions; ++id) {
        if (count[id] < options.min_incidents || count[id] == 0) {
            ++r.dropped_small;
            continue;
        }
        Hotspot h;
        h.label = std::int32_t(id);  // region id until relabelled by rank
        h.cells = taken_cells[id];
        h.area_m2 = double(h.cells) * cell_area;
        h.incidents = count[id];
        h.share = x.empty() ? 0 : double(h.incidents) / double(x.size());
        h.pai = study_area_m2 > 0 ? h.share / (h.area_m2 / study_area_m2) : 0;
        h.peak_cell = peak_of[id];
        h.peak = surface[std::size_t(h.peak_cell)];
        h.centre_x = grid.x_of_col(h.peak_cell % cols);
        h.centre_y = grid.y_of_row(h.peak_cell / cols);
        h.cut = cut[id] != 0;
        kept.push_back(h);
    }
    std::sort(kept.begin(), kept.end(), [](const Hotspot& a, const Hotspot& b) {
        if (a.incidents != b.incidents) return a.incidents > b.incidents;
        if (a.pai != b.pai) return a.pai > b.pai;
        return a.peak_cell < b.peak_cell;
    });
    std::vector<std::int32_t> relabel(regions + 1, 0);
    for (std::size_t k = 0; k < kept.size(); ++k) {
        relabel[std::size_t(kept[k].label)] = std::int32_t(k + 1);
        kept[k].label = kept[k].rank = std::int32_t(k + 1);
        kept[k].numbered = kept[k].rank <= options.max_numbered;
    }
    // the labels in the basin's own cells (a second grid-sized array is first-touched memory)
    for (auto& b : basin) b = b > 0 ? relabel[std::size_t(b)] : 0;
    r.labels = std::move(basin);
    r.hotspots = std::move(kept);
    return r;
}

} // namespace hotspot
