#include "hotspot/qgis_project.hpp"

#include <sstream>

#include "hotspot/crs.hpp"

namespace hotspot {

namespace {

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += c;
        }
    }
    return out;
}

// The children of a QML document's <qgis> element: what a <maplayer> holds for its style.
std::string qml_inner(const std::string& qml) {
    const auto open = qml.find("<qgis");
    if (open == std::string::npos) return "";
    const auto start = qml.find('>', open);
    const auto end = qml.rfind("</qgis>");
    if (start == std::string::npos || end == std::string::npos || end < start) return "";
    return qml.substr(start + 1, end - start - 1);
}

std::string layer_id(const std::string& name, std::size_t k) {
    std::string id = "hotspot_";
    for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return id + "_" + std::to_string(k);
}

} // namespace

std::string qgis_project_xml(const std::string& title, const std::string& crs, const std::vector<ProjectGroup>& groups) {
    std::string wkt;
    try {
        wkt = crs_wkt(crs);
    } catch (...) {
    }
    const std::string srs = "<spatialrefsys><wkt>" + xml_escape(wkt) + "</wkt><authid>" + xml_escape(crs) +
                            "</authid></spatialrefsys>";
    std::ostringstream tree, layers;
    std::size_t k = 0;
    for (const auto& g : groups) {
        tree << "    <layer-tree-group name=\"" << xml_escape(g.name) << "\" checked=\"Qt::Checked\" expanded=\""
             << (g.expanded ? 1 : 0) << "\">\n      <customproperties/>\n";
        for (const auto& l : g.layers) {
            const std::string id = layer_id(l.name, k++);
            const std::string provider = l.raster ? "gdal" : "ogr";
            tree << "      <layer-tree-layer id=\"" << id << "\" name=\"" << xml_escape(l.name) << "\" source=\""
                 << xml_escape(l.source) << "\" providerKey=\"" << provider << "\" checked=\""
                 << (l.visible ? "Qt::Checked" : "Qt::Unchecked") << "\" expanded=\"0\">\n"
                 << "        <customproperties/>\n      </layer-tree-layer>\n";
            layers << "    <maplayer type=\"" << (l.raster ? "raster" : "vector") << "\"";
            if (!l.raster) layers << " geometry=\"" << xml_escape(l.geometry) << "\"";
            layers << " hasScaleBasedVisibilityFlag=\"0\">\n"
                   << "      <id>" << id << "</id>\n"
                   << "      <datasource>" << xml_escape(l.source) << "</datasource>\n"
                   << "      <layername>" << xml_escape(l.name) << "</layername>\n"
                   << "      <srs>" << srs << "</srs>\n"
                   << "      <provider" << (l.raster ? "" : " encoding=\"UTF-8\"") << ">" << provider << "</provider>\n"
                   << qml_inner(l.qml) << "\n    </maplayer>\n";
        }
        tree << "    </layer-tree-group>\n";
    }
    std::ostringstream x;
    x << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
      << "<qgis projectname=\"" << xml_escape(title) << "\" version=\"3.22.16\">\n"
      << "  <homePath path=\"\"/>\n"
      << "  <title>" << xml_escape(title) << "</title>\n"
      << "  <projectCrs>" << srs << "</projectCrs>\n"
      << "  <layer-tree-group>\n    <customproperties/>\n"
      << tree.str() << "  </layer-tree-group>\n"
      << "  <projectlayers>\n" << layers.str() << "  </projectlayers>\n"
      << "  <properties>\n    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n"
      // QGIS 3.22 reads <projectCrs> only when projections are enabled.
      << "    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n    </SpatialRefSys>\n"
      << "  </properties>\n"
      << "</qgis>\n";
    return x.str();
}

} // namespace hotspot
