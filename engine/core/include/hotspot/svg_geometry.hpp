#pragma once
/// @file svg_geometry.hpp
/// Page geometry of the report's maps, as a pure core (no GDAL): a world-to-page transform that
/// keeps the aspect ratio, polygon outlines as SVG paths, polygon areas and containment, and
/// label points inside polygons (pole of inaccessibility of the largest part, after
/// mapbox/polylabel). World coordinates are metres of a projected CRS (EPSG:27700), page units
/// are CSS pixels.

#include <string>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot::svg {

/// A rectangle on the page, y down (SVG convention).
struct PageBox {
    double x = 0, y = 0, width = 0, height = 0;
};

/// Maps world metres (y up) into a page box (y down), the same scale on both axes, the world
/// bounds centred in the box. @throws UsageError for empty/degenerate bounds or an empty box.
class PageTransform {
  public:
    PageTransform(const Bounds& world, const PageBox& box);
    /// The page position of a world point.
    Point to_page(double x, double y) const noexcept;
    Point to_page(const Point& p) const noexcept { return to_page(p.x, p.y); }
    /// The world position of a page point (inverse of to_page).
    Point to_world(double px, double py) const noexcept;
    /// Page units per world metre.
    double scale() const noexcept { return m_scale; }
    /// The page box actually covered by `world` (inside the box given).
    PageBox fitted() const noexcept { return m_fitted; }

  private:
    double m_scale = 1, m_wx = 0, m_wy = 0; // world xmin, ymax
    PageBox m_fitted;
};

/// SVG path data ("M x y L ... Z", one subpath per ring) of a multipolygon; draw with
/// fill-rule="evenodd" so holes stay holes. Coordinates rounded to 0.1 page units.
std::string path_data(const MultiPolygon& mp, const PageTransform& t);

/// Signed area of a ring (counter-clockwise positive), square metres.
double ring_area(const Ring& ring) noexcept;
/// Area of a polygon (outer minus holes), square metres.
double polygon_area(const Polygon& poly) noexcept;
/// Area of every polygon of `mp` (outer minus holes), square metres.
double polygon_area(const MultiPolygon& mp) noexcept;
/// Area of a layer's polygons (a study area), square metres: the one sum that the run and the
/// single commands state PAI and thresholds against.
double polygon_area(const std::vector<MultiPolygon>& polygons) noexcept;
/// True when `p` is inside the polygon (inside the outer ring, outside every hole).
bool contains(const Polygon& poly, const Point& p) noexcept;
bool contains(const MultiPolygon& mp, const Point& p) noexcept;

/// Where to put a polygon's label: the pole of inaccessibility (the interior point farthest
/// from the boundary, found to within `precision_m`, after mapbox/polylabel) of the largest
/// part. Always inside the part for a valid polygon. Returns {NaN, NaN} for an empty input.
Point label_point(const MultiPolygon& mp, double precision_m = 1.0);
/// Distance from `p` to the part's boundary (positive inside, negative outside).
double signed_distance(const Polygon& poly, const Point& p) noexcept;

} // namespace hotspot::svg
