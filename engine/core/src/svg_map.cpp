#include "hotspot/svg_map.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "svg_num.hpp"

namespace hotspot::svg {

namespace {

using detail::num;

// Text width estimate for a sans-serif font (average advance ~0.55 em; capitals wider).
double text_width(const std::string& s, double font_px) {
    double em = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) == 0x80)
            continue; // UTF-8 continuation byte
        em += (c >= 'A' && c <= 'Z')                           ? 0.68
              : (c == ' ' || c == 'i' || c == 'l' || c == '.') ? 0.3
                                                               : 0.55;
    }
    return em * font_px;
}

bool overlaps(const PlacedLabel& a, const PlacedLabel& b, double pad = 2) {
    return std::abs(a.at.x - b.at.x) * 2 < a.width + b.width + 2 * pad &&
           std::abs(a.at.y - b.at.y) * 2 < a.height + b.height + 2 * pad;
}

bool inside_box(const PlacedLabel& l, const PageBox& b) {
    return l.at.x - l.width / 2 >= b.x && l.at.x + l.width / 2 <= b.x + b.width &&
           l.at.y - l.height / 2 >= b.y && l.at.y + l.height / 2 <= b.y + b.height;
}

// Where the legend's pieces go: the title and the "unshaded" note on the first line, then one
// slot per shaded class (swatch above its label) and the hot spot key, each slot as wide as its
// label, wrapping onto further rows, so no label runs into the next.
struct LegendSlot {
    double x = 0, y = 0, width = 0;
};

constexpr double legend_font = 9.5, legend_row_h = 30, legend_title_h = 16;

std::vector<LegendSlot> legend_slots(const MapSpec& spec, double& height) {
    std::vector<LegendSlot> slots;
    height = 0;
    if (spec.legend.empty())
        return slots;
    const double m = spec.margin, right = spec.width - m;
    double x = m, y = legend_title_h;
    const auto place = [&](const std::string& label) {
        const double w = std::max(48.0, text_width(label, legend_font) + 12);
        if (x + w > right && x > m) {
            x = m;
            y += legend_row_h;
        }
        slots.push_back({x, y, w});
        x += w;
    };
    for (const auto& c : spec.legend)
        if (!c.transparent)
            place(c.label);
    place("hot spot");
    height = y + legend_row_h + 2;
    return slots;
}

} // namespace

std::string draw_map(const MapSpec& spec, MapLayout* layout) {
    const double m = spec.margin;
    double legend_h = 0;
    const std::vector<LegendSlot> slots = legend_slots(spec, legend_h);
    const PageBox frame{m, m, spec.width - 2 * m, spec.height - 2 * m - legend_h};
    const PageTransform t(spec.world, frame);
    const PageBox box = t.fitted();
    MapLayout lay;
    lay.map_box = box;

    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"0 0 " << num(spec.width)
      << ' ' << num(spec.height) << "\" width=\"" << num(spec.width) << "\" height=\""
      << num(spec.height) << "\" font-family=\"Arial, Helvetica, sans-serif\" role=\"img\">\n";
    static int map_id = 0; // unique clip ids when several maps share one page
    const std::string clip = "clip" + std::to_string(++map_id);
    s << "<defs><clipPath id=\"" << clip << "\"><rect x=\"" << num(box.x) << "\" y=\"" << num(box.y)
      << "\" width=\"" << num(box.width) << "\" height=\"" << num(box.height)
      << "\"/></clipPath></defs>\n";
    s << "<rect class=\"frame-bg\" x=\"" << num(box.x) << "\" y=\"" << num(box.y) << "\" width=\""
      << num(box.width) << "\" height=\"" << num(box.height) << "\" fill=\"#ffffff\"/>\n";
    s << "<g clip-path=\"url(#" << clip << ")\">\n";
    // Area fills under the surface, so the study area reads against the page.
    for (const auto& a : spec.areas)
        s << "<path d=\"" << path_data(a.shape, t)
          << "\" fill=\"#f2f2ee\" stroke=\"none\" fill-rule=\"evenodd\"/>\n";
    if (!spec.image_href.empty() && !spec.image_world.empty()) {
        const Point tl = t.to_page(spec.image_world.xmin, spec.image_world.ymax);
        const Point br = t.to_page(spec.image_world.xmax, spec.image_world.ymin);
        s << "<image class=\"surface\" x=\"" << num(tl.x, 2) << "\" y=\"" << num(tl.y, 2)
          << "\" width=\"" << num(br.x - tl.x, 2) << "\" height=\"" << num(br.y - tl.y, 2)
          << "\" preserveAspectRatio=\"none\" opacity=\"0.9\" href=\"" << spec.image_href
          << "\"/>\n";
    }
    for (const auto& a : spec.areas)
        s << "<path class=\"boundary\" d=\"" << path_data(a.shape, t)
          << "\" fill=\"none\" stroke=\"#3c3c3c\" stroke-width=\"0.9\" stroke-linejoin=\"round\" "
             "fill-rule=\"evenodd\"/>\n";
    // Hot spot outlines: a black line on a white casing, so they read over every density class
    // in colour and in greyscale print.
    for (const auto& h : spec.hotspots) {
        const std::string d = path_data(h.shape, t);
        s << "<path class=\"hotspot-casing\" d=\"" << d
          << "\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"4\" stroke-linejoin=\"round\" "
             "fill-rule=\"evenodd\"/>\n"
          << "<path class=\"hotspot\" d=\"" << d
          << "\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.6\" stroke-linejoin=\"round\" "
             "fill-rule=\"evenodd\"/>\n";
    }
    // Near-repeat risk windows: an orange dashed outline (as their QGIS style), under the markers.
    for (const auto& w : spec.risk_windows)
        s << "<path class=\"risk-window\" d=\"" << path_data(w, t)
          << "\" fill=\"#fd8d3c\" fill-opacity=\"0.25\" stroke=\"#d94801\" stroke-width=\"1.4\" "
             "stroke-dasharray=\"4 2\" fill-rule=\"evenodd\"/>\n";

    // Rank markers first (they must show): on the hot spot's label point (inside its largest
    // part), else at a corner of its bounds with a leader line back to it; then the area names
    // where they fit without hiding a marker or another name.
    const double r = 8;
    std::vector<std::pair<Point, Point>> leaders; // marker centre, hot spot point
    for (const auto& h : spec.hotspots) {
        const Bounds hb = bounds_of(h.shape);
        if (hb.empty() || h.rank <= 0)
            continue;
        const Point lp = label_point(h.shape, std::max(1.0, 0.5 / t.scale()));
        const Point anchor = std::isfinite(lp.x) ? t.to_page(lp)
                                                 : t.to_page((hb.xmin + hb.xmax) / 2, (hb.ymin + hb.ymax) / 2);
        const Point c1 = t.to_page(hb.xmax, hb.ymax), c0 = t.to_page(hb.xmin, hb.ymin);
        const std::array<Point, 5> tries{{anchor,
                                          {c1.x + r * 0.9, c1.y - r * 0.9},
                                          {c0.x - r * 0.9, c1.y - r * 0.9},
                                          {c1.x + r * 0.9, c0.y + r * 0.9},
                                          {c0.x - r * 0.9, c0.y + r * 0.9}}};
        PlacedLabel mk{std::to_string(h.rank), tries[0], 2 * r, 2 * r};
        for (const auto& p : tries) {
            PlacedLabel cand{mk.text, p, 2 * r, 2 * r};
            const bool clash =
                std::any_of(lay.markers.begin(), lay.markers.end(),
                            [&](const PlacedLabel& o) { return overlaps(cand, o, 1); });
            if (!clash && inside_box(cand, box)) {
                mk = cand;
                break;
            }
        }
        if (std::hypot(mk.at.x - anchor.x, mk.at.y - anchor.y) > r)
            leaders.push_back({mk.at, anchor});
        lay.markers.push_back(mk);
    }
    const double fs = spec.label_font_px;
    for (const auto& a : spec.areas) {
        if (a.name.empty())
            continue;
        const Point lp = label_point(a.shape, std::max(1.0, 0.5 / t.scale()));
        if (!std::isfinite(lp.x))
            continue;
        const Point pp = t.to_page(lp);
        PlacedLabel l{a.name, pp, text_width(a.name, fs), fs * 1.15};
        for (double dy : {0.0, fs * 1.2, -fs * 1.2}) {
            PlacedLabel cand = l;
            cand.at.y += dy;
            // The centre must stay in the area, the box in the frame, clear of others.
            if (!contains(a.shape, t.to_world(cand.at.x, cand.at.y)) || !inside_box(cand, box))
                continue;
            const auto clash = [&](const PlacedLabel& o) { return overlaps(cand, o); };
            if (std::any_of(lay.markers.begin(), lay.markers.end(), clash) ||
                std::any_of(lay.labels.begin(), lay.labels.end(), clash))
                continue;
            lay.labels.push_back(cand);
            break;
        }
    }
    for (const auto& l : lay.labels)
        s << "<text class=\"area-label\" x=\"" << num(l.at.x) << "\" y=\""
          << num(l.at.y + fs * 0.35) << "\" font-size=\"" << num(fs)
          << "\" text-anchor=\"middle\" fill=\"#1a1a1a\" stroke=\"#ffffff\" "
             "stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">"
          << xml_escape(l.text) << "</text>\n";
    for (const auto& [from, to] : leaders)
        s << "<path class=\"leader\" d=\"M" << num(from.x) << ' ' << num(from.y) << "L" << num(to.x) << ' '
          << num(to.y) << "\" stroke=\"#ffffff\" stroke-width=\"3\"/><path d=\"M" << num(from.x) << ' '
          << num(from.y) << "L" << num(to.x) << ' ' << num(to.y)
          << "\" stroke=\"#000000\" stroke-width=\"1\"/><circle cx=\"" << num(to.x) << "\" cy=\""
          << num(to.y) << "\" r=\"1.8\" fill=\"#000000\"/>\n";
    // White discs, black ring and number: legible over any class, in colour or greyscale.
    for (const auto& mk : lay.markers)
        s << "<g class=\"rank\"><circle cx=\"" << num(mk.at.x) << "\" cy=\"" << num(mk.at.y)
          << "\" r=\"" << num(r)
          << "\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"1.6\"/><text x=\""
          << num(mk.at.x) << "\" y=\"" << num(mk.at.y + 3.8)
          << "\" font-size=\"11\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#000000\">"
          << xml_escape(mk.text) << "</text></g>\n";
    s << "</g>\n";
    s << "<rect x=\"" << num(box.x) << "\" y=\"" << num(box.y) << "\" width=\"" << num(box.width)
      << "\" height=\"" << num(box.height)
      << "\" fill=\"none\" stroke=\"#888\" stroke-width=\"0.8\"/>\n";

    // North arrow (top right; the working CRS is a national grid, so grid north is up).
    {
        const double x = box.x + box.width - 18, y = box.y + 10;
        s << "<g class=\"north-arrow\"><rect x=\"" << num(x - 12) << "\" y=\"" << num(y - 4)
          << "\" width=\"24\" height=\"40\" fill=\"#ffffff\" fill-opacity=\"0.85\" rx=\"3\"/>"
          << "<path d=\"M" << num(x) << ' ' << num(y + 2) << "L" << num(x + 7) << ' ' << num(y + 22)
          << "L" << num(x) << ' ' << num(y + 17) << "Z\" fill=\"#1a1a1a\"/><path d=\"M" << num(x)
          << ' ' << num(y + 2) << "L" << num(x - 7) << ' ' << num(y + 22) << "L" << num(x) << ' '
          << num(y + 17)
          << "Z\" fill=\"#ffffff\" stroke=\"#1a1a1a\" stroke-width=\"0.8\"/><text x=\"" << num(x)
          << "\" y=\"" << num(y + 33)
          << "\" font-size=\"10\" font-weight=\"bold\" text-anchor=\"middle\">N</text></g>\n";
    }
    // Scale bar (bottom left of the map): a round length of at most a quarter of the width.
    {
        const double len_m = round_scale_length(box.width / 4 / t.scale());
        lay.scale_bar_m = len_m;
        const double w = len_m * t.scale();
        const double x = box.x + 10, y = box.y + box.height - 14;
        s << "<g class=\"scale-bar\"><rect x=\"" << num(x - 5) << "\" y=\"" << num(y - 16)
          << "\" width=\"" << num(w + 10 + text_width(format_length(len_m), 10))
          << "\" height=\"26\" fill=\"#ffffff\" fill-opacity=\"0.85\" rx=\"3\"/>"
          << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(w / 2)
          << "\" height=\"4\" fill=\"#1a1a1a\"/>"
          << "<rect x=\"" << num(x + w / 2) << "\" y=\"" << num(y) << "\" width=\"" << num(w / 2)
          << "\" height=\"4\" fill=\"#ffffff\" stroke=\"#1a1a1a\" stroke-width=\"0.8\"/>"
          << "<text x=\"" << num(x) << "\" y=\"" << num(y - 4) << "\" font-size=\"10\">0</text>"
          << "<text x=\"" << num(x + w) << "\" y=\"" << num(y - 4) << "\" font-size=\"10\">"
          << format_length(len_m) << "</text></g>\n";
    }
    // Legend (below the map): the title, then the shaded classes with their ranges in the
    // surface's units and the hot spot key, laid out by legend_slots() so nothing collides.
    if (!spec.legend.empty()) {
        const double top = spec.height - m - legend_h;
        s << "<g class=\"legend\"><text x=\"" << num(m) << "\" y=\"" << num(top + 11)
          << "\" font-size=\"11\" font-weight=\"bold\">" << xml_escape(spec.legend_title) << "</text>";
        const auto& lc = spec.legend.front();
        s << "<text x=\"" << num(m + text_width(spec.legend_title, 11) * 1.12 + 16) << "\" y=\"" << num(top + 11)
          << "\" font-size=\"" << num(legend_font) << "\" fill=\"#555\">unshaded: "
          << xml_escape(!lc.transparent ? "none" : lc.upper > 0 ? "below " + format_value(lc.upper) : "zero") << "</text>";
        std::size_t i = 0;
        for (const auto& c : spec.legend) {
            if (c.transparent)
                continue;
            const LegendSlot& sl = slots[i++];
            s << "<rect class=\"legend-class\" x=\"" << num(sl.x) << "\" y=\"" << num(top + sl.y)
              << "\" width=\"" << num(sl.width - 6) << "\" height=\"11\" fill=\"" << c.colour.hex()
              << "\" stroke=\"#666\" stroke-width=\"0.5\"/>"
              << "<text x=\"" << num(sl.x) << "\" y=\"" << num(top + sl.y + 23) << "\" font-size=\""
              << num(legend_font) << "\">" << xml_escape(c.label) << "</text>";
            ++lay.legend_rows;
        }
        const LegendSlot& hs = slots.back();
        const std::string key = "M" + num(hs.x + 2) + ' ' + num(top + hs.y + 6) + "h" + num(hs.width - 14);
        s << "<path class=\"legend-hotspot\" d=\"" << key << "\" stroke=\"#999\" stroke-width=\"4\"/><path d=\""
          << key << "\" stroke=\"#000000\" stroke-width=\"1.6\"/><text x=\"" << num(hs.x) << "\" y=\""
          << num(top + hs.y + 23) << "\" font-size=\"" << num(legend_font) << "\">hot spot</text></g>\n";
    }
    s << "</svg>\n";
    if (layout)
        *layout = std::move(lay);
    return s.str();
}

} // namespace hotspot::svg
