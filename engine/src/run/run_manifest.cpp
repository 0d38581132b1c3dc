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

void RunManifest::write_into(Manifest& m) const {
    auto& j = m.json();
    j["schema_version"] = schema_version;
    j["run"] = run;
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
    r.run = j.value("run", nlohmann::ordered_json::object());
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
