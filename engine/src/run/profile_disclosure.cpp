// Publish mode's disclosure control of a profile's area tables (profile_disclosure.hpp).

#include "run/profile_disclosure.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "hotspot/error.hpp"
#include "hotspot/svg_geometry.hpp"
#include "util/text.hpp"

namespace hotspot::detail {

namespace {

struct Built {
    CountTable table;
    std::vector<std::size_t> offset;  // first cell of each level
    std::size_t not_nested = 0;       // coarser areas whose finer areas do not sum to them
};

// One period's table. Cell 0: the study-area total (known); then each level's areas; then one
// known cell per finer level holding its areas that nest in no coarser area (their sum is known
// to a reader who has the total and the nested ones: treating it as known is the stronger
// attack). A finer area hangs under the coarser one holding all its incidents of this period,
// where the children of that coarser area sum to it in this period.
Built build(const ProfileRun& p, const std::vector<std::vector<double>>& counts, const Selection& sel) {
    const auto& levels = p.areas.levels;
    const std::size_t L = levels.size();
    std::vector<std::size_t> order(L);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return levels[a].layer.size() < levels[b].layer.size(); });
    Built b;
    b.offset.assign(L, 0);
    auto add = [&](double c, std::int32_t parent, bool known) {
        b.table.counts.push_back(std::uint64_t(c));
        b.table.parent.push_back(parent);
        b.table.known.push_back(known ? 1 : 0);
        return b.table.counts.size() - 1;
    };
    add(L ? std::accumulate(counts[order[0]].begin(), counts[order[0]].end(), 0.0) : 0.0, -1, true);
    for (std::size_t r = 0; r < L; ++r) {
        const std::size_t l = order[r];
        b.offset[l] = b.table.counts.size();
        for (std::size_t a = 0; a < levels[l].layer.size(); ++a) add(counts[l][a], r == 0 ? 0 : -1, false);
    }
    for (std::size_t r = 1; r < L; ++r) {
        const std::size_t l = order[r], u = order[r - 1];
        const auto& fine = *levels[l].placed;
        const auto& coarse = *levels[u].placed;
        const std::size_t n = levels[l].layer.size(), m = levels[u].layer.size();
        // the coarser areas holding each finer area's incidents of this period
        std::vector<std::vector<std::int32_t>> holders(n);
        std::vector<std::uint8_t> outside(n, 0);
        for (auto row : sel.rows) {
            const std::int32_t a = fine.area[row], c = coarse.area[row];
            if (a < 0) continue;
            auto& h = holders[std::size_t(a)];
            if (c < 0) outside[std::size_t(a)] = 1;
            else if (std::find(h.begin(), h.end(), c) == h.end()) h.push_back(c);
        }
        // parent: the one holder; an area without incidents: the coarser area holding an
        // interior point of it (as a reader would place it); -1 otherwise
        std::unique_ptr<AreaIndex> index;
        std::vector<std::int64_t> cand(n, -1);
        for (std::size_t a = 0; a < n; ++a) {
            if (outside[a] || holders[a].size() > 1) continue;
            if (holders[a].size() == 1) {
                cand[a] = holders[a][0];
                continue;
            }
            if (!index) index = std::make_unique<AreaIndex>(levels[u].layer.polygons);
            if (levels[l].layer.polygons[a].empty()) continue;
            const Point q = svg::label_point(levels[l].layer.polygons[a], 5.0);
            cand[a] = index->locate(q.x, q.y);
        }
        std::vector<double> sum(m, 0);
        for (std::size_t a = 0; a < n; ++a)
            if (cand[a] >= 0) sum[std::size_t(cand[a])] += counts[l][a];
        std::vector<std::uint8_t> broken(m, 0);
        for (std::size_t c = 0; c < m; ++c) broken[c] = sum[c] != counts[u][c];
        // coarser areas joined by a finer area split between them: the reader's equation is
        // their sum = the sum of their finer areas; one known cell per such group (the stronger
        // attack: the reader knows that sum only when every area of the group is published)
        std::vector<std::size_t> root(m);
        std::iota(root.begin(), root.end(), std::size_t(0));
        const auto find = [&](std::size_t x) {
            while (root[x] != x) x = root[x] = root[root[x]];
            return x;
        };
        for (std::size_t a = 0; a < n; ++a)
            for (std::size_t k = 1; k < holders[a].size(); ++k)
                root[find(std::size_t(holders[a][k]))] = find(std::size_t(holders[a][0]));
        std::map<std::size_t, std::vector<std::size_t>> groups;  // group (m: none) -> loose cells
        for (std::size_t a = 0; a < n; ++a) {
            const std::size_t cell = b.offset[l] + a;
            if (cand[a] >= 0 && !broken[std::size_t(cand[a])]) {
                b.table.parent[cell] = std::int32_t(b.offset[u] + std::size_t(cand[a]));
                continue;
            }
            const std::int64_t g = !holders[a].empty() ? holders[a][0] : cand[a];
            groups[g >= 0 ? find(std::size_t(g)) : m].push_back(cell);
        }
        b.not_nested += std::size_t(std::count(broken.begin(), broken.end(), std::uint8_t(1)));
        for (const auto& [g, cells] : groups) {
            if (g == m) continue;  // in no coarser area (not even by its interior point): no equation
            double rest = 0;
            for (std::size_t cell : cells) rest += double(b.table.counts[cell]);
            const std::size_t r_cell = add(rest, -1, true);
            for (std::size_t cell : cells) b.table.parent[cell] = std::int32_t(r_cell);
        }
    }
    return b;
}

nlohmann::ordered_json level_audit(const ProfileRun& p, const std::vector<std::vector<Suppression>>& s) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t l = 0; l < s.size(); ++l) {
        std::size_t primary = 0, secondary = 0;
        nlohmann::ordered_json cells = nlohmann::ordered_json::array();
        for (std::size_t a = 0; a < s[l].size(); ++a) {
            if (s[l][a] == Suppression::published) continue;
            (s[l][a] == Suppression::primary ? primary : secondary) += 1;
            cells.push_back({{"code", p.areas.levels[l].layer.codes[a]}, {"reason", std::string(to_string(s[l][a]))}});
        }
        out.push_back({{"level", p.areas.levels[l].layer.name}, {"areas", s[l].size()}, {"primary", primary},
                       {"secondary", secondary}, {"cells", cells}});
    }
    return out;
}

} // namespace

AreaDisclosure suppress_profile_areas(const ProfileRun& p, const std::vector<std::vector<double>>& counts,
                                      const std::vector<std::vector<double>>& ccounts) {
    const auto m = std::uint64_t(p.cfg.publish_min_count);
    const Built b = build(p, counts, p.sel);
    const Built cb = build(p, ccounts, p.cmp);
    const auto sp = suppress_table(b.table, m);
    const auto sc = p.comparing ? suppress_table(cb.table, m) : std::vector<Suppression>();
    // the self-check: the reader's attack on what will be published
    const auto bad = disclosed_cells(b.table, sp, m);
    const auto cbad = p.comparing ? disclosed_cells(cb.table, sc, m) : std::vector<std::size_t>();
    if (!bad.empty() || !cbad.empty())
        throw OutputError("run", p.out.string(),
                          "publish mode self-check: differencing the area tables of profile " + p.profile.name + " recovers " +
                              std::to_string(bad.size() + cbad.size()) +
                              " suppressed counts; the pack is not written. Raise --publish-min-count or drop an area "
                              "level, and report this as a bug");
    AreaDisclosure d;
    const std::size_t L = p.areas.levels.size();
    d.period.resize(L);
    d.comparison.resize(L);
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (std::size_t l = 0; l < L; ++l) {
        const std::size_t n = p.areas.levels[l].layer.size();
        d.period[l].assign(sp.begin() + std::ptrdiff_t(b.offset[l]), sp.begin() + std::ptrdiff_t(b.offset[l] + n));
        if (p.comparing) {
            d.comparison[l].assign(sc.begin() + std::ptrdiff_t(cb.offset[l]), sc.begin() + std::ptrdiff_t(cb.offset[l] + n));
            for (std::size_t a = 0; a < n; ++a)
                if (d.period[l][a] == Suppression::published && d.comparison[l][a] != Suppression::published)
                    changes.push_back({{"level", p.areas.levels[l].layer.name},
                                                  {"code", p.areas.levels[l].layer.codes[a]}, {"reason", "derived"}});
        }
    }
    d.audit = {{"min_count", m},
               {"method", "primary: counts below min_count; secondary: hierarchical complementary suppression (no "
                          "equation parent = sum of children with one hidden term; then the interval attack, one more "
                          "cell per pinned one, to a fixed point), Hundepool et al. 2012, Statistical Disclosure "
                          "Control, ch. 4-5; derived: every statistic of a hidden count, the change where either "
                          "period is hidden, and the pooled statistics (LISA, Gi*, EB rate) of a level with a hidden area"},
               {"hierarchy", "study area > coarser level > finer level, from where the incidents lie"},
               {"not_nested", b.not_nested},
               {"not_nested_comparison", cb.not_nested},
               {"period", level_audit(p, d.period)}};
    if (p.comparing) d.audit["comparison"] = level_audit(p, d.comparison), d.audit["change_derived"] = changes;
    d.audit["self_check"] = "passed: interval attack on every published area table recovers no suppressed count";
    return d;
}

void round_profile_totals(ProfileRun& p) {
    const auto base = std::uint64_t(std::max(p.cfg.publish_round, 1));
    if (!p.cfg.publish || base <= 1 || p.record.selected == 0) return;
    const auto r = [&](std::uint64_t v) { return v == 0 ? 0 : std::max(round_total(v, base), base); };
    p.record.selected = r(p.record.selected);
    if (p.record.selected_comparison > 0) p.record.selected_comparison = std::int64_t(r(std::uint64_t(p.record.selected_comparison)));
    if (p.record.selection.contains("selection_terms"))
        for (auto& t : p.record.selection["selection_terms"])
            for (const char* k : {"selected", "remaining"})
                if (t.contains(k) && t[k].is_number_unsigned()) t[k] = r(t[k].get<std::uint64_t>());
    p.record.steps["disclosure"]["totals_rounded_to"] = base;
}

} // namespace hotspot::detail
