// The tasking report's near-repeat section (report_near_repeat.hpp).

#include "report_near_repeat.hpp"

#include <cstdio>
#include <map>

#include "report_text.hpp"

namespace hotspot::report {

namespace {

std::string ratio_text(double r) {
    if (!std::isfinite(r)) return "\u2013";
    char b[16];
    std::snprintf(b, sizeof b, "%.1f", r);
    return b;
}

// Shades of the significant cells: orange as the risk windows on the map; darker at p <= 0.01.
constexpr const char* sig_style = " style=\"background:#fdbe85\"";
constexpr const char* sig2_style = " style=\"background:#fd8d3c;font-weight:bold\"";

std::string capitalised(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = char(s[0] - 'a' + 'A');
    return s;
}

} // namespace

NearRepeatInput near_repeat_from_manifest(const nlohmann::json& node, std::vector<RiskWindowInput> windows) {
    NearRepeatInput in;
    in.present = true;
    for (const auto& c : node.at("table")) {
        KnoxCellInput k;
        k.row = c.value("row", std::size_t(0));
        k.col = c.value("col", std::size_t(0));
        k.distance_band = c.at("distance_band").get<std::string>();
        k.time_band = c.at("time_band").get<std::string>();
        k.observed = c.at("observed").get<double>();
        k.expected = c.at("expected").get<double>();
        if (c.contains("ratio") && c["ratio"].is_number()) k.ratio = c["ratio"].get<double>();
        k.p = c.at("p").get<double>();
        k.significant = c.at("significant").get<bool>();
        in.cells.push_back(std::move(k));
    }
    in.sentence = node.value("sentence", std::string());
    const auto& method = node.value("method", nlohmann::json::object());
    in.time_unit = method.value("time_unit", std::string("days"));
    const auto& opt = node.value("options", nlohmann::json::object());
    in.permutations = opt.value("permutations", 0);
    in.alpha = opt.value("alpha", 0.05);
    in.recent_days = opt.value("recent_days", 0);
    const auto& rr = node.value("raised_risk", nlohmann::json::object());
    in.window_distance_m = rr.value("window_distance_m", 0.0);
    in.window_days = rr.value("window_days", 0);
    const auto& period = node.value("period", nlohmann::json::object());
    in.first_date = period.value("first_date", std::string());
    in.last_date = period.value("last_date", std::string());
    in.windows = std::move(windows);
    return in;
}

NearRepeatTable near_repeat_table(const NearRepeatInput& in) {
    NearRepeatTable t;
    t.css = "knox";
    t.title = "Near repeats: Knox ratio by distance and time apart";
    // rows and columns in table order, as the step wrote them
    std::map<std::size_t, std::string> rows, cols;
    for (const auto& c : in.cells) rows[c.row] = c.distance_band, cols[c.col] = c.time_band;
    t.head = "<tr><th>Distance apart</th>";
    for (const auto& [k, label] : cols) t.head += "<th class=\"n\">" + esc(label) + "</th>";
    t.head += "</tr>";
    for (const auto& [r, label] : rows) {
        std::string tr = "<tr><td>" + esc(label) + "</td>";
        for (const auto& c : in.cells) {
            if (c.row != r) continue;
            // The last row ("300 m or more") is what the near bands leave: not a near repeat, never shaded.
            const bool shade = c.significant && r + 1 < rows.size();
            const char* style = !shade ? "" : c.p <= 0.01 ? sig2_style : sig_style;
            tr += std::string("<td class=\"n\"") + style + ">" + ratio_text(c.ratio) + "</td>";
        }
        t.rows.push_back(tr + "</tr>");
        t.cost.push_back(18.5 + (label.size() > 22 ? 13 : 0));
    }
    t.after = esc(capitalised(in.sentence)) + ". Cells: pairs observed \u00f7 expected by chance (" +
              thousands(double(in.permutations)) + " permutations of the " + esc(in.time_unit) + "); shaded: significant at p \u2264 " +
              fixed(in.alpha, 2) + ", darker p \u2264 0.01." +
              (in.time_unit == "months" ? " police.uk has months only: no risk windows." : "");
    t.empty = "No Knox table.";
    return t;
}

std::string near_repeat_map_note(const NearRepeatInput& in) {
    if (in.windows.empty()) return "";
    std::string latest;
    for (const auto& w : in.windows) latest = std::max(latest, w.expires);
    return " Orange dashed: near-repeat risk windows, " + fixed(in.window_distance_m, 0) + " m round the " +
           "incidents of the last " + std::to_string(in.recent_days) + " days to " + in.last_date + ", each raised for " +
           std::to_string(in.window_days) + " days (last expires " + latest + ").";
}

} // namespace hotspot::report
