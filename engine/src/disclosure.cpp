// Statistical disclosure control of publish mode (disclosure.hpp): primary and secondary
// suppression of hierarchical count tables, the reader's interval attack, rounding and the
// density floor.

#include "hotspot/disclosure.hpp"
#include "hotspot/steps/change_step.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hotspot {

std::string_view to_string(Suppression s) {
    switch (s) {
    case Suppression::published: return "published";
    case Suppression::primary: return "primary";
    case Suppression::secondary: return "secondary";
    case Suppression::derived: return "derived";
    }
    return "published";
}

namespace {

constexpr std::int64_t kInf = std::int64_t(1) << 50;

std::int64_t sat_add(std::int64_t a, std::int64_t b) { return std::min(kInf, a + b); }

// children of each cell; throws on bad shapes
std::vector<std::vector<std::size_t>> children_of(const CountTable& t) {
    if (t.parent.size() != t.counts.size() || (!t.known.empty() && t.known.size() != t.counts.size()))
        throw std::invalid_argument("disclosure: counts and parent have different lengths");
    const std::size_t n = t.counts.size();
    std::vector<std::vector<std::size_t>> ch(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t p = t.parent[i];
        if (p < -1 || p >= std::int32_t(n) || std::size_t(p) == i)
            throw std::invalid_argument("disclosure: cell " + std::to_string(i) + " has parent " + std::to_string(p) +
                                        ", not a cell of the table");
        if (p >= 0) ch[std::size_t(p)].push_back(i);
    }
    for (std::size_t i = 0; i < n; ++i) {  // no cycles: every chain of parents ends within n steps
        std::int32_t p = t.parent[i];
        for (std::size_t k = 0; p >= 0; ++k, p = t.parent[std::size_t(p)])
            if (k > n) throw std::invalid_argument("disclosure: the parents of cell " + std::to_string(i) + " form a cycle");
    }
    return ch;
}

bool hidden(Suppression s) { return s == Suppression::primary || s == Suppression::secondary; }

// The smallest published cell of `cands` (by count, then index), or -1.
std::int64_t smallest_published(const CountTable& t, const std::vector<Suppression>& s, const std::vector<std::size_t>& cands,
                                std::size_t except) {
    std::int64_t best = -1;
    for (std::size_t c : cands) {
        if (c == except || hidden(s[c]) || (!t.known.empty() && t.known[c])) continue;
        if (best < 0 || t.counts[c] < t.counts[std::size_t(best)]) best = std::int64_t(c);
    }
    return best;
}

std::vector<CellBounds> bounds(const CountTable& t, const std::vector<Suppression>& s, std::uint64_t min_count,
                               const std::vector<std::vector<std::size_t>>& ch) {
    const std::size_t n = t.counts.size();
    std::vector<std::int64_t> lo(n), hi(n);
    const auto m = std::int64_t(min_count);
    for (std::size_t i = 0; i < n; ++i) {
        if (s[i] == Suppression::primary) lo[i] = 0, hi[i] = m - 1;
        else if (s[i] == Suppression::secondary) lo[i] = m, hi[i] = kInf;
        else lo[i] = hi[i] = std::int64_t(t.counts[i]);
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t p = 0; p < n; ++p) {
            if (ch[p].empty()) continue;
            std::int64_t slo = 0, fin = 0, infs = 0;  // sum of lower bounds; of finite upper ones; unbounded ones
            for (std::size_t c : ch[p]) {
                slo = sat_add(slo, lo[c]);
                if (hi[c] >= kInf) ++infs;
                else fin = sat_add(fin, hi[c]);
            }
            const std::int64_t shi = infs ? kInf : fin;
            if (slo > lo[p]) lo[p] = slo, changed = true;
            if (shi < hi[p]) hi[p] = shi, changed = true;
            for (std::size_t c : ch[p]) {
                const bool cinf = hi[c] >= kInf;
                const std::int64_t olo = slo - lo[c], ohi = infs - (cinf ? 1 : 0) > 0 ? kInf : fin - (cinf ? 0 : hi[c]);
                const std::int64_t nlo = ohi >= kInf ? 0 : lo[p] - ohi;
                const std::int64_t nhi = hi[p] >= kInf ? kInf : hi[p] - olo;
                if (nlo > lo[c]) lo[c] = nlo, changed = true;
                if (nhi < hi[c]) hi[c] = nhi, changed = true;
            }
        }
    }
    std::vector<CellBounds> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = {std::uint64_t(std::max<std::int64_t>(lo[i], 0)), std::uint64_t(hi[i])};
    return b;
}

} // namespace

std::vector<CellBounds> audit_table(const CountTable& t, const std::vector<Suppression>& s, std::uint64_t min_count) {
    const auto ch = children_of(t);
    if (s.size() != t.counts.size()) throw std::invalid_argument("disclosure: suppression and counts differ in length");
    return bounds(t, s, min_count, ch);
}

std::vector<std::size_t> disclosed_cells(const CountTable& t, const std::vector<Suppression>& s, std::uint64_t min_count) {
    const auto b = audit_table(t, s, min_count);
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (hidden(s[i]) && b[i].lower == b[i].upper) out.push_back(i);
    return out;
}

std::vector<Suppression> suppress_table(const CountTable& t, std::uint64_t min_count) {
    const auto ch = children_of(t);
    const std::size_t n = t.counts.size();
    std::vector<Suppression> s(n, Suppression::published);
    for (std::size_t i = 0; i < n; ++i)
        if (t.counts[i] < min_count && (t.known.empty() || !t.known[i])) s[i] = Suppression::primary;
    const auto mark = [&](std::int64_t c) {
        if (c < 0 || hidden(s[std::size_t(c)]) || (!t.known.empty() && t.known[std::size_t(c)])) return false;
        s[std::size_t(c)] = Suppression::secondary;
        return true;
    };
    // One more hidden term in the equation of parent `p` (a child other than `d`, else p itself).
    const auto widen_in = [&](std::size_t p, std::size_t d) {
        return mark(smallest_published(t, s, ch[p], d)) || (p != d && mark(std::int64_t(p)));
    };
    // ... in an equation that holds `d`: its parent's, else its own.
    const auto widen = [&](std::size_t d) {
        if (const std::int32_t p = t.parent[d]; p >= 0 && widen_in(std::size_t(p), d)) return true;
        return !ch[d].empty() && widen_in(d, d);
    };
    for (bool changed = true; changed;) {
        changed = false;
        // the classical rule: no equation with exactly one hidden term
        for (std::size_t p = 0; p < n; ++p) {
            if (ch[p].empty()) continue;
            std::size_t k = hidden(s[p]) ? 1 : 0, last = p;
            for (std::size_t c : ch[p])
                if (hidden(s[c])) ++k, last = c;
            if (k == 1) changed |= widen_in(p, last);
        }
        if (changed) continue;
        // the attack: a hidden cell pinned by the bounds (sums of 0, or of every primary at
        // its maximum, or a secondary at the threshold) gets one more hidden neighbour
        for (std::size_t d : disclosed_cells(t, s, min_count))
            if (widen(d)) {
                changed = true;
                break;
            }
    }
    return s;
}

std::size_t publish_change(ChangeResult& r, std::uint64_t min_count) {
    const auto k = std::int64_t(min_count);
    std::size_t rows = 0;
    const auto hide = [&](AreaChange& a) {
        a.period_hidden = a.period < k;
        a.comparison_hidden = a.comparison < k;
        a.trend_hidden = std::any_of(a.monthly.begin(), a.monthly.end(), [&](double v) { return std::isfinite(v) && v < double(k); });
        if (a.trend_hidden) std::fill(a.monthly.begin(), a.monthly.end(), std::nan(""));
        rows += a.period_hidden || a.comparison_hidden || a.trend_hidden;
    };
    hide(r.study_area);
    for (auto& lr : r.layers) {
        std::fill(std::begin(lr.classes), std::end(lr.classes), 0);
        for (auto& a : lr.areas) {
            hide(a);
            if (!a.period_hidden && !a.comparison_hidden) ++lr.classes[int(a.change) + 2];
        }
    }
    return rows;
}

std::uint64_t round_total(std::uint64_t v, std::uint64_t base) {
    if (base <= 1) return v;
    return (v + base / 2) / base * base;
}

std::size_t mask_density(std::vector<double>& values, const Grid& grid, const std::vector<double>& x,
                         const std::vector<double>& y, double radius_m, int k) {
    if (values.size() != std::size_t(grid.size()) || x.size() != y.size())
        throw std::invalid_argument("mask_density: values are not grid-sized, or x and y differ in length");
    std::vector<std::uint32_t> near(values.size(), 0);
    const double c = grid.cell_size_m, r2 = radius_m * radius_m;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto c0 = std::int64_t(std::floor((x[i] - radius_m - grid.origin_x) / c));
        const auto c1 = std::int64_t(std::floor((x[i] + radius_m - grid.origin_x) / c));
        const auto r0 = std::int64_t(std::floor((grid.origin_y - (y[i] + radius_m)) / c));
        const auto r1 = std::int64_t(std::floor((grid.origin_y - (y[i] - radius_m)) / c));
        for (std::int64_t row = std::max<std::int64_t>(r0, 0); row <= std::min(r1, grid.rows - 1); ++row)
            for (std::int64_t col = std::max<std::int64_t>(c0, 0); col <= std::min(c1, grid.cols - 1); ++col) {
                const double cx = grid.origin_x + (double(col) + 0.5) * c, cy = grid.origin_y - (double(row) + 0.5) * c;
                const double dx = cx - x[i], dy = cy - y[i];
                if (dx * dx + dy * dy < r2) ++near[std::size_t(row * grid.cols + col)];
            }
    }
    std::size_t zeroed = 0;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (std::isfinite(values[i]) && near[i] < std::uint32_t(std::max(k, 0))) {
            if (values[i] != 0) ++zeroed;
            values[i] = 0;
        }
    return zeroed;
}

} // namespace hotspot
