// The tasking report's near-repeat section (report_near_repeat.hpp).

#include "report_near_repeat.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "hotspot/manifest.hpp"
#include "hotspot/steps/near_repeat_step.hpp"
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

NearRepeatInput near_repeat_from_manifest(const nlohmann::ordered_json& node, std::vector<RiskWindowInput> windows) {
    const NearRepeatManifestNode n = NearRepeatManifestNode::from_json(node);  // steps/near_repeat_step.hpp
    NearRepeatInput in;
    in.present = true;
    for (const KnoxCellNode& c : n.table) {
        KnoxCellInput k;
        k.row = c.row;
        k.col = c.col;
        k.distance_band = c.distance_band;
        k.time_band = c.time_band;
        k.observed = double(c.observed);
        k.expected = c.expected;
        if (std::isfinite(c.ratio)) k.ratio = c.ratio;
        k.p = c.p;
        k.significant = c.significant;
        in.cells.push_back(std::move(k));
    }
    in.sentence = n.sentence;
    in.time_unit = n.time_unit;
    in.permutations = json_value_or(n.options, "permutations", 0);
    in.alpha = json_value_or(n.options, "alpha", 0.05);
    in.recent_days = json_value_or(n.options, "recent_days", 0);
    in.window_distance_m = n.window_distance_m;
    in.window_days = int(n.window_days);
    in.first_date = n.first_date;
    in.last_date = n.last_date;
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
