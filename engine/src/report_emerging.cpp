// The tasking report's emerging hot spots section (report_emerging.hpp).

#include "report_emerging.hpp"

#include "report_text.hpp"

namespace hotspot::report {

namespace {

// Hot categories, most urgent for tasking first (emerging.hpp's names).
const char* const hot_order[] = {"new hot spot", "consecutive hot spot", "intensifying hot spot", "persistent hot spot",
                                 "diminishing hot spot", "sporadic hot spot", "oscillating hot spot", "historical hot spot"};

double count_of(const nlohmann::ordered_json& m, const std::string& key) {
    return m.is_object() && m.contains(key) && m[key].is_number() ? m[key].get<double>() : 0.0;
}

} // namespace

std::string emerging_sentence(const nlohmann::ordered_json& node) {
    if (!node.is_object() || node.contains("skipped")) return "";
    const auto& cats = node.value("categories", nlohmann::ordered_json::object());
    const double cell = node.value("grid", nlohmann::ordered_json::object()).value("cell_size_m", 0.0);
    const auto& sl = node.value("slices", nlohmann::ordered_json::object());
    std::vector<std::string> parts;
    for (const char* k : {"new hot spot", "consecutive hot spot", "intensifying hot spot", "persistent hot spot"}) {
        const double n = count_of(cats, k);
        if (n > 0) parts.push_back(thousands(n) + " " + (n == 1 ? std::string(k) : std::string(k) + "s"));
    }
    const std::string months = std::to_string(sl.value("n", 0)) + " months (" +
                               period_text(sl.value("from", std::string()), sl.value("to", std::string())) + ")";
    if (parts.empty())
        return "Over " + months + " no " + fixed(cell, 0) + " m cell is a new, consecutive, intensifying or persistent hot spot";
    return "Over " + months + ", of the " + fixed(cell, 0) + " m cells " + join_words(parts);
}

EmergingTable emerging_table(const nlohmann::ordered_json& steps) {
    EmergingTable t;
    if (!steps.is_object() || !steps.contains("emerging")) return t;
    const auto& node = steps["emerging"];
    t.present = true;
    t.css = "emerging";
    t.title = "Emerging hot spots: cells by pattern over the months";
    t.head = "<tr><th>Pattern (ArcGIS)</th><th class=\"n\">Cells</th><th class=\"n\">km\u00b2</th></tr>";
    if (node.contains("skipped")) {
        t.empty = "No emerging hot spots: " + esc(node["skipped"].get<std::string>()) + ".";
        return t;
    }
    const auto& cats = node.value("categories", nlohmann::ordered_json::object());
    const double cell = node.value("grid", nlohmann::ordered_json::object()).value("cell_size_m", 0.0);
    const double km2 = cell * cell / 1e6;
    for (const char* k : hot_order) {
        const double n = count_of(cats, k);
        if (n == 0) continue;
        std::string name = k;
        name[0] = char(name[0] - 'a' + 'A');
        t.rows.push_back("<tr><td>" + esc(name) + "</td><td class=\"n\">" + thousands(n) + "</td><td class=\"n\">" +
                         fixed(n * km2, 2) + "</td></tr>");
        t.cost.push_back(18.5);
    }
    double cold = 0;
    for (auto it = cats.begin(); it != cats.end(); ++it)
        if (it.key().find("cold spot") != std::string::npos && it.value().is_number()) cold += it.value().get<double>();
    if (cold > 0) {
        t.rows.push_back("<tr><td>Cold spots (all patterns)</td><td class=\"n\">" + thousands(cold) + "</td><td class=\"n\">" +
                         fixed(cold * km2, 2) + "</td></tr>");
        t.cost.push_back(18.5);
    }
    const auto& pers = node.value("persistence", nlohmann::ordered_json::object());
    t.after = esc(emerging_sentence(node)) + ". Gi* per month on " + fixed(cell, 0) + " m cells (band " +
              fixed(node.value("band_m", 0.0), 0) + " m), a Mann\u2013Kendall trend per cell, ArcGIS Emerging Hot Spot "
              "categories (90% of months). Persistence (sfhotspot): " +
              thousands(count_of(pers, "persistent hot spot")) + " persistent, " + thousands(count_of(pers, "emerging hot spot")) +
              " emerging, " + thousands(count_of(pers, "former hot spot")) + " former, " +
              thousands(count_of(pers, "intermittent hot spot")) + " intermittent hot cells. Layer: emerging hot spots.";
    t.empty = "No cell shows a hot or cold pattern over the months.";
    return t;
}

} // namespace hotspot::report
