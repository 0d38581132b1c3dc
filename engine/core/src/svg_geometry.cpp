#include "hotspot/svg_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <queue>
#include <sstream>

#include "hotspot/error.hpp"
#include "svg_num.hpp"

namespace hotspot::svg {

namespace {

constexpr const char* unit = "svg_map";
using detail::num;


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

double polygon_area(const MultiPolygon& mp) noexcept {
    double a = 0;
    for (const auto& poly : mp)
        a += polygon_area(poly);
    return a;
}

double polygon_area(const std::vector<MultiPolygon>& polygons) noexcept {
    double a = 0;
    for (const auto& mp : polygons)
        a += polygon_area(mp);
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

} // namespace hotspot::svg
