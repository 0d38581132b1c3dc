#pragma once
/// @file qgis_project.hpp
/// A QGIS project file (.qgs, XML) that opens every layer of a run styled, grouped by
/// profile, over the boundaries. Styles are embedded (the QML of each layer), and sources are
/// relative to the project, so the run folder can be moved or zipped whole.

#include <string>
#include <utility>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

struct ProjectLayer {
    ProjectLayer() = default;
    /// The fields a run sets (the others are filled in by apply_run_view).
    ProjectLayer(std::string name_, std::string source_, bool raster_, std::string geometry_, std::string qml_,
                 bool visible_ = true)
        : name(std::move(name_)), source(std::move(source_)), raster(raster_), geometry(std::move(geometry_)),
          qml(std::move(qml_)), visible(visible_) {}
    std::string name;        ///< shown in the layers panel
    std::string source;      ///< relative path: "run.gpkg|layername=x" or "x.tif"
    bool raster = false;
    std::string geometry;    ///< "Point", "Polygon" for vectors
    std::string qml;         ///< the style to embed
    bool visible = true;
    std::string abstract;    ///< layer metadata; empty: written from the layer's kind (run_view)
    double max_scale_denominator = 0;  ///< > 0: shown only at larger scales (e.g. 50000)
    /// Layer tree custom properties (key, value), e.g. {"legend/label-0", "Incidents per km²"}.
    std::vector<std::pair<std::string, std::string>> properties;
};

struct ProjectGroup {
    std::string name;
    std::vector<ProjectLayer> layers;  ///< top of the panel first
    bool expanded = true;
    bool visible = true;                ///< the group's check box
};

/// What the project opens on, and what its layers' metadata say.
struct ProjectOptions {
    std::string title;
    std::string crs = "EPSG:27700";
    Bounds extent;           ///< the study area: the saved view (with a 3% margin); empty: none
    std::string period;      ///< "2025-07 to 2025-12", for the layers' abstracts
    std::string folder;      ///< where the sources lie (the run folder), to read GeoTIFF tags
    /// A print layout per profile group with a hot spots layer: its density and hot spots over
    /// the boundaries, legend, scale bar, and an atlas over the hot spots (one page each, by
    /// rank). run_project_xml sets it.
    bool layouts = false;
};

/// The view a run's project opens with (issue 15): only the first profile's group visible
/// and expanded; in each group the density and hot spots on, rates, Gi* cells, density change
/// and incidents off; boundaries as a hierarchy (the first level labelled and heavier, the
/// others thin grey, unlabelled and shown only from 1:50,000); human names ("Ward
/// boundaries"); an abstract for every layer (what it is, the period, the method). Layers are
/// recognised by their source's name (boundaries_*, *_rates, *_gistar_cells, *_kde.tif, ...).
void apply_run_view(std::vector<ProjectGroup>& groups, const ProjectOptions& options);

/// The .qgs XML: `groups` as given (first on top), a saved view on the study area, the project
/// CRS and a transform context (no "cannot use preferred transform" warning on open).
std::string qgis_project_xml(const ProjectOptions& options, const std::vector<ProjectGroup>& groups);

/// `s` with & < > " ' as XML entities (project and QML text).
std::string xml_escape(const std::string& s);

/// A run's project: apply_run_view, then qgis_project_xml.
std::string run_project_xml(const ProjectOptions& options, std::vector<ProjectGroup> groups);

/// The .qgs XML for `groups` (first group on top) in `crs` ("EPSG:27700").
std::string qgis_project_xml(const std::string& title, const std::string& crs,
                             const std::vector<ProjectGroup>& groups);

} // namespace hotspot
