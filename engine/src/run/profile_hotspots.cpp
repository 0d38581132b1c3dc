// The hot spot polygons of a profile ("top 5% of cells" of the density surface): kept as one
// function of the run while the hotspots step is written on its own branch (issue 13).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

#include "hotspot/hotspots.hpp"
#include "hotspot/polygonize.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/styles.hpp"
#include "run/run_context.hpp"
#include "util/text.hpp"

namespace hotspot::detail {

using util::seconds_since;

void run_profile_hotspots(ProfileRun& p, const KdeStepResult& k) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    const HotspotOptions hs_options = HotspotOptions::parse(p.cfg.analysis.hotspot_threshold);
    std::vector<double> sx, sy, cx, cy;
    for (auto r : p.sel.rows) sx.push_back(p.inc.x[r]), sy.push_back(p.inc.y[r]);
    for (auto r : p.cmp.rows) cx.push_back(p.inc.x[r]), cy.push_back(p.inc.y[r]);
    HotspotResult hs;
    // -- hot spot polygons
    const auto th = std::chrono::steady_clock::now();
    hs = find_hotspots(k.grid, k.surface.values, sx, sy, p.areas.study_area_m2, hs_options);
    p.po.hotspot_threshold = hs_options.describe();
    std::vector<MultiPolygon> hpolys;
    if (!hs.hotspots.empty())
        hpolys = polygonize_labels(k.grid, hs.labels, std::int32_t(hs.hotspots.size()));
    // wards of each hot spot by cells, and comparison incidents in it
    const AreaLayer& ward_layer = p.areas.levels.front().layer;
    const AreaIndex ward_index(ward_layer.polygons);
    std::map<std::int32_t, std::map<std::int32_t, std::int64_t>> cell_wards;
    for (std::int64_t i = 0; i < k.grid.size(); ++i)
        if (const std::int32_t l = hs.labels[std::size_t(i)])
            ++cell_wards[l][ward_index.locate(k.grid.x_of_col(i % k.grid.cols), k.grid.y_of_row(i / k.grid.cols))];
    std::map<std::int32_t, std::int64_t> cmp_in;
    for (std::size_t i = 0; i < cx.size(); ++i) {
        const auto c = k.grid.col_of(cx[i]), r = k.grid.row_of(cy[i]);
        if (k.grid.in_grid(c, r))
            if (const std::int32_t l = hs.labels[std::size_t(r * k.grid.cols + c)]) ++cmp_in[l];
    }
    p.analyse_s += seconds_since(th);
    const std::string hs_layer = run_output_name(p.profile.name, RunOutputKind::hotspots);
    p.gpkg.begin_layer(hs_layer, GeomType::multipolygon,
                     {{"rank", FieldType::integer}, {"incidents", FieldType::integer}, {"share", FieldType::real},
                      {"pai", FieldType::real}, {"area_km2", FieldType::real}, {"wards", FieldType::string},
                      {"peak", FieldType::real}, {"change", FieldType::integer}});
    for (const auto& h : hs.hotspots) {
        HotspotSummary s;
        s.rank = h.rank;
        s.incidents = h.incidents;
        s.share = h.share;
        s.pai = h.pai;
        s.area_km2 = h.area_m2 / 1e6;
        s.centre_x = h.centre_x;
        s.centre_y = h.centre_y;
        std::vector<std::pair<std::int64_t, std::int32_t>> wards;
        std::int64_t total = 0;
        for (auto& [w, n] : cell_wards[h.label]) {
            wards.emplace_back(n, w);
            total += n;
        }
        std::sort(wards.begin(), wards.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
        for (auto& [n, w] : wards) {
            const long pct = std::lround(100.0 * double(n) / double(total));
            s.wards += (s.wards.empty() ? "" : ", ") + (w >= 0 ? ward_layer.names[std::size_t(w)] : std::string("outside")) +
                       " (" + (pct < 1 ? std::string("<1") : std::to_string(pct)) + "%)";
        }
        s.change = p.comparing ? std::int64_t(h.incidents) - cmp_in[h.label] : 0;
        const bool small = p.cfg.publish && h.incidents < std::uint64_t(p.cfg.publish_min_count);
        p.gpkg.set_integer(0, h.rank);
        if (!small) p.gpkg.set_integer(1, std::int64_t(h.incidents));
        p.gpkg.set_real(2, small ? nan : h.share);
        p.gpkg.set_real(3, small ? nan : h.pai);
        p.gpkg.set_real(4, s.area_km2);
        p.gpkg.set_string(5, s.wards);
        p.gpkg.set_real(6, h.peak);
        if (p.comparing && !small && !(p.cfg.publish && cmp_in[h.label] < p.cfg.publish_min_count))
            p.gpkg.set_integer(7, s.change);
        p.gpkg.set_multipolygon(hpolys[std::size_t(h.label - 1)]);
        p.gpkg.write_feature();
        p.po.hotspots.push_back(s);
    }
    p.gpkg.add_style(hs_layer, std::string(style_qml("hotspots")), p.profile.title + " hot spots (" + p.po.hotspot_threshold + ")");
    p.wrote(RunOutputKind::hotspots, hs_layer, true);
    p.group.layers.push_back({p.profile.title + ": hot spots", ProfileRun::gpkg_source(hs_layer), false,
                            "Polygon", std::string(style_qml("hotspots")), true});
    p.record.steps["hotspots"] = {{"layer", hs_layer}, {"threshold", p.po.hotspot_threshold}, {"threshold_value", hs.threshold},
                          {"count", hs.hotspots.size()}};
}

} // namespace hotspot::detail
