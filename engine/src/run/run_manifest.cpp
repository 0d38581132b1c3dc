// The typed run manifest (manifest.hpp: RunManifest): the one writer and reader of a run's own
// sections of manifest.json.

#include "hotspot/manifest.hpp"

namespace hotspot {

nlohmann::ordered_json RunProfileRecord::to_json() const {
    nlohmann::ordered_json j;
    j["name"] = name;
    j["title"] = title;
    if (selected == 0) {  // nothing selected, nothing written
        j["selected"] = 0;
        j["warnings"] = warnings;
        return j;
    }
    j["description"] = description;
    j["denominator"] = denominator;
    j["proxy"] = !proxy_note.empty();
    j["proxy_note"] = proxy_note;
    j["filter"] = filter;
    j["selected"] = selected;
    for (const auto& [k, v] : selection.items()) j[k] = v;
    if (selected_comparison >= 0) j["selected_comparison"] = selected_comparison;
    j["outputs"] = outputs;
    for (const auto& [k, v] : steps.items()) j[k] = v;
    j["written"] = nlohmann::ordered_json::array();
    std::vector<std::string> layers;
    for (const auto& w : written) {
        nlohmann::ordered_json o = {{"kind", w.kind}, {"name", w.name}, {"type", w.layer ? "layer" : "file"}};
        if (!w.level.empty()) o["level"] = w.level;
        j["written"].push_back(o);
        if (w.layer) layers.push_back(w.name);
    }
    j["layers"] = layers;
    j["warnings"] = warnings;
    return j;
}

RunProfileRecord RunProfileRecord::from_json(const nlohmann::ordered_json& j) {
    RunProfileRecord r;
    r.name = j.at("name").get<std::string>();
    r.title = j.value("title", std::string());
    r.proxy_note = j.value("proxy_note", std::string());
    r.description = j.value("description", std::string());
    r.denominator = j.value("denominator", std::string());
    r.filter = j.value("filter", std::vector<std::string>());
    r.selected = j.value("selected", std::uint64_t(0));
    r.selected_comparison = j.value("selected_comparison", std::int64_t(-1));
    for (const char* k : {"selection_terms", "excluded_unknown_time", "excluded_unknown_date"})
        if (j.contains(k)) r.selection[k] = j[k];
    r.outputs = j.value("outputs", std::vector<std::string>());
    for (const char* k : {"kde", "hotspots", "gistar", "rates", "near_repeat", "backtest", "change", "hours", "emerging"})
        if (j.contains(k)) r.steps[k] = j[k];
    for (const auto& w : j.value("written", nlohmann::ordered_json::array()))
        r.written.push_back({w.at("kind").get<std::string>(), w.at("name").get<std::string>(), w.value("type", "") == "layer",
                             w.value("level", std::string())});
    r.warnings = j.value("warnings", std::vector<std::string>());
    return r;
}

nlohmann::ordered_json RunSection::to_json() const {
    using J = nlohmann::ordered_json;
    J j = {{"title", title},
           {"area_name", area_name},
           {"period", {{"from", period_from}, {"to", period_to}, {"text", period_text}}},
           {"comparison", comparing ? J{{"from", comparison_from}, {"to", comparison_to}, {"text", comparison_text}} : J()},
           {"police_uk", police_uk},
           {"publish", publish},
           {"publish_min_count", publish_min_count},
           {"working_crs", working_crs},
           {"study_area_layer", study_area_layer},
           {"study_area_km2", study_area_km2},
           {"area_levels", J::array()}};
    for (const auto& lv : area_levels) {
        J l = {{"name", lv.name}, {"areas", lv.areas}, {"boundaries_layer", lv.boundaries_layer},
               {"code_field", lv.code_field}};
        if (!lv.areas_where.empty()) l["areas_where"] = lv.areas_where;  // sent to the server for PG:
        if (!lv.vintage.is_null()) l["vintage"] = lv.vintage;
        j["area_levels"].push_back(std::move(l));
    }
    j["attribution"] = attribution;
    if (!marking.empty()) j["marking"] = marking;
    if (!author.empty()) j["author"] = author;
    return j;
}

RunSection RunSection::from_json(const nlohmann::ordered_json& j) {
    using J = nlohmann::ordered_json;
    RunSection r;
    r.title = j.value("title", std::string());
    r.area_name = j.value("area_name", std::string());
    const J period = j.value("period", J::object());
    r.period_from = period.value("from", std::string());
    r.period_to = period.value("to", std::string());
    r.period_text = period.value("text", std::string());
    if (j.contains("comparison") && j["comparison"].is_object()) {
        r.comparing = true;
        r.comparison_from = j["comparison"].value("from", std::string());
        r.comparison_to = j["comparison"].value("to", std::string());
        r.comparison_text = j["comparison"].value("text", std::string());
    }
    r.police_uk = j.value("police_uk", false);
    r.publish = j.value("publish", false);
    r.publish_min_count = j.value("publish_min_count", 0);
    r.working_crs = j.value("working_crs", std::string());
    r.study_area_layer = j.value("study_area_layer", std::string());
    r.study_area_km2 = j.value("study_area_km2", 0.0);
    for (const auto& l : j.value("area_levels", J::array())) {
        RunAreaLevelRecord lv;
        lv.name = l.value("name", std::string());
        lv.areas = l.value("areas", std::uint64_t{0});
        lv.boundaries_layer = l.value("boundaries_layer", std::string());
        lv.code_field = l.value("code_field", std::string());
        lv.areas_where = l.value("areas_where", std::string());
        lv.vintage = l.value("vintage", J());
        r.area_levels.push_back(std::move(lv));
    }
    for (const auto& a : j.value("attribution", J::array()))
        if (a.is_string()) r.attribution.push_back(a.get<std::string>());
    r.marking = j.value("marking", std::string());
    r.author = j.value("author", std::string());
    return r;
}

void RunManifest::write_into(Manifest& m) const {
    auto& j = m.json();
    j["schema_version"] = schema_version;
    j["run"] = run.to_json();
    j["crs"] = crs;
    j["counts"] = counts;
    j["profiles"] = nlohmann::ordered_json::array();
    for (const auto& p : profiles) j["profiles"].push_back(p.to_json());
    j["outputs_folder"] = outputs_folder;
    j["gpkg"] = gpkg;
    j["project"] = project;
    j["warnings"] = warnings;
}

RunManifest RunManifest::from_json(const nlohmann::ordered_json& j) {
    RunManifest r;
    r.schema_version = j.value("schema_version", 1);
    r.run = RunSection::from_json(j.value("run", nlohmann::ordered_json::object()));
    r.crs = j.value("crs", nlohmann::ordered_json::object());
    r.counts = j.value("counts", nlohmann::ordered_json::object());
    for (const auto& p : j.value("profiles", nlohmann::ordered_json::array())) r.profiles.push_back(RunProfileRecord::from_json(p));
    r.outputs_folder = j.value("outputs_folder", std::string());
    r.gpkg = j.value("gpkg", std::string());
    r.project = j.value("project", std::string());
    r.warnings = j.value("warnings", std::vector<std::string>());
    return r;
}

} // namespace hotspot
