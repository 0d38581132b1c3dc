#include "hotspot/svg_map.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <queue>
#include <sstream>

#include "hotspot/error.hpp"

namespace hotspot::svg {

namespace {

constexpr const char* unit = "svg_map";

// Fixed-point text: SVG output must not depend on the locale or stream state.
std::string num(double v, int decimals = 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s(buf);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.')
            s.pop_back();
    }
    if (s == "-0")
        s = "0";
    return s;
}

double segment_distance_sq(const Point& p, const Point& a, const Point& b) noexcept {
    double x = a.x, y = a.y, dx = b.x - x, dy = b.y - y;
    if (dx != 0 || dy != 0) {
        const double t = ((p.x - x) * dx + (p.y - y) * dy) / (dx * dx + dy * dy);
        if (t > 1) {
            x = b.x, y = b.y;
        } else if (t > 0) {
            x += dx * t, y += dy * t;
        }
    }
    dx = p.x - x, dy = p.y - y;
    return dx * dx + dy * dy;
}

bool ring_contains(const Ring& r, const Point& p) noexcept {
    bool in = false;
    for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
        const Point& a = r[i];
        const Point& b = r[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x)
            in = !in;
    }
    return in;
}

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

} // namespace

PageTransform::PageTransform(const Bounds& world, const PageBox& box) {
    if (world.empty() || !(world.width() > 0) || !(world.height() > 0) ||
        !std::isfinite(world.width()) || !std::isfinite(world.height()))
        throw UsageError(unit, "map extent is empty or degenerate");
    if (!(box.width > 0) || !(box.height > 0))
        throw UsageError(unit, "map box has no area");
    m_scale = std::min(box.width / world.width(), box.height / world.height());
    const double w = world.width() * m_scale, h = world.height() * m_scale;
    m_fitted = {box.x + (box.width - w) / 2, box.y + (box.height - h) / 2, w, h};
    m_wx = world.xmin;
    m_wy = world.ymax;
}

Point PageTransform::to_page(double x, double y) const noexcept {
    return {m_fitted.x + (x - m_wx) * m_scale, m_fitted.y + (m_wy - y) * m_scale};
}

Point PageTransform::to_world(double px, double py) const noexcept {
    return {m_wx + (px - m_fitted.x) / m_scale, m_wy - (py - m_fitted.y) / m_scale};
}

std::string path_data(const MultiPolygon& mp, const PageTransform& t) {
    std::string d;
    for (const auto& poly : mp)
        for (const auto& ring : poly.rings) {
            if (ring.size() < 3)
                continue;
            bool first = true;
            Point last{NAN, NAN};
            for (const auto& p : ring) {
                const Point q = t.to_page(p);
                const double qx = std::round(q.x * 10) / 10, qy = std::round(q.y * 10) / 10;
                if (!first && qx == last.x && qy == last.y)
                    continue; // drop repeats at this scale
                d += first ? "M" : "L";
                d += num(qx) + " " + num(qy);
                last = {qx, qy};
                first = false;
            }
            d += "Z";
        }
    return d;
}

double ring_area(const Ring& r) noexcept {
    double a = 0;
    for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++)
        a += (r[j].x - r[i].x) * (r[j].y + r[i].y);
    return a / 2;
}

double polygon_area(const Polygon& poly) noexcept {
    if (poly.rings.empty())
        return 0;
    double a = std::abs(ring_area(poly.rings[0]));
    for (std::size_t i = 1; i < poly.rings.size(); ++i)
        a -= std::abs(ring_area(poly.rings[i]));
    return a;
}

bool contains(const Polygon& poly, const Point& p) noexcept {
    if (poly.rings.empty() || poly.rings[0].size() < 3 || !ring_contains(poly.rings[0], p))
        return false;
    for (std::size_t i = 1; i < poly.rings.size(); ++i)
        if (poly.rings[i].size() >= 3 && ring_contains(poly.rings[i], p))
            return false;
    return true;
}

bool contains(const MultiPolygon& mp, const Point& p) noexcept {
    return std::any_of(mp.begin(), mp.end(),
                       [&](const Polygon& poly) { return contains(poly, p); });
}

double signed_distance(const Polygon& poly, const Point& p) noexcept {
    double best = INFINITY;
    for (const auto& ring : poly.rings)
        for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++)
            best = std::min(best, segment_distance_sq(p, ring[i], ring[j]));
    return (contains(poly, p) ? 1 : -1) * std::sqrt(best);
}

Point label_point(const MultiPolygon& mp, double precision_m) {
    const Polygon* largest = nullptr;
    double largest_area = -1;
    for (const auto& poly : mp) {
        const double a = polygon_area(poly);
        if (!poly.rings.empty() && poly.rings[0].size() >= 3 && a > largest_area)
            largest = &poly, largest_area = a;
    }
    if (!largest)
        return {NAN, NAN};
    const Polygon& poly = *largest;
    Bounds b;
    for (const auto& p : poly.rings[0])
        b.add(p.x, p.y);
    const double cell = std::min(b.width(), b.height());
    if (cell <= 0)
        return poly.rings[0][0];

    // Pole of inaccessibility by quadtree search (mapbox/polylabel): cells ordered by the best
    // distance they could still hold, split until no cell can beat the best by > precision.
    struct Cell {
        Point c;
        double h, d, max;
    };
    auto make = [&](double x, double y, double h) {
        const double d = signed_distance(poly, {x, y});
        return Cell{{x, y}, h, d, d + h * std::sqrt(2.0)};
    };
    auto cmp = [](const Cell& lhs, const Cell& rhs) { return lhs.max < rhs.max; };
    std::priority_queue<Cell, std::vector<Cell>, decltype(cmp)> queue(cmp);
    const double h0 = cell / 2;
    for (double x = b.xmin; x < b.xmax; x += cell)
        for (double y = b.ymin; y < b.ymax; y += cell)
            queue.push(make(x + h0, y + h0, h0));

    // First guesses: the area centroid of the outer ring, and the bounds centre.
    double cx = 0, cy = 0, a6 = 0;
    const Ring& outer = poly.rings[0];
    for (std::size_t i = 0, j = outer.size() - 1; i < outer.size(); j = i++) {
        const double f = outer[i].x * outer[j].y - outer[j].x * outer[i].y;
        cx += (outer[i].x + outer[j].x) * f;
        cy += (outer[i].y + outer[j].y) * f;
        a6 += f * 3;
    }
    Cell best = a6 != 0 ? make(cx / a6, cy / a6, 0) : make(outer[0].x, outer[0].y, 0);
    const Cell centre = make(b.xmin + b.width() / 2, b.ymin + b.height() / 2, 0);
    if (centre.d > best.d)
        best = centre;

    const double precision = std::max(precision_m, cell * 1e-6);
    std::size_t guard = 0;
    while (!queue.empty() && ++guard < 200000) {
        const Cell c = queue.top();
        queue.pop();
        if (c.d > best.d)
            best = c;
        if (c.max - best.d <= precision)
            continue;
        const double h = c.h / 2;
        queue.push(make(c.c.x - h, c.c.y - h, h));
        queue.push(make(c.c.x + h, c.c.y - h, h));
        queue.push(make(c.c.x - h, c.c.y + h, h));
        queue.push(make(c.c.x + h, c.c.y + h, h));
    }
    return best.c;
}

std::string Rgba::hex() const {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
    return buf;
}

std::span<const Rgba> heat_ramp() noexcept {
    // Keep in step with styles/kde.qml.in and raster_out.cpp's quick-look ramp.
    static constexpr std::array<Rgba, 6> ramp{{{255, 255, 178, 0},
                                               {254, 204, 92, 255},
                                               {253, 141, 60, 255},
                                               {240, 59, 32, 255},
                                               {220, 20, 35, 255},
                                               {189, 0, 38, 255}}};
    return ramp;
}

std::size_t class_of(double v, std::span<const double> breaks) noexcept {
    if (breaks.empty())
        return 0;
    const auto i = std::size_t(std::lower_bound(breaks.begin(), breaks.end(), v) - breaks.begin());
    return std::min(i, breaks.size() - 1);
}

std::string format_value(double v) {
    if (!std::isfinite(v))
        return "-";
    const double a = std::abs(v);
    if (a >= 1000) {
        std::string digits = num(std::round(v), 0), out;
        const bool neg = digits[0] == '-';
        if (neg)
            digits.erase(0, 1);
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i > 0 && (digits.size() - i) % 3 == 0)
                out += ',';
            out += digits[i];
        }
        return (neg ? "-" : "") + out;
    }
    int decimals = a >= 100  ? 0
                   : a >= 10 ? 1
                   : a >= 1  ? 2
                   : a > 0   ? std::max(0, 2 - int(std::floor(std::log10(a))))
                             : 0;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 8), v);
    return buf;
}

std::vector<LegendClass> legend_classes(std::span<const double> breaks) {
    std::vector<LegendClass> out;
    const auto ramp = heat_ramp();
    double lower = 0;
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        LegendClass c;
        c.lower = lower;
        c.upper = breaks[i];
        c.colour = ramp[std::min(i, ramp.size() - 1)];
        c.transparent = c.colour.a == 0;
        c.label = format_value(c.lower) + " \u2013 " + format_value(c.upper);
        out.push_back(c);
        lower = breaks[i];
    }
    return out;
}

double round_scale_length(double max_m) {
    if (!(max_m > 0) || !std::isfinite(max_m))
        throw UsageError(unit, "scale bar needs a positive length");
    const double p = std::pow(10.0, std::floor(std::log10(max_m)));
    for (double f : {5.0, 2.0, 1.0})
        if (f * p <= max_m * (1 + 1e-12))
            return f * p;
    return p;
}

std::string format_length(double m) {
    if (m >= 1000)
        return num(m / 1000, 2) + " km";
    return num(m, m >= 1 ? 0 : 2) + " m";
}

std::string xml_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text)
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    return out;
}

std::string draw_map(const MapSpec& spec, MapLayout* layout) {
    const double m = spec.margin;
    const double legend_h = spec.legend.empty() ? 0 : 46;
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
    for (const auto& h : spec.hotspots)
        s << "<path class=\"hotspot\" d=\"" << path_data(h.shape, t)
          << "\" fill=\"none\" stroke=\"#08306b\" stroke-width=\"1.8\" stroke-linejoin=\"round\" "
             "fill-rule=\"evenodd\"/>\n";

    // Rank markers first (they must show), at a corner of the hot spot's bounds, then the area
    // names where they fit without hiding a marker or another name.
    const double r = 8;
    for (const auto& h : spec.hotspots) {
        const Bounds hb = bounds_of(h.shape);
        if (hb.empty() || h.rank <= 0)
            continue;
        const Point c1 = t.to_page(hb.xmax, hb.ymax), c0 = t.to_page(hb.xmin, hb.ymin);
        const std::array<Point, 5> tries{{{c1.x + r * 0.7, c1.y - r * 0.7},
                                          {c0.x - r * 0.7, c1.y - r * 0.7},
                                          {c1.x + r * 0.7, c0.y + r * 0.7},
                                          {c0.x - r * 0.7, c0.y + r * 0.7},
                                          {(c0.x + c1.x) / 2, (c0.y + c1.y) / 2}}};
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
    for (const auto& mk : lay.markers)
        s << "<g class=\"rank\"><circle cx=\"" << num(mk.at.x) << "\" cy=\"" << num(mk.at.y)
          << "\" r=\"" << num(r)
          << "\" fill=\"#08306b\" stroke=\"#ffffff\" stroke-width=\"1.5\"/><text x=\""
          << num(mk.at.x) << "\" y=\"" << num(mk.at.y + 3.8)
          << "\" font-size=\"11\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#ffffff\">"
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
    // Legend (below the map): the shaded classes with their ranges, in the surface's units.
    if (!spec.legend.empty()) {
        const double y = spec.height - m - legend_h + 8;
        double x = m;
        s << "<g class=\"legend\"><text x=\"" << num(x) << "\" y=\"" << num(y + 10)
          << "\" font-size=\"11\" font-weight=\"bold\">" << xml_escape(spec.legend_title)
          << "</text>";
        const double tw = std::max(120.0, text_width(spec.legend_title, 11) + 12);
        x += tw;
        std::size_t shown = 0;
        for (const auto& c : spec.legend)
            shown += c.transparent ? 0 : 1;
        const double sw =
            std::max(52.0, std::min(90.0, (spec.width - m - x) /
                                              double(std::max<std::size_t>(1, shown + 1))));
        for (const auto& c : spec.legend) {
            if (c.transparent)
                continue;
            s << "<rect class=\"legend-class\" x=\"" << num(x) << "\" y=\"" << num(y)
              << "\" width=\"" << num(sw - 4) << "\" height=\"12\" fill=\"" << c.colour.hex()
              << "\" stroke=\"#666\" stroke-width=\"0.5\"/>"
              << "<text x=\"" << num(x) << "\" y=\"" << num(y + 25) << "\" font-size=\"9.5\">"
              << xml_escape(c.label) << "</text>";
            x += sw;
            ++lay.legend_rows;
        }
        s << "<path d=\"M" << num(x + 2) << ' ' << num(y + 6) << "h" << num(sw - 12)
          << "\" stroke=\"#08306b\" stroke-width=\"1.8\"/><text x=\"" << num(x) << "\" y=\""
          << num(y + 25) << "\" font-size=\"9.5\">hot spot</text>";
        const auto& lc = spec.legend.front();
        s << "<text x=\"" << num(m) << "\" y=\"" << num(y + 25)
          << "\" font-size=\"9.5\" fill=\"#555\">unshaded: "
          << xml_escape(lc.transparent ? "below " + format_value(lc.upper) : "none")
          << "</text></g>\n";
    }
    s << "</svg>\n";
    if (layout)
        *layout = std::move(lay);
    return s.str();
}

} // namespace hotspot::svg
