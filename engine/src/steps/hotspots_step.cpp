// The hot spots step (steps/hotspots_step.hpp): the one place the hot spot layer's fields are
// named and its locating text (wards, LSOAs, grid reference, streets) is made.

#include "hotspot/steps/hotspots_step.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "hotspot/bng.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/polygonize.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/svg_map.hpp"
#include "hotspot/vector_out.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "hotspots";

/// "A (82%), B (18%)": the areas of `layer` under each hot spot's cells, by share of cells.
std::vector<std::string> areas_text(const Grid& grid, const std::vector<std::int32_t>& labels, std::size_t n,
                                    const AreaLayer* layer) {
    std::vector<std::string> out(n);
    if (!layer || n == 0) return out;
    const AreaIndex index(layer->polygons);
    std::vector<std::map<std::int32_t, std::int64_t>> cells(n);
    for (std::int64_t i = 0; i < grid.size(); ++i)
        if (const std::int32_t l = labels[std::size_t(i)])
            ++cells[std::size_t(l - 1)][index.locate(grid.x_of_col(i % grid.cols), grid.y_of_row(i / grid.cols))];
    for (std::size_t k = 0; k < n; ++k) {
        std::vector<std::pair<std::int64_t, std::int32_t>> by;
        std::int64_t total = 0;
        for (const auto& [a, c] : cells[k]) by.emplace_back(c, a), total += c;
        std::sort(by.begin(), by.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
        for (const auto& [c, a] : by) {
            const long pct = std::lround(100.0 * double(c) / double(total));
            const std::string name = a < 0 ? "outside"
                                     : !layer->names[std::size_t(a)].empty() ? layer->names[std::size_t(a)]
                                                                             : layer->codes[std::size_t(a)];
            out[k] += (out[k].empty() ? "" : ", ") + name + " (" + (pct < 1 ? std::string("<1") : std::to_string(pct)) + "%)";
        }
    }
    return out;
}

int street_column(const IncidentTable& inc, const std::string& field) {
    if (field.empty()) return inc.roles.street;
    const auto it = std::find(inc.field_names.begin(), inc.field_names.end(), field);
    if (it == inc.field_names.end())
        throw UsageError(unit, "--street " + field + ": the incidents have no such field (they have: " + [&] {
            std::string s;
            for (const auto& f : inc.field_names) s += (s.empty() ? "" : ", ") + f;
            return s;
        }() + ")");
    return int(it - inc.field_names.begin());
}

} // namespace

std::string street_name(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    constexpr std::string_view prefix = "on or near";
    if (s.size() >= prefix.size() && util::lower(s.substr(0, prefix.size())) == prefix &&
        (s.size() == prefix.size() || s[prefix.size()] == ' '))
        s.remove_prefix(prefix.size());
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return std::string(s);
}

void HotspotsStepOptions::validate() const { hotspots.validate(); }

void HotspotsStepInput::pick_area_levels(const std::vector<const AreaLayer*>& levels) {
    wards = lsoas = nullptr;
    if (levels.empty())
        return;
    wards = levels.front();
    for (const AreaLayer* l : levels)
        if (l->name == "ward")
            wards = l;
    for (const AreaLayer* l : levels)
        if (l != wards && (!lsoas || l->name == "lsoa"))
            lsoas = l;
}

HotspotsManifestNode HotspotsManifestNode::from_json(const nlohmann::ordered_json& node) {
    HotspotsManifestNode n;
    n.layer = json_value_or(node, "layer", std::string());
    n.threshold = json_value_or(node, "threshold", std::string());
    n.threshold_value = json_value_or(node, "threshold_value", double(NAN));
    return n;
}

nlohmann::ordered_json HotspotsStepOptions::to_json() const {
    return {{"threshold", hotspots.threshold_text()},
            {"min_incidents", hotspots.min_incidents},
            {"max_area_m2", hotspots.max_area_m2},
            {"numbered", hotspots.max_numbered},
            {"saddle_drop", hotspots.min_saddle_drop},
            {"street_field", street_field}};
}

HotspotsStepResult run_hotspots_step(const HotspotsStepInput& in, const HotspotsStepOptions& o,
                                     const HotspotsStepOutput& out) {
    o.validate();
    if (!in.incidents || !in.grid || !out.writer) throw UsageError(unit, "no incidents, grid or writer given");
    const IncidentTable& inc = *in.incidents;
    const Grid& grid = *in.grid;
    std::vector<std::uint32_t> all;
    if (!in.rows) {
        all.resize(inc.size());
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = std::uint32_t(i);
    }
    const std::vector<std::uint32_t>& rows = in.rows ? *in.rows : all;
    const int street_col = street_column(inc, o.street_field);

    HotspotOptions ho = o.hotspots;
    if (out.publish_min_count > 0) ho.min_incidents = std::max<std::uint64_t>(ho.min_incidents, std::uint64_t(out.publish_min_count));
    std::vector<double> x(rows.size()), y(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) x[k] = inc.x[rows[k]], y[k] = inc.y[rows[k]];

    HotspotsStepResult r;
    const double study_area = in.study_area_m2 > 0 ? in.study_area_m2 : in.study ? svg::polygon_area(*in.study) : 0.0;
    r.found = find_hotspots(grid, in.surface, x, y, study_area, ho);
    r.threshold_text = ho.describe();
    const HotspotResult& hs = r.found;
    const std::size_t n = hs.hotspots.size();
    const auto label_of = [&](double px, double py) -> std::int32_t {
        const std::int64_t c = grid.col_of(px), rr = grid.row_of(py);
        return grid.in_grid(c, rr) ? hs.labels[std::size_t(rr * grid.cols + c)] : 0;
    };

    // ---- where each hot spot is
    const std::vector<std::string> wards = areas_text(grid, hs.labels, n, in.wards);
    const std::vector<std::string> lsoas = areas_text(grid, hs.labels, n, in.lsoas);
    std::vector<std::map<std::string, std::uint64_t>> streets(n);
    if (street_col >= 0)
        for (const auto row : rows)
            if (const std::int32_t l = label_of(inc.x[row], inc.y[row]))
                if (std::string s = street_name(inc.fields[std::size_t(street_col)][row]); !s.empty())
                    ++streets[std::size_t(l - 1)][s];
    std::vector<std::int64_t> before(n, 0);
    if (in.comparison_rows)
        for (const auto row : *in.comparison_rows)
            if (const std::int32_t l = label_of(inc.x[row], inc.y[row])) ++before[std::size_t(l - 1)];

    // ---- the layer: every field name of the hot spot layer is spelled here, once
    const std::vector<MultiPolygon> polys =
        n ? polygonize_labels(grid, hs.labels, std::int32_t(n)) : std::vector<MultiPolygon>{};
    VectorWriter& w = *out.writer;
    w.begin_layer(out.layer, GeomType::multipolygon,
                  {{"rank", FieldType::integer}, {"label", FieldType::string}, {"incidents", FieldType::integer},
                   {"share", FieldType::real}, {"area_m2", FieldType::real}, {"pai", FieldType::real},
                   {"peak", FieldType::real}, {"grid_ref", FieldType::string}, {"peak_x", FieldType::real},
                   {"peak_y", FieldType::real}, {"wards", FieldType::string}, {"lsoas", FieldType::string},
                   {"streets", FieldType::string}, {"cut", FieldType::integer}, {"change", FieldType::integer}},
                  out.title + ": hot spots, " + r.threshold_text + ", at least " + std::to_string(ho.min_incidents) +
                      " incidents and at most " + util::num(ho.max_area_m2) + " m² each, split at saddles between density peaks");
    double largest = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const Hotspot& h = hs.hotspots[k];
        HotspotRecord rec;
        rec.spot = h;
        rec.grid_ref = bng_grid_reference(h.centre_x, h.centre_y, 8);
        rec.wards = wards[k];
        rec.lsoas = lsoas[k];
        std::vector<std::pair<std::uint64_t, std::string>> st;
        for (const auto& [name, c] : streets[k]) st.emplace_back(c, name);
        std::stable_sort(st.begin(), st.end(), [](auto& a, auto& b) { return a.first > b.first; });
        // publish mode (disclosure.hpp): a street's count below N shows "<N"; when the list holds
        // every street of the hot spot and one is below N, no count (the rest would give it)
        const std::uint64_t pk = std::uint64_t(std::max<std::int64_t>(out.publish_min_count, 0));
        const std::size_t listed = std::min<std::size_t>(3, st.size());
        const bool no_counts = pk > 0 && listed == st.size() && listed > 0 && st[listed - 1].first < pk;
        for (std::size_t i = 0; i < listed; ++i)
            rec.streets += (i ? ", " : "") + st[i].second +
                           (no_counts ? std::string()
                                      : " (" + (st[i].first < pk ? "<" + std::to_string(pk) : util::thousands(st[i].first)) + ")");
        rec.change = in.comparison_rows ? std::int64_t(h.incidents) - before[k] : 0;
        largest = std::max(largest, h.area_m2);
        w.set_integer(0, h.rank);
        w.set_string(1, h.numbered ? std::to_string(h.rank) : "");
        w.set_integer(2, std::int64_t(h.incidents));
        w.set_real(3, h.share);
        w.set_real(4, h.area_m2);
        w.set_real(5, h.pai);
        w.set_real(6, h.peak);
        w.set_string(7, rec.grid_ref);
        w.set_real(8, h.centre_x);
        w.set_real(9, h.centre_y);
        w.set_string(10, rec.wards);
        w.set_string(11, rec.lsoas);
        w.set_string(12, rec.streets);
        w.set_integer(13, h.cut ? 1 : 0);
        if (in.comparison_rows && !(out.publish_min_count > 0 && before[k] < out.publish_min_count))
            w.set_integer(14, rec.change);
        w.set_multipolygon(polys[k]);
        w.write_feature();
        r.records.push_back(std::move(rec));
    }
    r.qml = std::string(style_qml("hotspots"));
    w.add_style(out.layer, r.qml, out.title + " hot spots (" + r.threshold_text + ")");

    const double area = hs.total_area_m2();
    const std::uint64_t held = hs.total_incidents();
    std::int64_t numbered = 0;
    for (const auto& h : hs.hotspots) numbered += h.numbered ? 1 : 0;
    r.manifest = {{"layer", out.layer},
                  {"options", o.to_json()},
                  {"threshold", r.threshold_text},
                  {"threshold_value", std::isfinite(hs.threshold) ? nlohmann::ordered_json(hs.threshold) : nlohmann::ordered_json()},
                  {"min_incidents_applied", ho.min_incidents},
                  {"count", n},
                  {"numbered", numbered},
                  {"peaks_above_threshold", hs.regions},
                  {"dropped_under_min_incidents", hs.dropped_small},
                  {"study_area_m2", hs.study_area_m2},
                  {"area_m2", area},
                  {"share_of_area", hs.study_area_m2 > 0 ? area / hs.study_area_m2 : 0.0},
                  {"incidents", held},
                  {"share_of_incidents", hs.incidents ? double(held) / double(hs.incidents) : 0.0},
                  {"largest_area_m2", largest}};
    return r;
}

} // namespace hotspot
