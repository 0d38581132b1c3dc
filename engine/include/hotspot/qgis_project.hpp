#pragma once
/// @file qgis_project.hpp
/// A QGIS project file (.qgs, XML) that opens every layer of a run styled, grouped by
/// profile, over the boundaries. Styles are embedded (the QML of each layer), and sources are
/// relative to the project, so the run folder can be moved or zipped whole.

#include <string>
#include <vector>

namespace hotspot {

struct ProjectLayer {
    std::string name;        ///< shown in the layers panel
    std::string source;      ///< relative path: "run.gpkg|layername=x" or "x.tif"
    bool raster = false;
    std::string geometry;    ///< "Point", "Polygon" for vectors
    std::string qml;         ///< the style to embed
    bool visible = true;
};

struct ProjectGroup {
    std::string name;
    std::vector<ProjectLayer> layers;  ///< top of the panel first
    bool expanded = true;
};

/// The .qgs XML for `groups` (first group on top) in `crs` ("EPSG:27700").
std::string qgis_project_xml(const std::string& title, const std::string& crs,
                             const std::vector<ProjectGroup>& groups);

} // namespace hotspot
