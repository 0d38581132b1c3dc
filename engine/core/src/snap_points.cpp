#include "hotspot/snap_points.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <unordered_set>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {
using util::nan;

std::uint64_t key(double x, double y, double p) {
    const auto ix = std::int64_t(std::llround(x / p)), iy = std::int64_t(std::llround(y / p));
    return (std::uint64_t(ix) * 0x9E3779B97F4A7C15ull) ^ (std::uint64_t(iy) + 0x632BE59BD9B4E019ull + (std::uint64_t(ix) << 6));
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
} // namespace

void SnapPointOptions::validate() const {
    if (!(precision_m > 0) || !std::isfinite(precision_m))
        throw UsageError("snap-points", "precision must be > 0 m");
    if (lookback < 1) throw UsageError("snap-points", "lookback must be at least 1 month");
    if (min_history < 1) throw UsageError("snap-points", "min_history must be at least 1");
    if (!(drop > 0 && drop < 1)) throw UsageError("snap-points", "drop must be in (0, 1)");
}

std::string month_name(int month) {
    char b[16];
    std::snprintf(b, sizeof b, "%04d-%02d", month / 12, month % 12 + 1);
    return b;
}

SnapPointCheck detect_snap_point_changes(std::span<const double> x, std::span<const double> y,
                                         std::span<const int> month, const SnapPointOptions& o) {
    o.validate();
    if (x.size() != y.size() || x.size() != month.size())
        throw UsageError("snap-points", "x, y and month must have one value per incident");
    // Distinct locations per month (keys collide with negligible probability: 64-bit mixing).
    std::map<int, std::unordered_set<std::uint64_t>> by_month;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (month[i] >= 0 && std::isfinite(x[i]) && std::isfinite(y[i]))
            by_month[month[i]].insert(key(x[i], y[i], o.precision_m));
    SnapPointCheck r;
    std::vector<const std::unordered_set<std::uint64_t>*> sets;
    std::vector<double> history;
    for (const auto& [m, locs] : by_month) {
        SnapPointMonth s;
        s.month = m;
        s.locations = locs.size();
        s.reuse = s.baseline = nan;
        if (!sets.empty() && locs.size() >= o.min_locations) {
            const std::size_t from = sets.size() > std::size_t(o.lookback) ? sets.size() - std::size_t(o.lookback) : 0;
            for (const auto k : locs)
                for (std::size_t j = from; j < sets.size(); ++j)
                    if (sets[j]->count(k)) { ++s.reused; break; }
            s.reuse = double(s.reused) / double(s.locations);
            if (int(history.size()) >= o.min_history) {
                s.baseline = median(history);
                s.change = s.reuse < o.drop * s.baseline;
            }
            // A month after a change starts a new baseline; others join the history.
            if (s.change) history.clear();
            else history.push_back(s.reuse);
        }
        if (s.change) {
            r.changes.push_back(m);
            char b[64];
            std::snprintf(b, sizeof b, "%.0f%% (usually %.0f%%)", s.reuse * 100, s.baseline * 100);
            r.warnings.push_back("snap-points: " + month_name(m) + ": only " + b + " of its " +
                                 std::to_string(s.locations) + " locations were used in the months before: "
                                 "police.uk appears to have replaced its snap points; change maps and backtests "
                                 "across this month compare different point sets");
        }
        r.months.push_back(s);
        sets.push_back(&locs);
    }
    return r;
}

} // namespace hotspot
