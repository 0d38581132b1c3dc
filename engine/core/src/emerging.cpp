#include "hotspot/emerging.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>
#include <thread>

#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/trend.hpp"

namespace hotspot {

std::string_view to_string(EmergingClass c) noexcept {
    switch (c) {
    case EmergingClass::no_pattern: return "no pattern";
    case EmergingClass::new_hot: return "new hot spot";
    case EmergingClass::consecutive_hot: return "consecutive hot spot";
    case EmergingClass::intensifying_hot: return "intensifying hot spot";
    case EmergingClass::persistent_hot: return "persistent hot spot";
    case EmergingClass::diminishing_hot: return "diminishing hot spot";
    case EmergingClass::sporadic_hot: return "sporadic hot spot";
    case EmergingClass::oscillating_hot: return "oscillating hot spot";
    case EmergingClass::historical_hot: return "historical hot spot";
    case EmergingClass::new_cold: return "new cold spot";
    case EmergingClass::consecutive_cold: return "consecutive cold spot";
    case EmergingClass::intensifying_cold: return "intensifying cold spot";
    case EmergingClass::persistent_cold: return "persistent cold spot";
    case EmergingClass::diminishing_cold: return "diminishing cold spot";
    case EmergingClass::sporadic_cold: return "sporadic cold spot";
    case EmergingClass::oscillating_cold: return "oscillating cold spot";
    case EmergingClass::historical_cold: return "historical cold spot";
    }
    return "no pattern";
}

std::string_view to_string(PersistenceClass c) noexcept {
    switch (c) {
    case PersistenceClass::none: return "none";
    case PersistenceClass::persistent_hot: return "persistent hot spot";
    case PersistenceClass::emerging_hot: return "emerging hot spot";
    case PersistenceClass::former_hot: return "former hot spot";
    case PersistenceClass::intermittent_hot: return "intermittent hot spot";
    case PersistenceClass::persistent_cold: return "persistent cold spot";
    case PersistenceClass::emerging_cold: return "emerging cold spot";
    case PersistenceClass::former_cold: return "former cold spot";
    case PersistenceClass::intermittent_cold: return "intermittent cold spot";
    case PersistenceClass::mixed: return "mixed hot/cold spot";
    }
    return "none";
}

void PersistenceParams::validate() const {
    const auto in01 = [](double v, const char* name) {
        if (!(v > 0 && v < 1))
            throw UsageError("emerging", std::string(name) + " must be in (0, 1) (got " + std::to_string(v) + ")");
    };
    in01(hotspot_prop, "hotspot_prop");
    in01(persistent_prop, "persistent_prop");
    in01(recent_prop, "recent_prop");
}

PersistenceClass classify_persistence(std::span<const std::int8_t> sig, const PersistenceParams& q) {
    const std::size_t n = sig.size();
    if (n < 2) return PersistenceClass::none;
    std::size_t recent = std::size_t(std::floor(q.recent_prop * double(n)));
    if (recent < 1 || recent >= n) recent = 1;
    const std::size_t older = n - recent;
    const auto rules = [&](int sign) -> int {
        std::size_t all = 0, late = 0;
        for (std::size_t t = 0; t < n; ++t)
            if (sig[t] == sign) ++all, late += t >= older;
        const double prop = double(all) / double(n), rec = double(late) / double(recent),
                     old = double(all - late) / double(older);
        if (prop >= q.persistent_prop) return 1;
        if (old < q.hotspot_prop && rec >= q.recent_prop) return 2;
        if (old >= q.hotspot_prop && rec < q.hotspot_prop) return 3;
        if (prop >= q.hotspot_prop) return 4;
        return 0;
    };
    const int h = rules(1), c = rules(-1);
    if (h && c) return PersistenceClass::mixed;
    if (h) return PersistenceClass(h);
    return PersistenceClass(-c);
}

void EmergingOptions::validate() const {
    gistar.validate(true);
    persistence.validate();
    if (!(alpha > 0 && alpha <= 0.5)) throw UsageError("emerging", "alpha must be in (0, 0.5] (got " + std::to_string(alpha) + ")");
}

EmergingClass classify_emerging(std::span<const std::int8_t> sig, double trend_s, double trend_p, double alpha) {
    const std::size_t n = sig.size();
    if (n == 0) return EmergingClass::no_pattern;
    // The hot rules, applied to sig·sign so the cold ones are the same code; `rising` is the
    // trend that strengthens the pattern (z up for hot, down for cold).
    const auto rules = [&](int sign) -> int {
        std::size_t hits = 0, opposite = 0;
        for (auto s : sig) hits += s == sign, opposite += s == -sign;
        const bool final_hit = sig[n - 1] == sign;
        const bool most = double(hits) >= 0.9 * double(n);
        const bool trend = trend_p < alpha && trend_s != 0;
        const bool strengthening = trend && (trend_s > 0) == (sign > 0);
        if (!final_hit) return most ? 8 : 0;                       // historical
        if (most) return !trend ? 4 : strengthening ? 3 : 5;       // persistent, intensifying, diminishing
        if (opposite > 0) return 7;                                // oscillating
        if (hits == 1) return 1;                                   // new
        std::size_t run = 0;
        while (run < n && sig[n - 1 - run] == sign) ++run;
        if (run >= 2 && run == hits) return 2;                     // consecutive
        return 6;                                                  // sporadic
    };
    if (const int h = rules(1)) return EmergingClass(h);
    if (const int c = rules(-1)) return EmergingClass(-c);
    return EmergingClass::no_pattern;
}

EmergingResult emerging_hot_spots(const Grid& grid, const std::vector<std::vector<double>>& counts, const EmergingOptions& o,
                                  std::span<const std::uint8_t> mask, const Progress& progress) {
    o.validate();
    if (counts.size() < 2) throw UsageError("emerging", "needs at least 2 time slices (got " + std::to_string(counts.size()) + ")");
    const std::size_t cells = grid.size(), n = counts.size();
    for (std::size_t t = 0; t < n; ++t)
        if (counts[t].size() != cells)
            throw UsageError("emerging", "slice " + std::to_string(t) + " has " + std::to_string(counts[t].size()) +
                                             " cells, the grid " + std::to_string(cells));
    EmergingResult r;
    r.slices = n;
    // z and significance per slice, slice-major (float halves the memory of 36 slices).
    std::vector<float> z(n * cells);
    std::vector<std::int8_t> sig(n * cells, 0);
    // Every slice has the same grid, study area and band, so the same neighbour counts: the
    // first slice counts them and the others take them as given (GiStarOptions::neighbour_count).
    GiStarOptions go = o.gistar;
    std::vector<std::int32_t> neighbours;
    for (std::size_t t = 0; t < n; ++t) {
        const auto sub = [&](double f, std::string_view) { return progress((double(t) + f) / double(n + 1), "emerging: Gi* per slice"); };
        GiStarResult g = gistar_grid(grid, counts[t], go, mask, sub);
        for (std::size_t c = 0; c < cells; ++c) {
            z[t * cells + c] = float(g.z[c]);
            if (g.p_adjusted[c] < o.alpha && std::isfinite(g.z[c])) sig[t * cells + c] = g.z[c] > 0 ? 1 : g.z[c] < 0 ? -1 : 0;
        }
        if (t + 1 == n) r.final_bin = g.bin;
        if (go.neighbour_count.empty()) {
            neighbours = std::move(g.neighbour_count);
            go.neighbour_count = neighbours;
        }
    }
    if (!progress(double(n) / double(n + 1), "emerging: trends")) throw Cancelled("emerging");
    r.category.assign(cells, EmergingClass::no_pattern);
    r.trend_z.assign(cells, std::nanf(""));
    r.trend_p.assign(cells, std::nanf(""));
    r.hot_slices.assign(cells, 0);
    r.cold_slices.assign(cells, 0);
    r.persistence.assign(cells, PersistenceClass::none);
    const unsigned threads = std::max(1u, std::min<unsigned>(resolve_threads(o.gistar.threads), unsigned(cells / 4096 + 1)));
    // A cell whose z series and significance series are those of the cell before it (the empty
    // stretches of a sparse grid: no incident near in any slice) takes that cell's trend and
    // classes, which the same inputs would give again.
    const auto work = [&](std::size_t from, std::size_t to) {
        std::vector<double> v, last_v;
        std::vector<std::int8_t> s(n), last_s;
        std::size_t last = cells;  // the cell the last_ series belong to (none yet)
        for (std::size_t c = from; c < to; ++c) {
            if (!mask.empty() && !mask[c]) continue;
            v.clear();
            for (std::size_t t = 0; t < n; ++t) {
                s[t] = sig[t * cells + c];
                r.hot_slices[c] = std::uint16_t(r.hot_slices[c] + (s[t] > 0));
                r.cold_slices[c] = std::uint16_t(r.cold_slices[c] + (s[t] < 0));
                if (!std::isnan(z[t * cells + c])) v.push_back(z[t * cells + c]);
            }
            if (last != cells && s == last_s &&
                std::equal(v.begin(), v.end(), last_v.begin(), last_v.end(),
                           [](double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); })) {
                r.trend_z[c] = r.trend_z[last], r.trend_p[c] = r.trend_p[last];
                r.category[c] = r.category[last], r.persistence[c] = r.persistence[last];
                continue;
            }
            const MannKendall mk = mann_kendall(v, false);
            const double tz = mk.z, tp = mk.p, S = mk.s;
            r.trend_z[c] = float(tz);
            r.trend_p[c] = float(tp);
            r.category[c] = classify_emerging(s, S, tp, o.alpha);
            r.persistence[c] = classify_persistence(s, o.persistence);
            last = c, last_v = v, last_s = s;
        }
    };
    std::vector<std::thread> pool;
    const std::size_t chunk = (cells + threads - 1) / threads;
    for (unsigned k = 0; k < threads; ++k) {
        const std::size_t a = std::min(cells, k * chunk), b = std::min(cells, a + chunk);
        if (a < b) pool.emplace_back(work, a, b);
    }
    for (auto& th : pool) th.join();
    return r;
}

} // namespace hotspot
