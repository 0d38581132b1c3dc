#pragma once
/// @file geometry.hpp
/// Plain geometry types of the pure core (no GDAL/GEOS types): points, rings, polygons and
/// bounds, all in the working CRS (metres, EPSG:27700 by default).

#include <algorithm>
#include <limits>
#include <vector>

namespace hotspot {

struct Point {
    double x = 0;
    double y = 0;
};

/// Axis-aligned bounds; an empty Bounds has xmin > xmax.
struct Bounds {
    double xmin = std::numeric_limits<double>::infinity();
    double ymin = std::numeric_limits<double>::infinity();
    double xmax = -std::numeric_limits<double>::infinity();
    double ymax = -std::numeric_limits<double>::infinity();

    bool empty() const noexcept { return !(xmin <= xmax && ymin <= ymax); }
    double width() const noexcept { return xmax - xmin; }
    double height() const noexcept { return ymax - ymin; }
    void add(double x, double y) noexcept {
        xmin = std::min(xmin, x); ymin = std::min(ymin, y);
        xmax = std::max(xmax, x); ymax = std::max(ymax, y);
    }
    void add(const Bounds& b) noexcept {
        if (b.empty()) return;
        add(b.xmin, b.ymin); add(b.xmax, b.ymax);
    }
    /// Bounds grown by `d` metres on every side.
    Bounds grown(double d) const noexcept { return {xmin - d, ymin - d, xmax + d, ymax + d}; }
    bool contains(double x, double y) const noexcept {
        return x >= xmin && x <= xmax && y >= ymin && y <= ymax;
    }
};

/// A closed ring; the last point need not repeat the first.
using Ring = std::vector<Point>;

/// A polygon: rings[0] is the outer ring, the others are holes.
struct Polygon {
    std::vector<Ring> rings;
};

/// A multipolygon: non-overlapping parts (as after GEOS MakeValid).
using MultiPolygon = std::vector<Polygon>;

inline Bounds bounds_of(const MultiPolygon& mp) {
    Bounds b;
    for (const auto& poly : mp)
        if (!poly.rings.empty())
            for (const auto& p : poly.rings[0]) b.add(p.x, p.y);
    return b;
}

} // namespace hotspot
