#pragma once
/// @file svg_map.hpp
/// The map drawing of the tasking report, as a pure core (no GDAL): a world-to-page transform
/// that keeps the aspect ratio, polygon outlines as SVG paths, label points inside polygons
/// (pole of inaccessibility of the largest part), legend classes from the density class breaks,
/// a scale bar of a round length and a north arrow, put together as one standalone <svg>.
/// World coordinates are metres of a projected CRS (EPSG:27700), page units are CSS pixels.

#include <cstdint>
#include <span>
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
/// True when `p` is inside the polygon (inside the outer ring, outside every hole).
bool contains(const Polygon& poly, const Point& p) noexcept;
bool contains(const MultiPolygon& mp, const Point& p) noexcept;

/// Where to put a polygon's label: the pole of inaccessibility (the interior point farthest
/// from the boundary, found to within `precision_m`, after mapbox/polylabel) of the largest
/// part. Always inside the part for a valid polygon. Returns {NaN, NaN} for an empty input.
Point label_point(const MultiPolygon& mp, double precision_m = 1.0);
/// Distance from `p` to the part's boundary (positive inside, negative outside).
double signed_distance(const Polygon& poly, const Point& p) noexcept;

/// An RGBA colour.
struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
    std::string hex() const; ///< "#rrggbb"
};

/// The heat ramp of styles/kde.qml.in (6 colours, the first transparent), so that the report,
/// the quick-look PNG and QGIS show the same classes.
std::span<const Rgba> heat_ramp() noexcept;

/// Class index of `v` for ascending `breaks` (the class i holds values <= breaks[i]; values
/// above the last break fall in the last class), the same rule as the QGIS discrete ramp.
std::size_t class_of(double v, std::span<const double> breaks) noexcept;

/// One legend entry: the class (lower, upper], its colour, and whether it is drawn.
struct LegendClass {
    double lower = 0, upper = 0;
    Rgba colour;
    bool transparent = false;
    std::string label; ///< "12.0 – 23.0"
};

/// Legend classes from the class breaks (as in the manifest's kde.class_breaks): the first
/// class is 0..breaks[0] and transparent (not drawn on the map), colours from heat_ramp().
std::vector<LegendClass> legend_classes(std::span<const double> breaks);

/// Formats a number for a legend with 3 significant figures ("0.647", "12.0", "113", "1,250").
std::string format_value(double v);

/// The longest round length (1, 2 or 5 x 10^k metres) not longer than `max_m`.
/// @throws UsageError when max_m <= 0 or not finite.
double round_scale_length(double max_m);
/// "500 m", "1 km", "2.5 km".
std::string format_length(double metres);

/// Escapes text for XML/HTML (& < > " ').
std::string xml_escape(const std::string& text);

/// A label placed on the map.
struct PlacedLabel {
    std::string text;
    Point at; ///< page position of the label's centre
    double width = 0, height = 0;
};

/// The content of a map: boundaries with names, a raster image, outlined and ranked hot spots,
/// a legend, a scale bar and a north arrow.
struct MapSpec {
    double width = 640, height = 560; ///< the whole SVG, page units
    double margin = 8;
    Bounds world; ///< area to show (e.g. the wards' bounds)
    /// The density surface: a data: URI (PNG) and the world bounds it covers.
    std::string image_href;
    Bounds image_world;
    struct Area {
        MultiPolygon shape;
        std::string name;
    };
    std::vector<Area> areas; ///< ward boundaries, labelled with their names
    struct Hotspot {
        MultiPolygon shape;
        int rank = 0; ///< 0: outlined but not numbered
    };
    std::vector<Hotspot> hotspots; ///< outlined, rank shown in a marker
    std::string legend_title;      ///< "Incidents per km²"
    std::vector<LegendClass> legend;
    double label_font_px = 11;
};

/// What draw_map placed, for tests and for the report's alt text.
struct MapLayout {
    PageBox map_box;                  ///< where the world is drawn
    std::vector<PlacedLabel> labels;  ///< area labels placed (overlapping ones are dropped)
    std::vector<PlacedLabel> markers; ///< hot spot rank markers
    double scale_bar_m = 0;
    std::size_t legend_rows = 0;
};

/// Draws the map as a standalone <svg> element (no external references).
/// @param layout receives where things went (may be null).
std::string draw_map(const MapSpec& spec, MapLayout* layout = nullptr);

} // namespace hotspot::svg
