// Publish mode's disclosure control of a profile's area tables (profile_disclosure.hpp).

#include "run/profile_disclosure.hpp"

#include <algorithm>
#include <numeric>

#include "hotspot/error.hpp"
#include "hotspot/geometry.hpp"
#include "util/text.hpp"

namespace hotspot::detail {

namespace {

struct Built {
    CountTable period, comparison;
    std::vector<std::size_t> offset;  // first cell of each level
    std::size_t not_nested = 0;       // coarser areas whose finer areas do not sum to them
};

// cell 0: the study-area total (known); then each level's areas; then one known cell per
// finer level holding its areas that nest in no coarser area (their sum is known to a reader
// who has the total and the nested ones: treating it as known is the stronger attack).
Built build(const ProfileRun& p, const std::vector<std::vector<double>>& counts, const std::vector<std::vector<double>>& ccounts) {
    const auto& levels = p.areas.levels;
    const std::size_t L = levels.size();
    std::vector<std::size_t> order(L);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return levels[a].layer.size() < levels[b].layer.size(); });
    Built b;
    b.offset.assign(L, 0);
    auto add = [&](double c, double cc, std::int32_t parent, bool known) {
        b.period.counts.push_back(std::uint64_t(c));
        b.comparison.counts.push_back(std::uint64_t(cc));
        b.period.parent.push_back(parent);
        b.period.known.push_back(known ? 1 : 0);
        return b.period.counts.size() - 1;
    };
    double tot = 0, ctot = 0;
    if (L) tot = std::accumulate(counts[order[0]].begin(), counts[order[0]].end(), 0.0),
           ctot = std::accumulate(ccounts[order[0]].begin(), ccounts[order[0]].end(), 0.0);
    add(tot, ctot, -1, true);
    for (std::size_t r = 0; r < L; ++r) {
        const std::size_t l = order[r];
        b.offset[l] = b.period.counts.size();
        for (std::size_t a = 0; a < levels[l].layer.size(); ++a) add(counts[l][a], ccounts[l][a], r == 0 ? 0 : -1, false);
    }
    // each finer level under the next coarser one
    for (std::size_t r = 1; r < L; ++r) {
        const std::size_t l = order[r], u = order[r - 1];
        const auto& fine = *levels[l].placed;
        const auto& coarse = *levels[u].placed;
        const std::size_t n = levels[l].layer.size(), m = levels[u].layer.size();
        std::vector<std::int64_t> cand(n, -1);  // -2: incidents in two coarser areas
        for (const Selection* sel : {&p.sel, &p.cmp})
            for (auto row : sel->rows) {
                const std::int32_t a = fine.area[row], c = coarse.area[row];
                if (a < 0) continue;
                auto& k = cand[std::size_t(a)];
                if (c < 0 || (k >= 0 && k != c)) k = -2;
                else if (k == -1) k = c;
            }
        std::unique_ptr<AreaIndex> index;
        for (std::size_t a = 0; a < n; ++a)
            if (cand[a] == -1) {  // no incident: where its middle lies
                if (!index) index = std::make_unique<AreaIndex>(levels[u].layer.polygons);
                const Bounds bb = bounds_of(levels[l].layer.polygons[a]);
                if (!bb.empty()) cand[a] = index->locate((bb.xmin + bb.xmax) / 2, (bb.ymin + bb.ymax) / 2);
                if (cand[a] < 0) cand[a] = -2;
            }
        std::vector<double> sum(m, 0), csum(m, 0);
        std::vector<std::uint8_t> broken(m, 0);
        for (std::size_t a = 0; a < n; ++a)
            if (cand[a] >= 0) sum[std::size_t(cand[a])] += counts[l][a], csum[std::size_t(cand[a])] += ccounts[l][a];
        for (std::size_t c = 0; c < m; ++c)
            broken[c] = sum[c] != counts[u][c] || csum[c] != ccounts[u][c];
        double rest = 0, crest = 0;
        std::vector<std::size_t> loose;
        for (std::size_t a = 0; a < n; ++a) {
            const std::size_t cell = b.offset[l] + a;
            if (cand[a] >= 0 && !broken[std::size_t(cand[a])]) b.period.parent[cell] = std::int32_t(b.offset[u] + std::size_t(cand[a]));
            else loose.push_back(cell), rest += counts[l][a], crest += ccounts[l][a];
        }
        b.not_nested += std::size_t(std::count(broken.begin(), broken.end(), std::uint8_t(1)));
        if (!loose.empty()) {
            const std::size_t r_cell = add(rest, crest, -1, true);
            for (std::size_t cell : loose) b.period.parent[cell] = std::int32_t(r_cell);
        }
    }
    b.comparison.parent = b.period.parent;
    b.comparison.known = b.period.known;
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
    const Built b = build(p, counts, ccounts);
    const auto sp = suppress_table(b.period, m);
    const auto sc = p.comparing ? suppress_table(b.comparison, m) : std::vector<Suppression>();
    // the self-check: the reader's attack on what will be published
    const auto bad = disclosed_cells(b.period, sp, m);
    const auto cbad = p.comparing ? disclosed_cells(b.comparison, sc, m) : std::vector<std::size_t>();
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
            d.comparison[l].assign(sc.begin() + std::ptrdiff_t(b.offset[l]), sc.begin() + std::ptrdiff_t(b.offset[l] + n));
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
               {"period", level_audit(p, d.period)}};
    if (p.comparing) d.audit["comparison"] = level_audit(p, d.comparison), d.audit["change_derived"] = changes;
    d.audit["self_check"] = "passed: interval attack on every published area table recovers no suppressed count";
    return d;
}

} // namespace hotspot::detail
