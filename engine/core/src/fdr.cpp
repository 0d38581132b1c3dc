#include "hotspot/fdr.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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

namespace {

/// The distinct values of p (NaN left out; 0.0 and -0.0 one value) in ascending order with
/// each one's count, by an open-addressing table on the values' bits: O(n) for the few shared
/// values of a Gi* grid's exact p-values. Empty when there are more than `max_distinct`.
struct DistinctCounts {
    std::vector<double> value;        // ascending
    std::vector<std::size_t> count;   // of each value
    std::vector<std::uint64_t> keys;  // the table: bits + 1 (0 = empty)
    std::vector<std::uint32_t> slot_of;  // per table slot: its value's index in `value`
    int shift = 0;
    static std::uint64_t key(double v) {
        if (v == 0.0) v = 0.0;  // -0.0 with +0.0
        std::uint64_t b;
        std::memcpy(&b, &v, sizeof b);
        return b + 1;
    }
    std::size_t slot(std::uint64_t k) const {
        std::size_t i = std::size_t((k * 0x9E3779B97F4A7C15ull) >> shift);
        const std::size_t mask = keys.size() - 1;
        while (keys[i] != 0 && keys[i] != k) i = (i + 1) & mask;
        return i;
    }
    // the index in `value` of a value p holds
    std::size_t index_of(double v) const { return slot_of[slot(key(v))]; }
};

bool count_distinct(std::span<const double> p, std::size_t max_distinct, DistinctCounts& d) {
    int bits = 4;
    while ((std::size_t(1) << bits) < 2 * max_distinct + 2) ++bits;
    d.keys.assign(std::size_t(1) << bits, 0);
    d.shift = 64 - bits;
    std::vector<std::size_t> counts(d.keys.size(), 0);
    std::size_t n_distinct = 0;
    for (const double v : p) {
        if (std::isnan(v)) continue;
        const std::uint64_t k = DistinctCounts::key(v);
        const std::size_t i = d.slot(k);
        if (d.keys[i] == 0) {
            if (++n_distinct > max_distinct) return false;
            d.keys[i] = k;
        }
        ++counts[i];
    }
    std::vector<std::size_t> slots;
    slots.reserve(n_distinct);
    for (std::size_t i = 0; i < d.keys.size(); ++i)
        if (d.keys[i]) slots.push_back(i);
    const auto value_at = [&](std::size_t i) {
        const std::uint64_t b = d.keys[i] - 1;
        double v;
        std::memcpy(&v, &b, sizeof v);
        return v;
    };
    std::sort(slots.begin(), slots.end(), [&](std::size_t a, std::size_t b) { return value_at(a) < value_at(b); });
    d.slot_of.assign(d.keys.size(), 0);
    for (std::size_t j = 0; j < slots.size(); ++j) {
        d.value.push_back(value_at(slots[j]));
        d.count.push_back(counts[slots[j]]);
        d.slot_of[slots[j]] = std::uint32_t(j);
    }
    return true;
}

} // namespace

std::vector<double> adjust_p_values(std::span<const double> p, PAdjust method) {
    std::size_t m_count = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (std::isnan(p[i])) continue;
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            throw UsageError("fdr", "p-value " + std::to_string(i) + " is " +
                                        std::to_string(p[i]) + ", outside [0, 1]");
        ++m_count;
    }
    std::vector<double> out(p.begin(), p.end());
    const double m = double(m_count);
    if (method == PAdjust::none || m_count == 0) return out;
    if (method == PAdjust::bonferroni) {
        for (std::size_t i = 0; i < p.size(); ++i)
            if (!std::isnan(p[i])) out[i] = std::min(1.0, m * p[i]);
        return out;
    }
    // Benjamini-Hochberg by distinct value: within a run of equal p-values (ranks a..b) the
    // running minimum from the top is set at rank b, and every member of the run gets that
    // value, so it is worked out once per distinct p, with the very expression of the textbook
    // rank-by-rank loop over a stable sort (same bits; tests/unit/stats/test_fdr.cpp compares
    // them). Gi* grids' p-values are mostly a few shared values (exact test: one per local sum
    // and neighbour count): they are counted in a table and only the distinct ones sorted;
    // continuous p-values (more than one distinct value in 16) are sorted themselves.
    DistinctCounts table;
    std::vector<double> distinct;
    std::vector<std::size_t> last_rank;  // 1-based rank of each distinct value's last copy
    const bool counted = m_count >= 4096 && count_distinct(p, m_count / 16, table);
    if (counted) {
        distinct = std::move(table.value);
        std::size_t rank = 0;
        for (const std::size_t c : table.count) last_rank.push_back(rank += c);
    } else {
        std::vector<double> values;
        values.reserve(m_count);
        for (const double v : p)
            if (!std::isnan(v)) values.push_back(v);
        std::sort(values.begin(), values.end());
        for (std::size_t k = 0; k < values.size(); ++k)
            if (k + 1 == values.size() || values[k + 1] != values[k]) distinct.push_back(values[k]), last_rank.push_back(k + 1);
    }
    // 0.0 and -0.0 are one run, in no set order after std::sort. The textbook loop meets the
    // run's last row first (stable sort, from the top), and that row's zero, with its sign, is
    // what every member of the run gets.
    if (distinct.front() == 0.0)
        for (const double v : p)
            if (v == 0.0) distinct.front() = v;
    std::vector<double> adjusted(distinct.size());
    double running = 1.0;
    for (std::size_t d = distinct.size(); d-- > 0;) {
        const double v = m * distinct[d] / double(last_rank[d]);
        running = std::min(running, v);
        adjusted[d] = std::min(1.0, running);
    }
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (std::isnan(p[i])) continue;
        out[i] = adjusted[counted ? table.index_of(p[i])
                                  : std::size_t(std::lower_bound(distinct.begin(), distinct.end(), p[i]) - distinct.begin())];
    }
    return out;
}

} // namespace hotspot
