// Disclosure control (disclosure.hpp) played by the reader: on random hierarchical tables
// (study area > wards > LSOAs) an exhaustive enumeration of every count vector consistent with
// what is published (published counts, parent = sum of children, primary counts below the
// threshold, secondary ones at or above it) must leave every suppressed count with at least
// two possible values; the library's own bounds attack must agree with the enumeration; and
// the density floor leaves no non-zero patch resting on fewer than k incidents.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "hotspot/disclosure.hpp"

using namespace hotspot;

namespace {

// cell 0: total; 1..W: wards; then LSOAs, each with its ward
struct Tree {
    CountTable t;
    std::vector<std::vector<std::size_t>> lsoas;  // per ward, cell indices
};

Tree random_tree(std::mt19937& rng, int wards, int max_lsoas, int max_count) {
    Tree tr;
    tr.t.counts.push_back(0);
    tr.t.parent.push_back(-1);
    for (int w = 0; w < wards; ++w) tr.t.counts.push_back(0), tr.t.parent.push_back(0);
    tr.lsoas.resize(std::size_t(wards));
    std::uniform_int_distribution<int> nl(1, max_lsoas), cnt(0, max_count);
    for (int w = 0; w < wards; ++w)
        for (int k = nl(rng); k > 0; --k) {
            const auto c = std::uint64_t(cnt(rng));
            tr.lsoas[std::size_t(w)].push_back(tr.t.counts.size());
            tr.t.counts.push_back(c);
            tr.t.parent.push_back(w + 1);
            tr.t.counts[std::size_t(w + 1)] += c;
            tr.t.counts[0] += c;
        }
    return tr;
}

// Every value each cell can take among the count vectors that fit what the reader sees.
std::vector<std::set<std::uint64_t>> reader_values(const Tree& tr, const std::vector<Suppression>& s, std::uint64_t m) {
    const CountTable& t = tr.t;
    const std::uint64_t cap = t.counts[0] + m;  // a hidden total is at most ... the reader's cap
    const auto fits = [&](std::size_t i, std::uint64_t v) {
        if (s[i] == Suppression::published) return v == t.counts[i];
        if (s[i] == Suppression::primary) return v < m;
        return v >= m;
    };
    const auto range = [&](std::size_t i) -> std::pair<std::uint64_t, std::uint64_t> {
        if (s[i] == Suppression::published) return {t.counts[i], t.counts[i]};
        if (s[i] == Suppression::primary) return {0, m - 1};
        return {m, cap};
    };
    std::vector<std::set<std::uint64_t>> vals(t.counts.size());
    const std::size_t W = tr.lsoas.size();
    // per ward: ward value -> the LSOA tuples that fit
    std::vector<std::map<std::uint64_t, std::vector<std::vector<std::uint64_t>>>> per(W);
    for (std::size_t w = 0; w < W; ++w) {
        const auto& ls = tr.lsoas[w];
        std::vector<std::uint64_t> cur(ls.size());
        const auto rec = [&](auto&& self, std::size_t j, std::uint64_t sum) -> void {
            if (sum > cap) return;
            if (j == ls.size()) {
                if (fits(w + 1, sum)) per[w][sum].push_back(cur);
                return;
            }
            const auto [a, b] = range(ls[j]);
            for (std::uint64_t v = a; v <= b; ++v) cur[j] = v, self(self, j + 1, sum + v);
        };
        rec(rec, 0, 0);
    }
    // wards combined under the total
    std::vector<std::set<std::uint64_t>> ward_ok(W);
    std::vector<std::uint64_t> wv(W);
    const auto rec = [&](auto&& self, std::size_t w, std::uint64_t sum) -> void {
        if (sum > cap) return;
        if (w == W) {
            if (fits(0, sum)) {
                vals[0].insert(sum);
                for (std::size_t k = 0; k < W; ++k) ward_ok[k].insert(wv[k]);
            }
            return;
        }
        for (const auto& [v, tuples] : per[w]) wv[w] = v, self(self, w + 1, sum + v);
    };
    rec(rec, 0, 0);
    for (std::size_t w = 0; w < W; ++w)
        for (std::uint64_t v : ward_ok[w]) {
            vals[w + 1].insert(v);
            for (const auto& tu : per[w][v])
                for (std::size_t j = 0; j < tu.size(); ++j) vals[tr.lsoas[w][j]].insert(tu[j]);
        }
    return vals;
}

} // namespace

TEST_CASE("a ward with one suppressed LSOA gets a secondary suppression: its smallest other LSOA", "[disclosure]") {
    // total 0 = wards 1, 2; ward 1 = LSOAs 3 (2), 4 (7), 5 (9); ward 2 = LSOAs 6 (8), 7 (6)
    CountTable t{{32, 18, 14, 2, 7, 9, 8, 6}, {-1, 0, 0, 1, 1, 1, 2, 2}, {}};
    const auto s = suppress_table(t, 5);
    CHECK(s[3] == Suppression::primary);
    CHECK(s[4] == Suppression::secondary);  // the smallest sibling (7 < 9)
    CHECK(s[5] == Suppression::published);
    CHECK(s[1] == Suppression::published);
    CHECK(disclosed_cells(t, s, 5).empty());
    // without the secondary, the reader recovers LSOA 3 = 18 - 7 - 9
    std::vector<Suppression> naive(8, Suppression::published);
    naive[3] = Suppression::primary;
    CHECK(disclosed_cells(t, naive, 5) == std::vector<std::size_t>{3});
}

TEST_CASE("two primary cells at their maximum are pinned; the attack asks for a third", "[disclosure]") {
    // ward 1 = 4 + 4 + 10: the two hidden LSOAs sum to 8 = 2 x (5 - 1), so both are 4
    CountTable t{{18, 18, 4, 4, 10}, {-1, 0, 1, 1, 1}, {}};
    std::vector<Suppression> naive{Suppression::published, Suppression::published, Suppression::primary,
                                   Suppression::primary, Suppression::published};
    CHECK(disclosed_cells(t, naive, 5).size() == 2);
    const auto s = suppress_table(t, 5);
    CHECK(disclosed_cells(t, s, 5).empty());
    CHECK(s[4] != Suppression::published);
}

TEST_CASE("reader's exhaustive differencing over random hierarchies recovers no suppressed count", "[disclosure]") {
    std::mt19937 rng(2012);
    int tables = 0, secondary = 0, primary = 0;
    for (int rep = 0; rep < 60; ++rep) {
        const std::uint64_t m = rep % 2 ? 3 : 4;
        const Tree tr = random_tree(rng, 2 + rep % 2, 3, 9);
        const auto s = suppress_table(tr.t, m);
        const auto vals = reader_values(tr, s, m);
        const auto b = audit_table(tr.t, s, m);
        ++tables;
        for (std::size_t i = 0; i < s.size(); ++i) {
            INFO("table " << rep << " cell " << i << " count " << tr.t.counts[i] << " " << to_string(s[i]));
            REQUIRE(vals[i].count(tr.t.counts[i]) == 1);  // the truth fits what is published
            if (s[i] == Suppression::published) continue;
            (s[i] == Suppression::primary ? primary : secondary) += 1;
            CHECK(vals[i].size() >= 2);  // not recovered
            // the library's bounds attack is exact: it finds the reader's smallest and largest
            CHECK(b[i].lower == *vals[i].begin());
            if (s[i] == Suppression::primary) CHECK(b[i].upper == *vals[i].rbegin());
        }
    }
    CHECK(tables == 60);
    CHECK(primary > 0);
    CHECK(secondary > 0);
}

TEST_CASE("bad tables are refused; totals round to the base", "[disclosure]") {
    CHECK_THROWS_AS(suppress_table(CountTable{{1, 2}, {-1}, {}}, 5), std::invalid_argument);
    CHECK_THROWS_AS(suppress_table(CountTable{{1, 2}, {1, 0}, {}}, 5), std::invalid_argument);
    CHECK(round_total(12, 5) == 10);
    CHECK(round_total(13, 5) == 15);
    CHECK(round_total(13, 1) == 13);
}

TEST_CASE("density floor: no non-zero patch rests on fewer than k incidents", "[disclosure]") {
    Grid g;
    g.origin_x = 0, g.origin_y = 1000, g.cell_size_m = 10, g.cols = 100, g.rows = 100;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(0, 1000);
    std::vector<double> x, y;
    for (int i = 0; i < 40; ++i) x.push_back(u(rng)), y.push_back(u(rng));  // scattered
    for (int i = 0; i < 6; ++i) x.push_back(500 + i), y.push_back(500 + i);  // one cluster of 6
    const double radius = 60;
    std::vector<double> v(std::size_t(g.size()), 0.0);
    for (std::int64_t r = 0; r < g.rows; ++r)  // a uniform kernel, brute force
        for (std::int64_t c = 0; c < g.cols; ++c)
            for (std::size_t i = 0; i < x.size(); ++i) {
                const double dx = (double(c) + 0.5) * 10 - x[i], dy = 1000 - (double(r) + 0.5) * 10 - y[i];
                if (dx * dx + dy * dy < radius * radius) v[std::size_t(r * g.cols + c)] += 1;
            }
    const int k = 5;
    mask_density(v, g, x, y, radius, k);
    // patches of non-zero cells (4-connected); the incidents within the radius of any of its cells
    std::vector<int> label(v.size(), -1);
    int patches = 0;
    for (std::size_t s0 = 0; s0 < v.size(); ++s0) {
        if (v[s0] == 0 || label[s0] >= 0) continue;
        std::vector<std::size_t> stack{s0}, cells;
        label[s0] = patches;
        while (!stack.empty()) {
            const std::size_t q = stack.back();
            stack.pop_back();
            cells.push_back(q);
            const std::int64_t r = std::int64_t(q) / g.cols, c = std::int64_t(q) % g.cols;
            for (auto [dr, dc] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
                const std::int64_t rr = r + dr, cc = c + dc;
                if (rr < 0 || cc < 0 || rr >= g.rows || cc >= g.cols) continue;
                const auto n = std::size_t(rr * g.cols + cc);
                if (v[n] != 0 && label[n] < 0) label[n] = patches, stack.push_back(n);
            }
        }
        std::set<std::size_t> contributors;
        for (std::size_t q : cells)
            for (std::size_t i = 0; i < x.size(); ++i) {
                const double dx = (double(std::int64_t(q) % g.cols) + 0.5) * 10 - x[i],
                             dy = 1000 - (double(std::int64_t(q) / g.cols) + 0.5) * 10 - y[i];
                if (dx * dx + dy * dy < radius * radius) contributors.insert(i);
            }
        CHECK(contributors.size() >= std::size_t(k));
        ++patches;
    }
    CHECK(patches >= 1);  // the cluster of 6 stays
}
