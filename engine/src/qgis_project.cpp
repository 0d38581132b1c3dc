#include "hotspot/qgis_project.hpp"

#include <cctype>
#include <filesystem>
#include <map>
#include <sstream>

#include <gdal.h>
#include <proj.h>

#include "gdal_env.hpp"
#include "hotspot/crs.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "hotspot/steps/kde_tags.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/version.hpp"

namespace hotspot {

namespace {


// The children of a QML document's <qgis> element: what a <maplayer> holds for its style.
std::string qml_inner(const std::string& qml) {
    const auto open = qml.find("<qgis");
    if (open == std::string::npos) return "";
    const auto start = qml.find('>', open);
    const auto end = qml.rfind("</qgis>");
    if (start == std::string::npos || end == std::string::npos || end < start) return "";
    return qml.substr(start + 1, end - start - 1);
}

/// The value of the custom property `key` in a QML document ("" when absent).
std::string qml_property(const std::string& qml, const std::string& key) {
    const std::string tag = "name=\"" + key + "\" value=\"";
    const auto at = qml.find(tag);
    if (at == std::string::npos) return "";
    const auto end = qml.find('"', at + tag.size());
    std::string v = qml.substr(at + tag.size(), end - at - tag.size());
    // undo the XML entities the QML writer used
    for (const auto& [ent, ch] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}})
        for (auto p = v.find(ent); p != std::string::npos; p = v.find(ent, p + 1)) v.replace(p, std::string(ent).size(), ch);
    return v;
}

std::string layer_id(const std::string& name, std::size_t k) {
    std::string id = "hotspot_";
    for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return id + "_" + std::to_string(k);
}

} // namespace

namespace {

/// What a run's layer is, from its source's name.
enum class Role { boundaries, incidents, hotspots, gistar, rates, density, change, other };

Role role_of(const ProjectLayer& l) {
    const std::string& s = l.source;
    const auto ends = [&](const std::string& tail) {
        return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (s.find("layername=boundaries_") != std::string::npos) return Role::boundaries;
    if (ends("_kde_change.tif")) return Role::change;
    if (ends("_kde.tif")) return Role::density;
    if (ends("_incidents")) return Role::incidents;
    if (ends("_hotspots")) return Role::hotspots;
    if (ends("_gistar_cells")) return Role::gistar;
    if (ends("_rates")) return Role::rates;
    return Role::other;
}

/// "Ward", "LSOA": an area level's name as a heading (the ONS geography codes in capitals).
std::string level_title(std::string level) {
    std::string lower = level;
    for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "lsoa" || lower == "msoa" || lower == "oa" || lower == "lad" || lower == "pfa" || lower == "csp") {
        for (auto& c : level) c = char(std::toupper(static_cast<unsigned char>(c)));
    } else if (!level.empty()) {
        level[0] = char(std::toupper(static_cast<unsigned char>(level[0])));
    }
    return level;
}

/// The GeoTIFF tags of `path` (empty when it cannot be read).
std::map<std::string, std::string> tiff_tags(const std::string& path) {
    std::map<std::string, std::string> tags;
    detail::ensure_gdal();
    detail::GdalErrorScope quiet;
    GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
    if (!ds) return tags;
    if (char** md = GDALGetMetadata(ds, nullptr))
        for (int i = 0; md[i]; ++i) {
            const std::string kv = md[i];
            const auto eq = kv.find('=');
            if (eq != std::string::npos) tags[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
    GDALClose(ds);
    return tags;
}

std::string tag(const std::map<std::string, std::string>& t, const std::string& key, const std::string& dflt = "?") {
    const auto it = t.find(key);
    return it == t.end() || it->second.empty() ? dflt : it->second;
}

std::string abstract_of(Role role, const std::string& profile, const std::string& level, const ProjectLayer& l,
                        const ProjectOptions& o) {
    const std::string period = o.period.empty() ? "" : " in " + o.period;
    const std::string by = " Written by hotspot " + std::string(version) + ".";
    std::string file = l.source;
    if (file.rfind("./", 0) == 0) file = file.substr(2);
    const auto tags = role == Role::density || role == Role::change
                          ? tiff_tags((std::filesystem::path(o.folder) / file).string())
                          : std::map<std::string, std::string>{};
    switch (role) {
    case Role::boundaries:
        return level_title(level) + " boundaries of the study area, with each area's code, name and population." + by;
    case Role::incidents:
        return "The incidents of the profile " + profile + period + ", one point each, with every field as read "
               "and the code of the area each falls in. Rows that could not be used are in the rejects table." + by;
    case Role::hotspots:
        return "Hot spots of " + profile + period + ": regions of the kernel density surface above the hot spot "
               "threshold, ranked by the incidents they hold, with their share of the incidents, the PAI "
               "(share of incidents / share of area; Chainey, Tompson & Uhlig 2008) and the areas they cross." + by;
    case Role::gistar:
        return "Getis-Ord Gi* on grid cells for " + profile + period + ": z-scores of the incident counts with a "
               "binary distance band (self included), classed as hot or cold at 90, 95 and 99% after correction "
               "for multiple testing (ArcGIS's bins)." + by;
    case Role::rates:
        return level_title(level) + " counts of " + profile + period + " and, where the profile has a denominator, "
               "rates per 1,000 residents with exact Poisson confidence intervals, classed against the reference "
               "rate (significantly above/below: the 99.8% interval excludes it), and local Moran's I clusters."
               " Off by default: tick it to see rates instead of the density." + by;
    case Role::density:
        return "Kernel density of " + profile + " incidents, " + tag(tags, kde_tag::period) + " (" + tag(tags, kde_tag::incidents) +
               " incidents): " + tag(tags, kde_tag::kernel) + " kernel, " + tag(tags, kde_tag::bandwidth_m) + " m bandwidth (" +
               tag(tags, kde_tag::bandwidth_method) + "), " + tag(tags, kde_tag::cell_size_m) + " m cells, " +
               tag(tags, kde_tag::units) + ". Classes by share of the study area, darkest = the densest 0.5%; each label "
               "gives the share of the incidents it holds. Cells that fewer than " +
               tag(tags, kde_tag::heat_min_incidents, "3") + " incidents reach are not shaded, so no lone incident shows "
               "as a hot spot." + by;
    case Role::change:
        return "Change in the kernel density of " + profile + ": the density of " + tag(tags, kde_tag::period) +
               " minus that of the comparison period (" + tag(tags, kde_tag::comparison) + "), same grid, kernel (" +
               tag(tags, kde_tag::kernel) + ") and bandwidth (" + tag(tags, kde_tag::bandwidth_m) + " m)" +
               (tags.count(change_significance_tag) ? "; " + tag(tags, change_significance_tag) : std::string()) + "." + by;
    case Role::other: break;
    }
    return "";
}

/// The operation from `crs` to WGS 84 that QGIS should use: PROJ's first whose grids are
/// installed, over the CRS's area (for British National Grid: the Helmert "OSGB36 to WGS 84
/// (6)", 2 m, the engine's own choice, crs.cpp). Without it QGIS prefers the OSTN15 grid, which
/// Debian does not ship, and warns "Cannot use preferred transform" on every open. In QGIS's
/// axis order (x = easting or longitude). Empty when PROJ offers none.
std::string wgs84_operation(const std::string& crs) {
    PJ_CONTEXT* ctx = proj_context_create();
    std::string out;
    PJ* src = proj_create(ctx, crs.c_str());
    PJ* dst = proj_create(ctx, "EPSG:4326");
    if (src && dst && !proj_is_equivalent_to(src, dst, PJ_COMP_EQUIVALENT)) {
        PJ_OPERATION_FACTORY_CONTEXT* f = proj_create_operation_factory_context(ctx, nullptr);
        proj_operation_factory_context_set_spatial_criterion(ctx, f, PROJ_SPATIAL_CRITERION_PARTIAL_INTERSECTION);
        proj_operation_factory_context_set_grid_availability_use(
            ctx, f, PROJ_GRID_AVAILABILITY_DISCARD_OPERATION_IF_MISSING_GRID);
        if (PJ_OBJ_LIST* ops = proj_create_operations(ctx, src, dst, f)) {
            if (proj_list_get_count(ops) > 0)
                if (PJ* op = proj_list_get(ctx, ops, 0)) {
                    // QGIS applies the string as written: easting/northing to longitude/latitude
                    if (PJ* norm = proj_normalize_for_visualization(ctx, op)) {
                        if (const char* p = proj_as_proj_string(ctx, norm, PJ_PROJ_5, nullptr)) out = p;
                        proj_destroy(norm);
                    }
                    proj_destroy(op);
                }
            proj_list_destroy(ops);
        }
        proj_operation_factory_context_destroy(f);
    }
    if (src) proj_destroy(src);
    if (dst) proj_destroy(dst);
    proj_context_destroy(ctx);
    return out;
}

std::string srs_xml(const std::string& crs) {
    std::string wkt;
    try {
        wkt = crs_wkt(crs);
    } catch (...) {
    }
    return "<spatialrefsys><wkt>" + xml_escape(wkt) + "</wkt><authid>" + xml_escape(crs) + "</authid></spatialrefsys>";
}

std::string num(double v) {
    std::ostringstream s;
    s.precision(12);
    s << v;
    return s.str();
}

} // namespace

namespace {

/// The print layouts (layout.xml.in) of the profile groups that have a hot spots layer; layer
/// ids as qgis_project_xml gives them (layer_id of the name and the running index).
std::string print_layouts(const ProjectOptions& o, const std::vector<ProjectGroup>& groups) {
    std::vector<std::vector<std::string>> ids;
    std::size_t k = 0;
    for (const auto& g : groups) {
        ids.emplace_back();
        for (const auto& l : g.layers) ids.back().push_back(layer_id(l.name, k++));
    }
    const auto layer_xml = [](const ProjectLayer& l, const std::string& id) {
        return "          <Layer provider=\"" + std::string(l.raster ? "gdal" : "ogr") + "\" name=\"" + xml_escape(l.name) +
               "\" source=\"" + xml_escape(l.source) + "\">" + id + "</Layer>\n";
    };
    std::string boundaries;
    for (std::size_t gi = 0; gi < groups.size(); ++gi)
        for (std::size_t li = 0; li < groups[gi].layers.size(); ++li)
            if (role_of(groups[gi].layers[li]) == Role::boundaries) boundaries += layer_xml(groups[gi].layers[li], ids[gi][li]);
    std::string out;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        const ProjectGroup& g = groups[gi];
        std::string map_layers, hs_id, hs_name, hs_source;
        for (std::size_t li = 0; li < g.layers.size(); ++li) {
            const Role r = role_of(g.layers[li]);
            if (r != Role::hotspots && r != Role::density) continue;
            map_layers += layer_xml(g.layers[li], ids[gi][li]);
            if (r == Role::hotspots) hs_id = ids[gi][li], hs_name = g.layers[li].name, hs_source = g.layers[li].source;
        }
        if (hs_id.empty()) continue;
        std::string t(style_qml("layout_template"));
        t = t.substr(t.find("<Layout "));
        const double mx = 0.03 * std::max(o.extent.width(), 1.0), my = 0.03 * std::max(o.extent.height(), 1.0);
        const bool has_extent = !o.extent.empty();
        const std::pair<const char*, std::string> subs[] = {
            {"{{NAME}}", xml_escape(g.name + ": hot spots atlas")},
            {"{{TITLE}}", xml_escape(g.name + (o.period.empty() ? "" : ", " + o.period) +
                                     ": numbered hot spot [% \"rank\" %] of [% @atlas_totalfeatures %]")},
            {"{{INFO}}", xml_escape("Hot spot [% \"rank\" %]: [% \"incidents\" %] incidents; grid reference [% \"grid_ref\" %]; "
                                    "streets: [% \"streets\" %]; wards: [% \"wards\" %]")},
            {"{{XMIN}}", num(has_extent ? o.extent.xmin - mx : 0)}, {"{{XMAX}}", num(has_extent ? o.extent.xmax + mx : 1)},
            {"{{YMIN}}", num(has_extent ? o.extent.ymin - my : 0)}, {"{{YMAX}}", num(has_extent ? o.extent.ymax + my : 1)},
            {"{{MAP_LAYERS}}", map_layers + boundaries},
            {"{{HOTSPOTS_ID}}", hs_id}, {"{{HOTSPOTS_NAME}}", xml_escape(hs_name)},
            {"{{HOTSPOTS_SOURCE}}", xml_escape(hs_source)}};
        for (const auto& [key, value] : subs)
            for (auto at = t.find(key); at != std::string::npos; at = t.find(key, at + value.size()))
                t.replace(at, std::string(key).size(), value);
        out += "    " + t + "\n";
    }
    return out;
}

} // namespace

void apply_run_view(std::vector<ProjectGroup>& groups, const ProjectOptions& o) {
    bool first_profile = true;
    for (auto& g : groups) {
        const bool boundaries = g.name == "Boundaries";
        if (!boundaries) {
            g.visible = g.expanded = first_profile;
            first_profile = false;
        }
        std::size_t level_k = 0;
        for (auto& l : g.layers) {
            const Role role = role_of(l);
            std::string level;
            if (role == Role::boundaries) level = l.source.substr(l.source.find("layername=boundaries_") + 21);
            if (role == Role::rates) {
                // "<profile>_<level>_rates": the level is the part before "_rates" after the last '_'
                const std::string stem = l.source.substr(0, l.source.size() - 6);
                level = stem.substr(stem.rfind('_') + 1);
            }
            switch (role) {
            case Role::boundaries:
                l.name = level_title(level) + " boundaries";
                l.visible = true;
                if (level_k++ > 0) {
                    // the finer levels: thin grey, unlabelled, only when zoomed in
                    l.qml = std::string(style_qml("boundaries_minor"));
                    l.max_scale_denominator = 50000;
                }
                break;
            case Role::density:
            case Role::hotspots: l.visible = true; break;
            case Role::rates:
                l.name = g.name + ": " + level_title(level) + " rates";
                l.visible = false;
                break;
            case Role::gistar:
            case Role::change:
            case Role::incidents: l.visible = false; break;
            case Role::other: break;
            }
            if (l.abstract.empty()) l.abstract = abstract_of(role, g.name, level, l, o);
            if (l.raster) {
                // The legend's first line is QGIS's band name, "Band 1: ... (Gray)": replace it
                // with the style's title (units and period) or the layer's name.
                std::string title = qml_property(l.qml, "hotspot/legend");
                if (role == Role::change) title = "Change in " + (title.empty() ? std::string("density") : title) +
                                                  ", this period minus the comparison";
                l.properties.emplace_back("legend/label-0", title.empty() ? l.name : title);
            }
        }
    }
}

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

std::string run_project_xml(const ProjectOptions& options, std::vector<ProjectGroup> groups) {
    apply_run_view(groups, options);
    ProjectOptions o = options;
    o.layouts = true;
    return qgis_project_xml(o, groups);
}

std::string qgis_project_xml(const std::string& title, const std::string& crs, const std::vector<ProjectGroup>& groups) {
    ProjectOptions o;
    o.title = title;
    o.crs = crs;
    return qgis_project_xml(o, groups);
}

std::string qgis_project_xml(const ProjectOptions& o, const std::vector<ProjectGroup>& groups) {
    const std::string& title = o.title;
    const std::string srs = srs_xml(o.crs);
    std::ostringstream tree, layers;
    std::size_t k = 0;
    std::string layouts = o.layouts ? print_layouts(o, groups) : "";
    for (const auto& g : groups) {
        tree << "    <layer-tree-group name=\"" << xml_escape(g.name) << "\" checked=\""
             << (g.visible ? "Qt::Checked" : "Qt::Unchecked") << "\" expanded=\"" << (g.expanded ? 1 : 0)
             << "\">\n      <customproperties/>\n";
        for (const auto& l : g.layers) {
            const std::string id = layer_id(l.name, k++);
            const std::string provider = l.raster ? "gdal" : "ogr";
            tree << "      <layer-tree-layer id=\"" << id << "\" name=\"" << xml_escape(l.name) << "\" source=\""
                 << xml_escape(l.source) << "\" providerKey=\"" << provider << "\" checked=\""
                 << (l.visible ? "Qt::Checked" : "Qt::Unchecked") << "\" expanded=\"" << (l.visible && g.visible ? 1 : 0)
                 << "\">\n        <customproperties>\n";
            for (const auto& [key, value] : l.properties)
                tree << "          <property key=\"" << xml_escape(key) << "\" value=\"" << xml_escape(value) << "\"/>\n";
            tree << "        </customproperties>\n      </layer-tree-layer>\n";
            layers << "    <maplayer type=\"" << (l.raster ? "raster" : "vector") << "\"";
            if (!l.raster) layers << " geometry=\"" << xml_escape(l.geometry) << "\"";
            if (l.max_scale_denominator > 0)
                layers << " hasScaleBasedVisibilityFlag=\"1\" maxScale=\"0\" minScale=\"" << num(l.max_scale_denominator) << "\">\n";
            else
                layers << " hasScaleBasedVisibilityFlag=\"0\">\n";
            layers << "      <id>" << id << "</id>\n"
                   << "      <datasource>" << xml_escape(l.source) << "</datasource>\n"
                   << "      <layername>" << xml_escape(l.name) << "</layername>\n"
                   << "      <srs>" << srs << "</srs>\n"
                   << "      <resourceMetadata>\n        <identifier>" << xml_escape(l.source) << "</identifier>\n"
                   << "        <parentidentifier></parentidentifier>\n        <language>en</language>\n"
                   << "        <type>dataset</type>\n        <title>" << xml_escape(l.name) << "</title>\n"
                   << "        <abstract>" << xml_escape(l.abstract) << "</abstract>\n"
                   << "        <links/>\n        <fees></fees>\n        <encoding></encoding>\n"
                   << "        <crs>" << srs << "</crs>\n        <extent/>\n      </resourceMetadata>\n"
                   << "      <provider" << (l.raster ? "" : " encoding=\"UTF-8\"") << ">" << provider << "</provider>\n"
                   << qml_inner(l.qml) << "\n    </maplayer>\n";
        }
        tree << "    </layer-tree-group>\n";
    }
    // The saved view: the study area with a 3% margin (QGIS opens on it, not at 1:1).
    std::string canvas, view;
    if (!o.extent.empty()) {
        const double mx = 0.03 * std::max(o.extent.width(), 1.0), my = 0.03 * std::max(o.extent.height(), 1.0);
        const std::string xmin = num(o.extent.xmin - mx), ymin = num(o.extent.ymin - my),
                          xmax = num(o.extent.xmax + mx), ymax = num(o.extent.ymax + my);
        canvas = "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n    <units>meters</units>\n"
                 "    <extent>\n      <xmin>" + xmin + "</xmin>\n      <ymin>" + ymin + "</ymin>\n      <xmax>" + xmax +
                 "</xmax>\n      <ymax>" + ymax + "</ymax>\n    </extent>\n    <rotation>0</rotation>\n"
                 "    <destinationsrs>" + srs + "</destinationsrs>\n    <rendermaptile>0</rendermaptile>\n"
                 "    <expressionContextScope/>\n  </mapcanvas>\n";
        view = "  <ProjectViewSettings UseProjectScales=\"0\">\n    <Scales/>\n    <DefaultViewExtent xmin=\"" + xmin +
               "\" ymin=\"" + ymin + "\" xmax=\"" + xmax + "\" ymax=\"" + ymax + "\">\n      " + srs +
               "\n    </DefaultViewExtent>\n  </ProjectViewSettings>\n";
    }
    const std::string op = wgs84_operation(o.crs);
    const std::string transform_context =
        op.empty() ? "  <transformContext/>\n"
                   : "  <transformContext>\n    <srcDest allowFallback=\"1\" coordinateOp=\"" + xml_escape(op) +
                         "\">\n      <src>" + srs + "</src>\n      <dest>" + srs_xml("EPSG:4326") +
                         "</dest>\n    </srcDest>\n  </transformContext>\n";
    std::ostringstream x;
    x << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
      << "<qgis projectname=\"" << xml_escape(title) << "\" version=\"3.22.16\">\n"
      << "  <homePath path=\"\"/>\n"
      << "  <title>" << xml_escape(title) << "</title>\n"
      << transform_context
      << "  <projectCrs>" << srs << "</projectCrs>\n"
      << "  <layer-tree-group>\n    <customproperties/>\n"
      << tree.str() << "  </layer-tree-group>\n"
      << canvas
      << "  <projectlayers>\n" << layers.str() << "  </projectlayers>\n"
      << (layouts.empty() ? "" : "  <Layouts>\n" + layouts + "  </Layouts>\n")
      << "  <properties>\n    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n"
      // QGIS 3.22 reads <projectCrs> only when projections are enabled.
      << "    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n    </SpatialRefSys>\n"
      // Distances on the map's own plane (British National Grid is metric): no ellipsoid, so
      // nothing asks for a transform to WGS 84 on open.
      << "    <Measure>\n      <Ellipsoid type=\"QString\">NONE</Ellipsoid>\n    </Measure>\n"
      << "  </properties>\n"
      << view
      << "</qgis>\n";
    return x.str();
}

} // namespace hotspot
