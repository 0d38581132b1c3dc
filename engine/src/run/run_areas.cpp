// The run's area levels: read once, incidents placed once by the geocode step, populations
// joined, queen weights built; and their boundaries layers.

#include <cmath>
#include <limits>
#include <optional>

#include "hotspot/contiguity.hpp"
#include "hotspot/population.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/svg_geometry.hpp"
#include "hotspot/vintage.hpp"
#include "run/run_context.hpp"

namespace hotspot::detail {

namespace {

// Population per area (NaN where unknown) from the area level's table or field, carried to the
// layer's LSOA vintage through the level's lookup when they differ (vintage.hpp).
// The level's vintage note (lv.vintage) says what was found and done, for the manifest.
std::vector<double> read_population(AreaLevel& lv, std::vector<std::string>& warnings) {
    const AreaConfig& ac = lv.config;
    const AreaLayer& layer = lv.layer;
    if (!ac.population_field.empty()) return join_population(layer, read_population_field(layer, ac.population_field));
    if (ac.population_path.empty()) return std::vector<double>(layer.size(), std::numeric_limits<double>::quiet_NaN());
    PopulationSpec spec;
    spec.area = layer.name;
    spec.path = ac.population_path;
    spec.code_col = ac.population_code_column;
    spec.pop_col = ac.population_value_column;
    const PopulationTable table = align_population_vintage("run", layer, read_population_csv(spec, layer.code_field),
                                                           lv.lookup ? &*lv.lookup : nullptr, &lv.vintage);
    if (!lv.vintage.text.empty())
        warnings.push_back(lv.vintage.text + (lv.vintage.carried ? std::string(" [") + vintage_carry_method + "]" : ""));
    return join_population(layer, table);
}

} // namespace

std::vector<const AreaLayer*> RunAreas::layers() const {
    std::vector<const AreaLayer*> v;
    for (const auto& lv : levels) v.push_back(&lv.layer);
    return v;
}

std::vector<const GeocodeResult*> RunAreas::placed() const {
    std::vector<const GeocodeResult*> v;
    for (const auto& lv : levels) v.push_back(lv.placed);
    return v;
}

std::vector<AreaLevel> read_area_levels(const RunConfig& cfg) {
    std::vector<AreaLevel> levels;
    for (const auto& ac : cfg.areas) {
        AreaLevel lv;
        lv.config = ac;
        lv.layer = read_area_layer(ac.spec, cfg.working_crs);
        if (!ac.lookup_path.empty()) lv.lookup = read_vintage_lookup(ac.lookup_path);
        lv.vintage.layer = check_area_vintage("run", lv.layer, lv.lookup ? &*lv.lookup : nullptr).vintage;
        lv.vintage.table = lv.vintage.layer;  // a population field of the layer: its own vintage
        lv.neighbours = queen_neighbours(lv.layer.polygons);
        levels.push_back(std::move(lv));
    }
    return levels;
}

RunAreas read_run_areas(const RunConfig& cfg, std::vector<AreaLevel> levels, const IncidentTable& inc, unsigned threads,
                        const Progress& progress, std::vector<std::string>& warnings) {
    RunAreas r;
    r.levels = std::move(levels);
    for (const auto& lv : r.levels)
        for (auto& w : lv.layer.warnings) warnings.push_back(w);
    GeocodeStepOptions go;
    go.snap_m = cfg.analysis.snap_m;
    go.threads = threads;
    r.placement = run_geocode_step(inc, r.layers(), go, progress);
    for (auto& w : r.placement.warnings) warnings.push_back(w);
    for (std::size_t l = 0; l < r.levels.size(); ++l) {
        AreaLevel& lv = r.levels[l];
        const AreaConfig& ac = lv.config;
        lv.placed = &r.placement.placed[l];
        lv.has_population = !ac.population_path.empty() || !ac.population_field.empty();
        if (lv.has_population)
            refuse_overlapping_areas("run", lv.layer, AreaIndex(lv.layer.polygons), inc.x, inc.y, *lv.placed);
        lv.population = read_population(lv, warnings);
        for (auto& line : check_population(lv.layer, lv.population, lv.placed->counts)) warnings.push_back(line);
    }
    std::vector<std::uint64_t> outside;
    for (const auto& g : r.placement.placed) outside.push_back(g.outside);
    for (auto& line : report_outside_layers("run", r.layers(), outside, inc.size(), r.placement.outside))
        warnings.push_back(line);
    for (std::size_t i = 0; i < r.levels.size(); ++i)
        if (r.levels[i].layer.name == cfg.study_area_layer) r.study = i;
    r.study_area_m2 = svg::polygon_area(r.study_layer().polygons);
    r.masks = std::make_unique<StudyMasks>(r.study_layer().polygons);
    r.study_index = std::make_unique<AreaIndex>(r.study_layer().polygons);
    return r;
}

void write_boundaries(VectorWriter& gpkg, const RunAreas& areas, ProjectGroup& group) {
    for (const auto& lv : areas.levels) {
        const std::string name = boundaries_layer_name(lv.layer.name);
        write_boundaries_layer(gpkg, name, lv.layer, lv.population);
        group.layers.push_back({name, ProfileRun::gpkg_source(name), false, "Polygon", std::string(style_qml("boundaries")), true});
    }
}

} // namespace hotspot::detail
