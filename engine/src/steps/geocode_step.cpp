// The geocode step (steps/geocode_step.hpp): the one placement of incidents in area layers and
// the one schema of the incidents, rejects and counts layers.

#include "hotspot/steps/geocode_step.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "hotspot/error.hpp"
#include "hotspot/postgis_out.hpp"
#include "hotspot/steps/layer_schema.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vector_out.hpp"
#include "steps/step_rows.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "geocode";

using util::lower;

// Assigns each incident the area whose code is in `field` (no geometry involved).
GeocodeResult assign_by_code(const AreaLayer& layer, const IncidentTable& inc, const std::string& field) {
    const auto f = std::find_if(inc.field_names.begin(), inc.field_names.end(),
                                [&](const std::string& n) { return lower(n) == lower(field); });
    if (f == inc.field_names.end())
        throw UsageError(unit, "--by-code " + layer.name + "=" + field + ": the incidents have no such field");
    const StringColumn& col = inc.fields[std::size_t(f - inc.field_names.begin())];
    std::map<std::string, std::int32_t, std::less<>> index;
    for (std::size_t a = 0; a < layer.size(); ++a) index.emplace(layer.codes[a], std::int32_t(a));
    GeocodeResult r;
    r.area.assign(inc.size(), -1);
    r.status.assign(inc.size(), AreaStatus::outside);
    r.counts.assign(layer.size(), 0);
    for (std::size_t i = 0; i < inc.size(); ++i) {
        const auto it = index.find(col[i]);
        if (it == index.end()) {
            ++r.outside;
            continue;
        }
        r.area[i] = it->second;
        r.status[i] = AreaStatus::assigned;
        ++r.counts[std::size_t(it->second)];
        ++r.assigned;
    }
    return r;
}

// Appends `wanted` (made unique against `taken`) to the schema and returns its position.
int add_field(std::vector<FieldDef>& defs, std::vector<std::string>& taken, const std::string& wanted, FieldType type) {
    const std::string n = unique_field_name(wanted, taken);
    taken.push_back(n);
    defs.push_back({n, type});
    return int(defs.size()) - 1;
}

} // namespace

void GeocodeStepOptions::validate() const {
    if (!(snap_m >= 0) || !std::isfinite(snap_m) || snap_m > 10000)
        throw UsageError(unit, "--snap must be between 0 and 10000 metres (got " + std::to_string(snap_m) + ")");
}

nlohmann::ordered_json GeocodeStepOptions::to_json() const {
    nlohmann::ordered_json j = {{"snap_m", snap_m}, {"threads", threads}};
    for (const auto& [area, field] : by_code) j["by_code"][area] = field;
    return j;
}

std::string unique_field_name(const std::string& wanted, const std::vector<std::string>& taken) {
    std::string name = wanted;
    auto clash = [&](const std::string& n) {
        return std::any_of(taken.begin(), taken.end(), [&](const std::string& t) { return lower(t) == lower(n); });
    };
    while (clash(name)) name = "hs_" + name;
    return name;
}

GeocodeStepResult run_geocode_step(const IncidentTable& inc, const std::vector<const AreaLayer*>& layers,
                                   const GeocodeStepOptions& o, const Progress& progress) {
    o.validate();
    GeocodeStepResult r;
    std::vector<std::uint8_t> anywhere(inc.size(), 0);
    for (const AreaLayer* layer : layers) {
        const auto by = std::find_if(o.by_code.begin(), o.by_code.end(),
                                     [&](const auto& p) { return lower(p.first) == lower(layer->name); });
        if (by != o.by_code.end())
            r.placed.push_back(assign_by_code(*layer, inc, by->second));
        else
            r.placed.push_back(geocode(AreaIndex(layer->polygons), inc.x, inc.y, o.snap_m, o.threads, progress));
        const auto& g = r.placed.back();
        r.layers.push_back({layer->name, layer->size(), g.assigned, g.snapped, g.outside, g.in_several});
        for (std::size_t i = 0; i < inc.size(); ++i)
            if (g.area[i] >= 0) anywhere[i] = 1;
        if (g.in_several > 0)
            r.warnings.push_back("geocode: " + util::thousands(g.in_several) + " incidents lie where areas of '" +
                                 layer->name + "' overlap; each went to the first area in layer order");
    }
    for (auto a : anywhere) (a ? r.assigned : r.outside) += 1;
    r.manifest = {{"options", o.to_json()}, {"assigned", r.assigned}, {"outside", r.outside}};
    for (const auto& l : r.layers)
        r.manifest["areas"][l.name] = {{"areas", l.areas}, {"assigned", l.assigned}, {"snapped", l.snapped},
                                       {"outside", l.outside}, {"in_several", l.in_several}};
    return r;
}

void write_incidents_layer(VectorWriter& w, const std::string& layer, const IncidentTable& inc,
                           const std::vector<std::uint32_t>* rows_in, const std::vector<const AreaLayer*>& layers,
                           const std::vector<const GeocodeResult*>& placed, const std::string& style_description) {
    write_incidents_features(w, layer, inc, rows_in, layers, placed);
    add_incidents_style(w, layer, style_description);
}

void add_incidents_style(VectorWriter& w, const std::string& layer, const std::string& style_description) {
    w.add_style(layer, std::string(style_qml("incidents")), style_description);
}

void write_incidents_features(VectorWriter& w, const std::string& layer, const IncidentTable& inc,
                              const std::vector<std::uint32_t>* rows_in, const std::vector<const AreaLayer*>& layers,
                              const std::vector<const GeocodeResult*>& placed) {
    std::vector<FieldDef> defs;
    std::vector<std::string> taken = inc.field_names;
    for (const auto& n : inc.field_names) defs.push_back({n, FieldType::string});
    std::vector<int> code_f, name_f, status_f;
    for (const AreaLayer* l : layers) {
        code_f.push_back(add_field(defs, taken, l->name + "_code", FieldType::string));
        name_f.push_back(add_field(defs, taken, l->name + "_name", FieldType::string));
        if (layers.size() > 1) status_f.push_back(add_field(defs, taken, l->name + "_status", FieldType::string));
    }
    const int status_all = add_field(defs, taken, "status", FieldType::string);
    const int file_f = add_field(defs, taken, "source_file", FieldType::string);
    const int line_f = add_field(defs, taken, "source_line", FieldType::integer);
    w.begin_layer(layer, GeomType::point, defs);
    static const char* status_text[] = {"assigned", "snapped", "outside"};
    std::vector<std::uint32_t> all;
    for (const auto i : detail::rows_or_all(inc, rows_in, all)) {
        for (std::size_t c = 0; c < inc.fields.size(); ++c) w.set_string(int(c), inc.fields[c][i]);
        AreaStatus overall = AreaStatus::outside;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            const std::int32_t a = placed[l]->area[i];
            if (a >= 0) {
                w.set_string(code_f[l], layers[l]->codes[std::size_t(a)]);
                w.set_string(name_f[l], layers[l]->names[std::size_t(a)]);
            }
            const AreaStatus s = placed[l]->status[i];
            if (!status_f.empty()) w.set_string(status_f[l], status_text[int(s)]);
            if (s < overall) overall = s;
        }
        w.set_string(status_all, status_text[int(overall)]);
        w.set_string(file_f, source_label(inc.source_files[inc.source_file[i]]));
        w.set_integer(line_f, std::int64_t(inc.source_line[i]));
        w.set_point(inc.x[i], inc.y[i]);
        w.write_feature();
    }
}

void write_rejects_layer(VectorWriter& w, const RejectTable& rej, const std::string& layer) {
    std::vector<FieldDef> defs;
    std::vector<std::string> taken = rej.field_names;
    for (const auto& n : rej.field_names) defs.push_back({n, FieldType::string});
    const int reason_f = add_field(defs, taken, "reject_reason", FieldType::string);
    const int text_f = add_field(defs, taken, "reject_detail", FieldType::string);
    const int file_f = add_field(defs, taken, "source_file", FieldType::string);
    const int line_f = add_field(defs, taken, "source_line", FieldType::integer);
    w.begin_layer(layer, GeomType::none, defs);
    for (std::size_t i = 0; i < rej.size(); ++i) {
        for (std::size_t c = 0; c < rej.fields.size(); ++c) w.set_string(int(c), rej.fields[c][i]);
        w.set_string(reason_f, reason_name(rej.reason[i]));
        w.set_string(text_f, std::string(reason_text(rej.reason[i])) +
                                 (rej.detail[i].empty() ? "" : " [" + std::string(rej.detail[i]) + "]"));
        w.set_string(file_f, source_label(rej.source_files[rej.source_file[i]]));
        w.set_integer(line_f, std::int64_t(rej.source_line[i]));
        w.write_feature();
    }
}

void write_area_counts_layers(VectorWriter& w, const IncidentTable& inc, const std::vector<const AreaLayer*>& layers,
                              const GeocodeStepResult& placed) {
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const AreaLayer& layer = *layers[l];
        const GeocodeResult& g = placed.placed[l];
        // counts by category, one column per category in first-seen order
        const std::size_t ncat = inc.categories.size();
        std::vector<std::uint64_t> by(layer.size() * ncat, 0);
        for (std::size_t i = 0; i < inc.size(); ++i)
            if (g.area[i] >= 0) ++by[std::size_t(g.area[i]) * ncat + inc.category[i]];
        std::vector<FieldDef> defs;
        std::vector<std::string> taken;
        const int code_f = add_field(defs, taken, "code", FieldType::string);
        const int name_f = add_field(defs, taken, "name", FieldType::string);
        const int count_f = add_field(defs, taken, "incidents", FieldType::integer);
        for (const auto& c : inc.categories) {
            std::string n = "n_";
            for (char ch : (c.empty() ? std::string("uncategorised") : c))
                n += std::isalnum(static_cast<unsigned char>(ch)) ? char(std::tolower(static_cast<unsigned char>(ch))) : '_';
            add_field(defs, taken, n, FieldType::integer);
        }
        const std::string name = layer.name + "_counts";
        w.begin_layer(name, GeomType::multipolygon, defs);
        for (std::size_t a = 0; a < layer.size(); ++a) {
            w.set_string(code_f, layer.codes[a]);
            w.set_string(name_f, layer.names[a]);
            w.set_integer(count_f, std::int64_t(g.counts[a]));
            for (std::size_t c = 0; c < ncat; ++c) w.set_integer(count_f + 1 + int(c), std::int64_t(by[a * ncat + c]));
            w.set_multipolygon(layer.polygons[a]);
            w.write_feature();
        }
        w.add_style(name, std::string(style_qml("boundaries")), "Incidents per " + layer.name);
    }
}

void write_boundaries_layer(VectorWriter& w, const std::string& name, const AreaLayer& areas,
                            const std::vector<double>& population) {
    const LayerSchema s{{{"code", FieldType::string}, {"name", FieldType::string}, {"population", FieldType::real}}};
    w.begin_layer(name, GeomType::multipolygon, s.fields);
    for (std::size_t a = 0; a < areas.size(); ++a) {
        w.set_string(s.at("code"), areas.codes[a]);
        w.set_string(s.at("name"), areas.names[a]);
        w.set_real(s.at("population"), population[a]);
        w.set_multipolygon(areas.polygons[a]);
        w.write_feature();
    }
    w.add_style(name, std::string(style_qml("boundaries")), "Area boundaries");
}

} // namespace hotspot
