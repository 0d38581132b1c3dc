// svg_map.hpp: the report's map builder. Transform, paths, label points inside their areas
// (including concave areas and holes, and the demo town's wards), legend classes from the
// breaks, a round scale bar, and a standalone SVG that references nothing outside itself.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "../support.hpp"
#include "hotspot/areas_io.hpp"
#include "hotspot/error.hpp"
#include "hotspot/svg_map.hpp"

using namespace hotspot;
using namespace hotspot::svg;

namespace {

MultiPolygon rect(double x0, double y0, double x1, double y1) {
    return {Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}}};
}

// A "U": its centroid and bounds centre lie in the gap, outside the polygon.
MultiPolygon u_shape() {
    return {Polygon{{Ring{
        {0, 0}, {300, 0}, {300, 300}, {200, 300}, {200, 40}, {100, 40}, {100, 300}, {0, 300}}}}};
}

} // namespace

TEST_CASE("svg_map: the page transform keeps the aspect ratio, centres and flips y", "[svg_map]") {
    const Bounds world{1000, 2000, 3000, 3000}; // 2 km x 1 km
    const PageTransform t(world, {10, 20, 400, 400});
    CHECK(t.scale() == Approx(0.2)); // limited by the width: 400 px / 2000 m
    const PageBox f = t.fitted();
    CHECK(f.width == Approx(400));
    CHECK(f.height == Approx(200));
    CHECK(f.y == Approx(20 + 100)); // centred vertically
    const Point tl = t.to_page(1000, 3000), br = t.to_page(3000, 2000);
    CHECK(tl.x == Approx(10));
    CHECK(tl.y == Approx(120));
    CHECK(br.x == Approx(410));
    CHECK(br.y == Approx(320));
    // Equal scales: a 100 m square stays square on the page.
    const Point a = t.to_page(1500, 2500), b = t.to_page(1600, 2600);
    CHECK(std::abs(b.x - a.x) == Approx(std::abs(b.y - a.y)));
    CHECK(b.y < a.y); // north is up
    const Point w = t.to_world(a.x, a.y);
    CHECK(w.x == Approx(1500));
    CHECK(w.y == Approx(2500));
    CHECK_THROWS_AS(PageTransform(Bounds{}, {0, 0, 10, 10}), hotspot::UsageError);
    CHECK_THROWS_AS(PageTransform(world, {0, 0, 0, 10}), hotspot::UsageError);
}

TEST_CASE("svg_map: path data has one closed subpath per ring", "[svg_map]") {
    MultiPolygon mp = rect(0, 0, 100, 100);
    mp[0].rings.push_back(Ring{{25, 25}, {75, 25}, {75, 75}, {25, 75}}); // a hole
    const PageTransform t({0, 0, 100, 100}, {0, 0, 100, 100});
    const std::string d = path_data(mp, t);
    CHECK(d == "M0 100L100 100L100 0L0 0ZM25 75L75 75L75 25L25 25Z");
    CHECK(polygon_area(mp[0]) == Approx(10000 - 2500));
    CHECK_FALSE(contains(mp, {50, 50})); // in the hole
    CHECK(contains(mp, {10, 50}));
}

TEST_CASE("svg_map: label points fall inside concave polygons, holes and the largest part",
          "[svg_map]") {
    const auto u = u_shape();
    const Point p = label_point(u);
    INFO("U label at " << p.x << "," << p.y);
    CHECK(contains(u, p));
    CHECK(signed_distance(u[0], p) >=
          40); // well inside an arm (arms are 100 m wide), not on an edge

    MultiPolygon ring = rect(0, 0, 1000, 1000);
    ring[0].rings.push_back(Ring{{100, 100}, {900, 100}, {900, 900}, {100, 900}}); // a 100 m frame
    const Point q = label_point(ring);
    CHECK(contains(ring, q));
    // The pole of a square frame is in a corner: 100 / (1 + 1/sqrt 2) m from both edges and the
    // hole's corner.
    CHECK(signed_distance(ring[0], q) == Approx(100 / (1 + 1 / std::sqrt(2.0))).margin(1));

    MultiPolygon two = rect(0, 0, 10, 10);
    const auto big = rect(100, 100, 400, 300);
    two.push_back(big[0]);
    const Point r = label_point(two);
    CHECK(r.x == Approx(250).margin(2));
    CHECK(r.y == Approx(200).margin(2));
    CHECK(std::isnan(label_point({}).x));
}

TEST_CASE("svg_map: every demo ward's label point and placed label is inside the ward",
          "[svg_map]") {
    AreaSpec spec =
        AreaSpec::parse("ward=" + (test::source_dir() / "shapes/demo/wards.geojson").string() +
                        ":ward_code:ward_name");
    const AreaLayer wards = read_area_layer(spec);
    REQUIRE(wards.polygons.size() == 10);
    MapSpec m;
    m.world = wards.bounds.grown(100);
    for (std::size_t i = 0; i < wards.polygons.size(); ++i) {
        const Point p = label_point(wards.polygons[i]);
        INFO(wards.names[i]);
        CHECK(contains(wards.polygons[i], p));
        m.areas.push_back({wards.polygons[i], wards.names[i]});
    }
    MapLayout lay;
    const std::string svg = draw_map(m, &lay);
    const PageTransform t(m.world,
                          {m.margin, m.margin, m.width - 2 * m.margin, m.height - 2 * m.margin});
    CHECK(lay.labels.size() == 10); // ten wards on a 640 px map: every name fits
    for (const auto& l : lay.labels) {
        INFO(l.text);
        std::size_t i = 0;
        while (i < wards.names.size() && wards.names[i] != l.text)
            ++i;
        REQUIRE(i < wards.names.size());
        CHECK(contains(wards.polygons[i], t.to_world(l.at.x, l.at.y)));
        CHECK(svg.find(">" + l.text + "</text>") != std::string::npos);
    }
    // Labels do not overlap each other.
    for (std::size_t a = 0; a < lay.labels.size(); ++a)
        for (std::size_t b = a + 1; b < lay.labels.size(); ++b) {
            const auto &la = lay.labels[a], &lb = lay.labels[b];
            const bool apart = std::abs(la.at.x - lb.at.x) * 2 >= la.width + lb.width ||
                               std::abs(la.at.y - lb.at.y) * 2 >= la.height + lb.height;
            CHECK(apart);
        }
}

TEST_CASE("svg_map: legend classes follow the breaks and the QGIS ramp", "[svg_map]") {
    const std::vector<double> breaks{6.47, 12.0, 23.0, 63.0, 92.8, 113.0};
    const auto cls = legend_classes(breaks);
    REQUIRE(cls.size() == 6);
    CHECK(cls[0].transparent);
    CHECK(cls[0].lower == 0);
    CHECK(cls[0].upper == 6.47);
    for (std::size_t i = 1; i < cls.size(); ++i) {
        CHECK_FALSE(cls[i].transparent);
        CHECK(cls[i].lower == breaks[i - 1]);
        CHECK(cls[i].upper == breaks[i]);
    }
    // The colours of styles/kde.qml.in (and the quick-look PNG).
    CHECK(cls[1].colour.hex() == "#fecc5c");
    CHECK(cls[3].colour.hex() == "#f03b20");
    CHECK(cls[5].colour.hex() == "#bd0026");
    CHECK(cls[2].label == "12.0 \u2013 23.0");
    CHECK(class_of(0.0, breaks) == 0);
    CHECK(class_of(6.47, breaks) == 0); // upper bound inclusive, as the discrete ramp
    CHECK(class_of(6.5, breaks) == 1);
    CHECK(class_of(1e9, breaks) == 5);
    CHECK(legend_classes({}).empty());

    MapSpec m;
    m.world = {0, 0, 1000, 800};
    m.legend = cls;
    m.legend_title = "Incidents per km\u00b2";
    MapLayout lay;
    const std::string svg = draw_map(m, &lay);
    CHECK(lay.legend_rows == 5); // the transparent class is not drawn as a swatch
    CHECK(svg.find("fill=\"#bd0026\"") != std::string::npos);
    CHECK(svg.find("unshaded: below 6.47") != std::string::npos);
}

TEST_CASE("svg_map: with fewer classes the densest is still the darkest, as in the density style", "[svg_map]") {
    // One shaded class (a sparse profile whose k-incident floor leaves only the densest 0.6%):
    // it must be drawn in the darkest colour, as raster_out's QML and quick-look PNG draw it.
    const std::vector<double> one{48.0, 2960.0};
    const auto c1 = legend_classes(one);
    REQUIRE(c1.size() == 2);
    CHECK(c1[0].transparent);
    CHECK(c1[1].colour.hex() == "#bd0026");
    CHECK(heat_class_colour(class_of(100.0, one), one.size()).hex() == "#bd0026");
    // Three shaded classes: the three darkest colours, in order.
    const std::vector<double> three{10.0, 20.0, 30.0, 40.0};
    const auto c3 = legend_classes(three);
    CHECK(c3[1].colour.hex() == "#f03b20");
    CHECK(c3[2].colour.hex() == "#dc1423");
    CHECK(c3[3].colour.hex() == "#bd0026");
    CHECK(heat_class_colour(0, three.size()).a == 0);
}

TEST_CASE("svg_map: scale bar lengths are round, north arrow drawn, nothing external",
          "[svg_map]") {
    CHECK(round_scale_length(2700) == 2000);
    CHECK(round_scale_length(999) == 500);
    CHECK(round_scale_length(1000) == 1000);
    CHECK(round_scale_length(0.3) == Approx(0.2));
    CHECK(round_scale_length(7500) == 5000);
    CHECK_THROWS_AS(round_scale_length(0), hotspot::UsageError);
    CHECK(format_length(500) == "500 m");
    CHECK(format_length(2000) == "2 km");
    CHECK(format_length(2500) == "2.5 km");

    MapSpec m;
    m.world = {400000, 300000, 410000, 308000}; // 10 km wide
    MapLayout lay;
    const std::string svg = draw_map(m, &lay);
    CHECK(lay.scale_bar_m == 2000); // at most a quarter of ~624 px over 10 km
    CHECK(svg.find("2 km</text>") != std::string::npos);
    CHECK(svg.find("class=\"north-arrow\"") != std::string::npos);
    // The only URL is the SVG namespace; no href to anything but data: URIs.
    const std::string without_ns =
        std::regex_replace(svg, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
    CHECK(without_ns.find("http") == std::string::npos);
    CHECK(xml_escape("A & B <c> \"d\" 'e'") == "A &amp; B &lt;c&gt; &quot;d&quot; &#39;e&#39;");
}

TEST_CASE("svg_map: legend labels of a force's wide classes do not run into each other", "[svg_map]") {
    // "1,919 – 13,656hot spot" (issue 15): each slot is as wide as its label, wrapping rows.
    const std::vector<double> breaks = {1919, 13656, 50000, 123456, 987654, 1234567};
    MapSpec m;
    m.world = {0, 0, 1000, 800};
    m.width = 320;
    m.height = 400;
    m.legend = legend_classes(breaks);
    m.legend_title = "Incidents per km\u00b2";
    const std::string svg = draw_map(m);
    const auto legend = svg.substr(svg.find("<g class=\"legend\">"));
    std::map<std::string, std::vector<std::pair<double, std::string>>> rows; // y -> (x, label)
    const std::regex text(R"re(<text x="([0-9.]+)" y="([0-9.]+)" font-size="9.5">([^<]+)</text>)re");
    for (auto it = std::sregex_iterator(legend.begin(), legend.end(), text); it != std::sregex_iterator(); ++it)
        if ((*it)[3].str().rfind("unshaded", 0) != 0)
            rows[(*it)[2]].push_back({std::stod((*it)[1]), (*it)[3]});
    std::size_t labels = 0;
    for (auto& [y, row] : rows) {
        std::sort(row.begin(), row.end());
        for (std::size_t i = 0; i + 1 < row.size(); ++i) {
            INFO(row[i].second << " then " << row[i + 1].second);
            // at least 0.5 em per character between the starts of neighbours
            CHECK(row[i + 1].first - row[i].first >= 0.5 * 9.5 * double(row[i].second.size()));
        }
        labels += row.size();
    }
    CHECK(labels == 6); // 5 shaded classes and the hot spot key
    CHECK(rows.size() >= 2); // wrapped onto a second row at this width
    for (const auto& [y, row] : rows)
        for (const auto& [x, label] : row)
            CHECK(x + 0.5 * 9.5 * double(label.size()) <= m.width);
}
