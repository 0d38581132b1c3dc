#pragma once
/// @file svg_map.hpp
/// The map drawing of the tasking report, as a pure core (no GDAL): a world-to-page transform
/// that keeps the aspect ratio, polygon outlines as SVG paths, label points inside polygons
/// (pole of inaccessibility of the largest part), legend classes from the density class breaks,
/// a scale bar of a round length and a north arrow, put together as one standalone <svg>.
/// World coordinates are metres of a projected CRS (EPSG:27700), page units are CSS pixels.

#include <string>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/svg_geometry.hpp"
#include "hotspot/svg_style.hpp"

namespace hotspot::svg {

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
    std::vector<MultiPolygon> risk_windows; ///< near-repeat risk windows: orange dashed outlines
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
