// emerging.hpp: the ArcGIS Emerging Hot Spot categories, rule by rule, and a synthetic
// space-time set with planted patterns classified cell by cell.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <set>
#include <string>

#include "hotspot/emerging.hpp"
#include "hotspot/error.hpp"

using namespace hotspot;

namespace {

std::vector<std::int8_t> seq(const std::string& s) {  // "...HHC" -> 0 0 0 1 1 -1
    std::vector<std::int8_t> v;
    for (char c : s) v.push_back(c == 'H' ? 1 : c == 'C' ? -1 : 0);
    return v;
}

} // namespace

TEST_CASE("classify_emerging: each ArcGIS category from its definition", "[emerging]") {
    const double no_trend_p = 0.5, trend_p = 0.001;
    // 10 slices: 90% = 9 slices.
    CHECK(classify_emerging(seq(".........H"), 1, no_trend_p) == EmergingClass::new_hot);
    CHECK(classify_emerging(seq("......HHHH"), 1, no_trend_p) == EmergingClass::consecutive_hot);
    CHECK(classify_emerging(seq(".HHHHHHHHH"), 20, trend_p) == EmergingClass::intensifying_hot);
    CHECK(classify_emerging(seq(".HHHHHHHHH"), 3, no_trend_p) == EmergingClass::persistent_hot);
    CHECK(classify_emerging(seq("HHHHHHHHHH"), -20, trend_p) == EmergingClass::diminishing_hot);
    CHECK(classify_emerging(seq("H..H...H.H"), 0, no_trend_p) == EmergingClass::sporadic_hot);
    CHECK(classify_emerging(seq("HH.H....HH"), 0, no_trend_p) == EmergingClass::sporadic_hot);  // hot before the final run
    CHECK(classify_emerging(seq("CC.....HHH"), 0, no_trend_p) == EmergingClass::oscillating_hot);
    CHECK(classify_emerging(seq("HHHHHHHHH."), -5, no_trend_p) == EmergingClass::historical_hot);
    CHECK(classify_emerging(seq("HHHHHHHH.."), -5, no_trend_p) == EmergingClass::no_pattern);  // 80%, not hot now
    CHECK(classify_emerging(seq(".........C"), 0, no_trend_p) == EmergingClass::new_cold);
    CHECK(classify_emerging(seq(".......CCC"), 0, no_trend_p) == EmergingClass::consecutive_cold);
    CHECK(classify_emerging(seq("CCCCCCCCCC"), -20, trend_p) == EmergingClass::intensifying_cold);
    CHECK(classify_emerging(seq("CCCCCCCCCC"), 0, no_trend_p) == EmergingClass::persistent_cold);
    CHECK(classify_emerging(seq("CCCCCCCCCC"), 20, trend_p) == EmergingClass::diminishing_cold);
    CHECK(classify_emerging(seq("C...C...CC"), 0, no_trend_p) == EmergingClass::sporadic_cold);
    CHECK(classify_emerging(seq("H.......CC"), 0, no_trend_p) == EmergingClass::oscillating_cold);
    CHECK(classify_emerging(seq("CCCCCCCCC."), 0, no_trend_p) == EmergingClass::historical_cold);
    CHECK(classify_emerging(seq(".........."), 0, no_trend_p) == EmergingClass::no_pattern);
    CHECK(classify_emerging(seq("....HH...."), 0, no_trend_p) == EmergingClass::no_pattern);  // hot once, not now
    CHECK(to_string(EmergingClass::intensifying_hot) == "intensifying hot spot");
}

// sfhotspot's hotspot_classify() rules written out from R/hotspot_classify.R (defaults
// hotspot_prop 0.1, persistent_prop 0.8, recent_prop 0.2), on the last r slices as recent.
static std::string sfhotspot_reference(const std::string& s) {
    const double n = double(s.size());
    const std::size_t r = std::max<std::size_t>(1, std::size_t(std::floor(0.2 * n)));
    const auto cls = [&](char c) -> std::string {
        double all = 0, recent = 0;
        for (std::size_t t = 0; t < s.size(); ++t)
            if (s[t] == c) ++all, recent += t + r >= s.size();
        const double prop = all / n, rec = recent / double(r), old = (all - recent) / (n - double(r));
        if (prop >= 0.8) return "persistent";
        if (old < 0.1 && rec >= 0.2) return "emerging";
        if (old >= 0.1 && rec < 0.1) return "former";
        if (prop >= 0.1) return "intermittent";
        return "";
    };
    const std::string h = cls('H'), c = cls('C');
    if (!h.empty() && !c.empty()) return "mixed hot/cold spot";
    if (!h.empty()) return h + " hot spot";
    if (!c.empty()) return c + " cold spot";
    return "none";
}

TEST_CASE("classify_persistence: sfhotspot's classes, against the R rules written out, on every pattern of 10 slices",
          "[emerging]") {
    // All 3^10 patterns of hot/cold/neither over 10 slices (r = 2 recent).
    std::string s(10, '.');
    std::size_t checked = 0, seen_classes = 0;
    std::set<std::string> classes;
    for (int code = 0; code < 59049; ++code) {
        int v = code;
        for (auto& ch : s) ch = ".HC"[v % 3], v /= 3;
        const std::string want = sfhotspot_reference(s);
        const std::string got(to_string(classify_persistence(seq(s))));
        classes.insert(got);
        if (got != want) {
            INFO(s);
            CHECK(got == want);
        }
        ++checked;
    }
    seen_classes = classes.size();
    CHECK(checked == 59049);
    CHECK(seen_classes == 10);  // none, 4 hot, 4 cold, mixed: every class reached
    // Named cases (24 monthly slices, r = 4).
    CHECK(classify_persistence(seq(std::string(20, '.') + "...H")) == PersistenceClass::emerging_hot);
    CHECK(classify_persistence(seq(std::string(18, 'H') + "......")) == PersistenceClass::former_hot);
    CHECK(classify_persistence(seq(std::string(20, 'H') + "HH..")) == PersistenceClass::persistent_hot);
    CHECK(classify_persistence(seq("H...H...H...H...H...H.H.")) == PersistenceClass::intermittent_hot);
    CHECK(classify_persistence(seq(std::string(24, '.'))) == PersistenceClass::none);
    PersistenceParams bad;
    bad.recent_prop = 1;
    CHECK_THROWS_AS(bad.validate(), UsageError);
}

TEST_CASE("emerging_hot_spots: planted new, consecutive, intensifying, persistent, diminishing spots found; noise quiet",
          "[emerging]") {
    Grid grid;
    grid.cell_size_m = 100;
    grid.cols = 60, grid.rows = 60;
    grid.origin_x = 0, grid.origin_y = 6000;
    const std::size_t n = 24, cells = std::size_t(grid.size());
    // 3 x 3 blocks of cells with planted rates per slice; background Poisson(2).
    struct Plant {
        int col, row;
        EmergingClass truth;
        double (*rate)(std::size_t t, std::size_t n);
        PersistenceClass persistence;
    };
    const Plant plants[] = {
        {10, 10, EmergingClass::persistent_hot, [](std::size_t, std::size_t) { return 12.0; }, PersistenceClass::persistent_hot},
        {30, 10, EmergingClass::new_hot, [](std::size_t t, std::size_t m) { return t + 1 == m ? 14.0 : 2.0; }, PersistenceClass::emerging_hot},
        {50, 10, EmergingClass::consecutive_hot, [](std::size_t t, std::size_t m) { return t + 4 >= m ? 14.0 : 2.0; }, PersistenceClass::emerging_hot},
        {10, 40, EmergingClass::intensifying_hot, [](std::size_t t, std::size_t) { return 8.0 + 1.0 * double(t); }, PersistenceClass::persistent_hot},
        {30, 40, EmergingClass::diminishing_hot, [](std::size_t t, std::size_t) { return 32.0 - 1.0 * double(t); }, PersistenceClass::persistent_hot},
    };
    std::vector<int> owner(cells, -1);
    for (int k = 0; k < 5; ++k)
        for (int dr = -1; dr <= 1; ++dr)
            for (int dc = -1; dc <= 1; ++dc) owner[std::size_t((plants[k].row + dr) * 60 + plants[k].col + dc)] = k;
    std::mt19937_64 rng(2026);
    std::vector<std::vector<double>> counts(n, std::vector<double>(cells));
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t c = 0; c < cells; ++c) {
            const double rate = owner[c] >= 0 ? plants[owner[c]].rate(t, n) : 2.0;
            counts[t][c] = std::poisson_distribution<int>(rate)(rng);
        }
    EmergingOptions o;
    o.gistar.band_m = 150;  // the 3 x 3 neighbourhood
    const EmergingResult r = emerging_hot_spots(grid, counts, o);
    REQUIRE(r.category.size() == cells);
    for (const auto& p : plants) {
        INFO(to_string(p.truth));
        CHECK(r.category[std::size_t(p.row * 60 + p.col)] == p.truth);
        INFO(to_string(p.persistence));
        CHECK(r.persistence[std::size_t(p.row * 60 + p.col)] == p.persistence);
    }
    // Noise: cells at least 3 cells from every planted block get "no pattern" at least 98% of
    // the time (FDR-controlled Gi* per slice; the stated false-positive rate).
    std::size_t noise = 0, flagged = 0, flagged_persistence = 0;
    for (std::int64_t row = 0; row < 60; ++row)
        for (std::int64_t col = 0; col < 60; ++col) {
            bool near = false;
            for (const auto& p : plants) near = near || (std::abs(row - p.row) <= 3 && std::abs(col - p.col) <= 3);
            if (near) continue;
            ++noise;
            if (r.category[std::size_t(row * 60 + col)] != EmergingClass::no_pattern) ++flagged;
            if (r.persistence[std::size_t(row * 60 + col)] != PersistenceClass::none) ++flagged_persistence;
        }
    INFO(flagged << " of " << noise << " noise cells flagged");
    CHECK(double(flagged) <= 0.02 * double(noise));
    INFO(flagged_persistence << " of " << noise << " noise cells with a persistence class");
    CHECK(double(flagged_persistence) <= 0.02 * double(noise));
    // Same result whatever the thread count.
    EmergingOptions one = o;
    one.gistar.threads = 1;
    CHECK(emerging_hot_spots(grid, counts, one).category == r.category);
    CHECK_THROWS_AS(emerging_hot_spots(grid, {counts[0]}, o), UsageError);
}
