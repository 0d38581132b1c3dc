// Heat map classes by share of the study area, with a floor on the incidents that contribute
// (heat_classes.hpp).

#include "hotspot/heat_classes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "hotspot/distinct_points.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "heat classes";
/// A class covering less of the study area than this is merged into its darker neighbour.
constexpr double min_class_share = 0.001;

std::string percent(double share) {
    const double p = 100.0 * share;
    if (p > 0 && p < 9.95) return util::fixed(p, 1) + "%";
    return util::fixed(p, 0) + "%";
}

std::string with_units(const std::string& text, const std::string& units) {
    return units.empty() ? text : text + " " + units;
}

} // namespace

void HeatClassOptions::validate() const {
    for (double s : area_shares)
        if (!(s > 0 && s < 1))
            throw UsageError(unit, "an area share must lie between 0 and 1 (got " + util::num(s) + ")");
    if (min_incidents < 1)
        throw UsageError(unit, "the minimum incidents for a shaded cell must be >= 1 (got " +
                                   std::to_string(min_incidents) + ")");
}

double round_significant(double v, int digits, bool up) {
    if (!std::isfinite(v) || v == 0) return v;
    const double e = std::floor(std::log10(std::abs(v))) - double(digits - 1);
    const double m = std::pow(10.0, e);
    const double q = v / m;
    // 1e-9 absorbs the representation error of v / m (e.g. 0.29 / 0.01 = 28.999999999999996)
    const double r = up ? std::ceil(q - 1e-9) : std::round(q);
    return e < 0 ? r / std::pow(10.0, -e) : r * m;
}

std::string format_break(double v) {
    if (!std::isfinite(v)) return "";
    const double r = round_significant(v, 2);
    if (r == 0) return "0";
    const int e = int(std::floor(std::log10(std::abs(r))));
    if (e >= 1) {
        const std::string s = util::thousands(std::uint64_t(std::llround(std::abs(r))));
        return r < 0 ? "-" + s : s;
    }
    return util::fixed(r, 1 - e);
}

std::vector<double> HeatClasses::breaks() const {
    std::vector<double> b;
    if (classes.empty()) return b;
    b.push_back(floor);
    for (const auto& c : classes) b.push_back(c.upper);
    return b;
}

namespace {

/// incidents_within()'s counts one row at a time: `row_fn(r, counts)` for r = 0 .. rows-1 in
/// order, `counts` the row's cols counts (valid until the call returns). Only a row's worth of
/// counts is held, not the grid's (a force's 25 m grid: 35 MB a profile, first-touched).
/// Each incident adds 1 to one run of columns per row its circle meets (+1 where the run
/// starts, -1 after it ends, unsigned, so modulo 2^32, which the running sum undoes exactly);
/// the incidents are taken in the order of their own rows, so each row sees those within the
/// radius of it. Integer sums: the counts do not depend on the order.
template <class RowFn>
void for_each_reach_row(const Grid& grid, std::span<const double> x, std::span<const double> y, double radius_m,
                        RowFn&& row_fn) {
    if (x.size() != y.size()) throw UsageError(unit, "x and y differ in length");
    if (!(radius_m >= 0) || !std::isfinite(radius_m))
        throw UsageError(unit, "the support radius must be a finite distance >= 0 (got " + util::num(radius_m) + ")");
    const auto cols = grid.cols;
    const double r2 = radius_m * radius_m;
    const auto span_cells = std::int64_t(std::ceil(radius_m / grid.cell_size_m)) + 1;
    // Each distinct location once, counted as many times as it has incidents (snap points:
    // distinct_points.hpp); the counts add modulo 2^32 as the ones did.
    DistinctPoints at;
    if (!mostly_distinct(x, y)) {
        at = distinct_points(x, y, false);
        x = at.x;
        y = at.y;
    }
    struct Site {
        std::int64_t r0, c0;
        double x, y;
        std::uint32_t times;
    };
    std::vector<Site> sites;
    sites.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        const auto c0 = std::int64_t(std::floor((x[i] - grid.origin_x) / grid.cell_size_m));
        const auto r0 = std::int64_t(std::floor((grid.origin_y - y[i]) / grid.cell_size_m));
        // rows and columns a cell of the incident's box may take (the box bounds every cell
        // within the radius): none in the grid, nothing to add
        if (r0 + span_cells < 0 || r0 - span_cells > grid.rows - 1) continue;
        if (c0 + span_cells < 0 || c0 - span_cells > cols - 1) continue;
        sites.push_back({r0, c0, x[i], y[i], at.count.empty() ? 1u : at.count[i]});
    }
    // in order of row, by counting (r0 lies in [-span_cells, rows + span_cells)): O(n + rows),
    // where a comparison sort of a million distinct points cost a tenth of a second; a radius
    // of many grids (more buckets than sites and rows) sorts instead (the order within a row
    // does not matter: integer sums)
    const std::size_t buckets = std::size_t(grid.rows + 2 * span_cells + 1);
    if (buckets > 2 * (sites.size() + std::size_t(grid.rows)) + 1024) {
        std::sort(sites.begin(), sites.end(), [](const Site& a, const Site& b) { return a.r0 < b.r0; });
    } else {
        std::vector<std::size_t> start(buckets + 1, 0);
        for (const Site& t : sites) ++start[std::size_t(t.r0 + span_cells) + 1];
        for (std::size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
        std::vector<Site> by_row(sites.size());
        for (const Site& t : sites) by_row[start[std::size_t(t.r0 + span_cells)]++] = t;
        sites = std::move(by_row);
    }
    std::vector<std::uint32_t> diff(static_cast<std::size_t>(cols + 1));
    std::vector<std::uint32_t> counts(static_cast<std::size_t>(cols));
    std::size_t first = 0, last = 0;  // the sites with r0 in [r - span_cells, r + span_cells]
    for (std::int64_t r = 0; r < grid.rows; ++r) {
        while (first < sites.size() && sites[first].r0 < r - span_cells) ++first;
        while (last < sites.size() && sites[last].r0 <= r + span_cells) ++last;
        std::fill(diff.begin(), diff.end(), 0u);
        const double yr = grid.y_of_row(r);
        for (std::size_t k = first; k < last; ++k) {
            const Site& s = sites[k];
            const std::int64_t cmin = std::max<std::int64_t>(0, s.c0 - span_cells), cmax = std::min(cols - 1, s.c0 + span_cells);
            const double xi = s.x;
            const double dy = yr - s.y;
            const double dy2 = dy * dy;
            const auto inside = [&](std::int64_t c) {
                const double dx = grid.x_of_col(c) - xi;
                return dx * dx + dy2 < r2;
            };
            if (!(dy2 < r2)) continue;
            // The run [lo, hi] of columns with inside(c): the test grows with |x_of_col(c) - x|,
            // and every step of it rounds monotonically, so the run has no gaps. Start from the
            // square root's estimate and move each end until the exact test settles it.
            const double w = std::sqrt(r2 - dy2);
            auto lo = std::int64_t(std::ceil((xi - w - grid.origin_x) / grid.cell_size_m - 0.5));
            auto hi = std::int64_t(std::floor((xi + w - grid.origin_x) / grid.cell_size_m - 0.5));
            lo = std::clamp(lo, cmin, cmax + 1);
            hi = std::clamp(hi, cmin - 1, cmax);
            if (lo > hi) {  // the estimate found nothing: at most the nearest column can be inside
                const std::int64_t c = std::clamp(std::int64_t(std::floor((xi - grid.origin_x) / grid.cell_size_m)), cmin, cmax);
                if (!inside(c)) continue;
                lo = hi = c;
            }
            while (lo <= hi && !inside(lo)) ++lo;
            while (hi >= lo && !inside(hi)) --hi;
            if (lo > hi) continue;
            while (lo > cmin && inside(lo - 1)) --lo;
            while (hi < cmax && inside(hi + 1)) ++hi;
            diff[std::size_t(lo)] += s.times;
            diff[std::size_t(hi + 1)] -= s.times;
        }
        std::uint32_t sum = 0;
        for (std::int64_t c = 0; c < cols; ++c) counts[std::size_t(c)] = sum += diff[std::size_t(c)];
        row_fn(r, static_cast<const std::uint32_t*>(counts.data()));
    }
}

} // namespace

std::vector<std::uint32_t> incidents_within(const Grid& grid, std::span<const double> x, std::span<const double> y,
                                            double radius_m) {
    std::vector<std::uint32_t> reach(std::size_t(grid.size()));
    for_each_reach_row(grid, x, y, radius_m, [&](std::int64_t r, const std::uint32_t* counts) {
        std::copy(counts, counts + grid.cols, reach.begin() + r * grid.cols);
    });
    return reach;
}

double densest_reached_by_fewer(const Grid& grid, std::span<const double> values, std::span<const double> x,
                                std::span<const double> y, double radius_m, int k) {
    if (std::int64_t(values.size()) != grid.size())
        throw UsageError(unit, "the surface has " + std::to_string(values.size()) + " values but the grid has " +
                                   std::to_string(grid.size()) + " cells");
    double densest = 0;
    for_each_reach_row(grid, x, y, radius_m, [&](std::int64_t r, const std::uint32_t* counts) {
        const double* v = values.data() + r * grid.cols;
        for (std::int64_t c = 0; c < grid.cols; ++c)
            if (std::isfinite(v[c]) && counts[c] < std::uint32_t(k)) densest = std::max(densest, v[c]);
    });
    return densest;
}

HeatClasses heat_classes(const Grid& grid, std::span<const double> values, std::span<const double> x,
                         std::span<const double> y, double radius_m, const HeatClassOptions& o) {
    o.validate();
    if (x.size() != y.size()) throw UsageError(unit, "x and y differ in length");
    if (std::int64_t(values.size()) != grid.size())
        throw UsageError(unit, "the surface has " + std::to_string(values.size()) + " values but the grid has " +
                                   std::to_string(grid.size()) + " cells");
    // the study area: cells with a finite value (the +0.0 ones counted, the others kept)
    StudyValues inside;
    std::size_t kept = 0;
    for (const double v : values) kept += std::isfinite(v) && StudyValues::stores(v);
    inside.values.reserve(kept);
    for (const double v : values)
        if (std::isfinite(v)) inside.add(v);
    // the floor's part: the densest cell that fewer than k incidents reach
    const double floor_from_count = !x.empty() && o.min_incidents > 1 && inside.size() > 0
                                        ? densest_reached_by_fewer(grid, values, x, y, radius_m, o.min_incidents)
                                        : 0;
    // the value of each incident's cell (those in the grid)
    std::vector<double> at_incidents;
    at_incidents.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        const std::int64_t c = grid.col_of(x[i]), r = grid.row_of(y[i]);
        if (grid.in_grid(c, r)) at_incidents.push_back(values[std::size_t(r * grid.cols + c)]);
    }
    return heat_classes_of(std::move(inside), floor_from_count, at_incidents, x.size(), radius_m, o);
}

HeatClasses heat_classes_of(StudyValues inside, double floor_from_count, std::span<const double> at_incidents,
                            std::size_t incidents, double radius_m, const HeatClassOptions& o) {
    o.validate();
    HeatClasses h;
    h.min_incidents = o.min_incidents;
    h.title = o.units.empty() ? std::string("Density (kernel sum)") : "Density, incidents " + o.units;
    if (!o.period.empty()) h.title += ", " + o.period;
    const std::size_t n_cells = inside.size();
    if (n_cells == 0) return h;
    // The values densest first are: the positive ones, then the zeros (+0.0 counted, -0.0 kept),
    // then the negative ones (none on a density surface). Only the positive ones are ever
    // shaded or selected among in practice; the zeros are a block of ranks.
    std::vector<double>& pos = inside.values;
    const auto split = std::partition(pos.begin(), pos.end(), [](double v) { return v > 0; });
    std::vector<double> neg;
    std::size_t n_zero = inside.zeros;
    for (auto it = split; it != pos.end(); ++it)
        if (*it == 0.0) ++n_zero;
        else neg.push_back(*it);
    pos.erase(split, pos.end());
    const std::size_t n_pos = pos.size();
    const double max_neg = neg.empty() ? 0.0 : *std::max_element(neg.begin(), neg.end());
    h.max = n_pos > 0 ? *std::max_element(pos.begin(), pos.end()) : n_zero > 0 ? 0.0 : max_neg;
    if (!(h.max > 0)) return h;
    const bool counted = incidents > 0 && o.min_incidents > 1;
    if (counted) h.floor_from_count = floor_from_count;
    h.floor = round_significant(h.floor_from_count, 2, true);

    // lower edges: the value above which lie the densest `share` of the study area's cells.
    // t, the n-th largest value, by selection (nth_element, densest first), not a sort of the
    // whole surface: every value before rank r is then >= t, every smaller one lies after it.
    // The edge is the largest value below t (0 if none). The shares are taken largest first:
    // after the selection at rank r_prev, the ranks above it lie in [0, r_prev], so a smaller
    // share selects only there; and the largest value below t (every value below t lies after
    // rank r) is found in (r, r_prev] when t_prev < t (t_prev itself is one), or is the previous
    // share's when t_prev == t (everything after r_prev is at most t_prev). Only the largest
    // share reads all the positive values; a rank in the zeros has t = 0 and the largest
    // negative value (or 0) below it. The edges are the same values as one full selection and
    // scan per share over every cell would give (tests/unit/test_heat_classes.cpp).
    std::vector<std::size_t> ranks;
    for (double share : o.area_shares) {
        const auto n = std::size_t(std::ceil(share * double(n_cells)));
        ranks.push_back(std::min(n_cells - 1, n > 0 ? n - 1 : 0));
    }
    std::vector<std::size_t> by_rank(ranks.size());
    for (std::size_t i = 0; i < by_rank.size(); ++i) by_rank[i] = i;
    std::sort(by_rank.begin(), by_rank.end(), [&](std::size_t a, std::size_t b) { return ranks[a] > ranks[b]; });
    // the largest value below every positive one (0 when there is none)
    const double below_pos = n_zero > 0 ? 0.0 : max_neg;
    // the largest value below t among v[from, to), or `none` when no value there is below t
    const auto largest_below = [](const std::vector<double>& v, std::size_t from, std::size_t to, double t,
                                  double none) {
        double edge = 0;
        bool found = false;
        for (std::size_t k = from; k < to; ++k)
            if (v[k] < t && (!found || v[k] > edge)) edge = v[k], found = true;
        return found ? edge : none;
    };
    std::vector<double> lower;
    std::size_t end = n_pos;  // the selection's range among the positive values: [0, end)
    double prev_t = 0, prev_edge = 0;
    bool prev_positive = false;  // the previous share's t was a positive value
    for (const std::size_t i : by_rank) {
        const std::size_t r = ranks[i];
        double t, edge;
        if (r < n_pos) {
            std::nth_element(pos.begin(), pos.begin() + std::ptrdiff_t(r), pos.begin() + std::ptrdiff_t(end), std::greater<>());
            t = pos[r];
            // nothing below t in range: below t lies only what lay below t_prev (t_prev == t),
            // or, when every positive value was in range, what lies below the positive values
            edge = largest_below(pos, r + 1, end, t, prev_positive && prev_t == t ? prev_edge : below_pos);
            end = r + 1;
        } else if (r < n_pos + n_zero) {
            t = 0;
            edge = max_neg;
        } else {
            const std::size_t k = r - n_pos - n_zero;
            std::nth_element(neg.begin(), neg.begin() + std::ptrdiff_t(k), neg.end(), std::greater<>());
            t = neg[k];
            edge = largest_below(neg, k + 1, neg.size(), t, 0.0);
        }
        lower.push_back(std::max(round_significant(edge, 2), h.floor));
        prev_t = t, prev_edge = edge, prev_positive = r < n_pos;
    }
    std::sort(lower.begin(), lower.end());
    lower.erase(std::unique(lower.begin(), lower.end()), lower.end());
    lower.erase(std::remove_if(lower.begin(), lower.end(), [&](double l) { return !(l < h.max) || l < 0; }),
                lower.end());
    if (lower.empty()) return h;
    h.floor = lower.front();

    // classes (lower, upper], shares measured on the rounded edges; a sliver class (under
    // min_class_share of the area: an edge pushed up against the floor, or two edges that
    // round together) is merged into its darker neighbour
    for (;;) {
        h.classes.clear();
        for (std::size_t i = 0; i < lower.size(); ++i) {
            HeatClass c;
            c.lower = lower[i];
            c.upper = i + 1 < lower.size() ? lower[i + 1] : h.max;
            h.classes.push_back(c);
        }
        const auto class_of = [&](double v) -> int {
            if (!std::isfinite(v) || !(v > h.floor)) return -1;
            for (std::size_t i = 0; i < h.classes.size(); ++i)
                if (v <= h.classes[i].upper || i + 1 == h.classes.size()) return int(i);
            return -1;
        };
        // only positive values are above the floor (>= 0)
        for (double v : pos)
            if (const int k = class_of(v); k >= 0) h.classes[std::size_t(k)].area_share += 1;
        for (auto& c : h.classes) c.area_share /= double(n_cells);
        std::size_t sliver = 0;
        while (sliver + 1 < h.classes.size() && h.classes[sliver].area_share >= min_class_share) ++sliver;
        if (sliver + 1 >= h.classes.size()) {
            if (incidents > 0) {
                for (double v : at_incidents)
                    if (const int k = class_of(v); k >= 0) h.classes[std::size_t(k)].incident_share += 1;
                for (auto& c : h.classes) c.incident_share /= double(incidents);
            }
            break;
        }
        lower.erase(lower.begin() + std::ptrdiff_t(sliver) + 1);
    }
    double a = 0, n = 0;
    for (std::size_t i = h.classes.size(); i-- > 0;) {
        auto& c = h.classes[i];
        a += c.area_share;
        n += c.incident_share;
        c.area_share_above = a;
        c.incident_share_above = n;
        const std::string range = i + 1 == h.classes.size() ? "over " + format_break(c.lower)
                                                            : format_break(c.lower) + " – " + format_break(c.upper);
        c.label = with_units(range, o.units) + ": densest " + percent(c.area_share_above) + " of area";
        if (incidents > 0) c.label += ", " + percent(c.incident_share_above) + " of incidents";
    }
    h.floor_label = "not shaded: " + with_units(format_break(h.floor), o.units) + " or less";
    if (counted)
        h.floor_label += ", so no cell with fewer than " + std::to_string(o.min_incidents) + " incidents within " +
                         format_break(radius_m) + " m";
    return h;
}

svg::Rgba heat_class_colour(const HeatClasses& h, std::size_t i) noexcept {
    // the unshaded class is svg's class 0, so class i is svg's i + 1 of n + 1 breaks
    return svg::heat_class_colour(i + 1, h.classes.size() + 1);
}

svg::Rgba heat_value_colour(const HeatClasses& h, double v) noexcept {
    const std::size_t n = h.classes.size();
    if (!n || !std::isfinite(v) || !(v > h.floor))
        return svg::heat_ramp()[0];
    std::size_t k = 0;
    while (k + 1 < n && v > h.classes[k].upper)
        ++k;
    return heat_class_colour(h, k);
}

} // namespace hotspot
