// The diverging raster style (detail::diverging_raster_qml, diverging_qml.hpp).

#include "diverging_qml.hpp"

#include <cstdio>
#include <sstream>
#include <vector>

#include "util/text.hpp"

namespace hotspot::detail {

// A diverging QGIS raster style for z-scores or differences, symmetric around 0.
std::string diverging_raster_qml(double limit, const std::string& label, bool z_classes) {
    std::ostringstream items;
    struct Item { double v; const char* color; std::string text; };
    std::vector<Item> list;
    if (z_classes) {
        list = {{-2.576, "33,102,172,255", "cold, 99%"}, {-1.960, "103,169,207,255", "cold, 95%"},
                {-1.645, "209,229,240,255", "cold, 90%"}, {1.645, "247,247,247,0", "not significant"},
                {1.960, "253,219,199,255", "hot, 90%"}, {2.576, "239,138,98,255", "hot, 95%"},
                {1e9, "178,24,43,255", "hot, 99%"}};
    } else {
        const double l = limit > 0 ? limit : 1;
        list = {{-0.5 * l, "33,102,172,255", "large fall"}, {-0.1 * l, "103,169,207,255", "fall"},
                {0.1 * l, "247,247,247,0", "little change"}, {0.5 * l, "239,138,98,255", "rise"},
                {1e9, "178,24,43,255", "large rise"}};
    }
    for (const auto& i : list)
        items << "            <item alpha=\"255\" value=\"" << (i.v >= 1e9 ? std::string("inf") : util::fixed(i.v, 4))
              << "\" label=\"" << i.text << "\" color=\"#" << [&] {
                     int r = 0, g = 0, b = 0, a = 0;
                     std::sscanf(i.color, "%d,%d,%d,%d", &r, &g, &b, &a);
                     char buf[8];
                     std::snprintf(buf, sizeof buf, "%02x%02x%02x", r, g, b);
                     return std::string(buf);
                 }() << "\"/>\n";
    std::ostringstream q;
    q << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
      << "<!-- " << label << " written by hotspot: diverging classes around 0. -->\n"
      << "<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\">\n  <pipe>\n"
      << "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"0.85\" alphaBand=\"-1\" "
         "classificationMin=\"" << -limit << "\" classificationMax=\"" << limit << "\" nodataColor=\"\">\n"
      << "      <rasterTransparency/>\n      <rastershader>\n"
      << "        <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"2\" clip=\"0\" minimumValue=\""
      << -limit << "\" maximumValue=\"" << limit << "\" labelPrecision=\"2\">\n"
      << items.str() << "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n"
      << "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
      << "    <huesaturation colorizeOn=\"0\" saturation=\"0\" grayscaleMode=\"0\"/>\n"
      << "    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n";
    return q.str();
}

} // namespace hotspot::detail
