// The report's direction-of-travel section of a profile page (issue 17): the change step's
// result in words for the force, the leading wards and the numbered hot spots, a small monthly
// trend chart (SVG), and the heat-clock of the hours of the week when the incidents have times
// (police.uk's have none: a sentence says so, no empty clock). Read from the run's "change" and
// "hours" step nodes (run/profile_change.cpp) carried in ProfileInput::steps.

#include "report_trend.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hotspot/steps/change_step.hpp"
#include "hotspot/steps/hours_step.hpp"
#include "report_text.hpp"

namespace hotspot::report {

namespace {

using json = nlohmann::ordered_json;

constexpr double note_line_px = 12.5;  // a line of .note text (report_pages.cpp note_px)
constexpr double char_w_px = 6.3;      // mean advance of the note's font, wide to be safe
constexpr double chart_h_px = 78;
constexpr double clock_cell_px = 8;

double text_px(const std::string& text, double width) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return std::max(1.0, std::ceil(double(n) * char_w_px / width)) * note_line_px + 8;
}

std::string pct_words(double v) {
    if (std::isnan(v)) return "from none";
    std::ostringstream s;
    s << (v >= 0 ? "+" : "\u2212") << fixed(std::abs(v), std::abs(v) < 10 ? 1 : 0) << "%";
    return s.str();
}

std::string p_words(double p) {
    if (p < 0.001) return "p < 0.001";
    return "p = " + fixed(p, p < 0.01 ? 3 : 2);
}

// The monthly series as a small line chart with the period and comparison shaded.
std::string trend_chart(const ChangeSummaryNode& c, double width) {
    const ChangeTrendNode& t = c.trend;
    const std::vector<double>& m = t.monthly;
    const std::size_t n = m.size();
    if (n < 2) return "";
    double hi = 0;
    for (const double v : m)
        if (!std::isnan(v)) hi = std::max(hi, v);
    if (hi <= 0) return "";
    const double left = 34, right = 6, top = 6, bottom = 16, h = chart_h_px;
    const double w = width - left - right, ph = h - top - bottom;
    const auto x = [&](double i) { return left + w * i / double(n - 1); };
    const auto y = [&](double v) { return top + ph * (1 - v / hi); };
    const std::string from = t.series_from;
    // Month index of a "YYYY-MM" text relative to the series' first month.
    const auto idx = [&](const std::string& s) {
        return double((std::stoi(s.substr(0, 4)) - std::stoi(from.substr(0, 4))) * 12 + std::stoi(s.substr(5, 2)) -
                      std::stoi(from.substr(5, 2)));
    };
    std::ostringstream o;
    o << "<svg class=\"trend-chart\" style=\"display:block\" width=\"" << fixed(width, 0) << "\" height=\"" << fixed(h, 0) << "\" viewBox=\"0 0 "
      << fixed(width, 0) << " " << fixed(h, 0) << "\" role=\"img\" aria-label=\"Incidents per month\">";
    const auto band = [&](const std::string& first, const std::string& last, const char* fill) {
        const double half = 0.5 * w / double(n - 1);
        const double x0 = std::max(left, x(idx(first)) - half);
        const double x1 = std::min(left + w, x(idx(last)) + half);
        if (x1 > x0)
            o << "<rect x=\"" << fixed(x0, 1) << "\" y=\"" << fixed(top, 1) << "\" width=\"" << fixed(x1 - x0, 1)
              << "\" height=\"" << fixed(ph, 1) << "\" fill=\"" << fill << "\"/>";
    };
    band(c.comparison_from, c.comparison_to, "#eeeeee");
    band(c.period_from, c.period_to, "#fde0c5");
    o << "<line x1=\"" << left << "\" y1=\"" << fixed(top + ph, 1) << "\" x2=\"" << fixed(left + w, 1) << "\" y2=\""
      << fixed(top + ph, 1) << "\" stroke=\"#888\" stroke-width=\"0.6\"/>";
    std::string path;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(m[i])) continue;
        path += (path.empty() ? "M" : " L") + fixed(x(double(i)), 1) + " " + fixed(y(m[i]), 1);
    }
    o << "<path d=\"" << path << "\" fill=\"none\" stroke=\"#b2182b\" stroke-width=\"1.4\"/>";
    o << "<text x=\"" << left - 3 << "\" y=\"" << fixed(top + 8, 1) << "\" font-size=\"8\" text-anchor=\"end\">"
      << thousands(hi) << "</text><text x=\"" << left - 3 << "\" y=\"" << fixed(top + ph, 1)
      << "\" font-size=\"8\" text-anchor=\"end\">0</text>";
    o << "<text x=\"" << left << "\" y=\"" << fixed(h - 3, 1) << "\" font-size=\"8\">" << esc(month_text(from))
      << "</text><text x=\"" << fixed(left + w, 1) << "\" y=\"" << fixed(h - 3, 1) << "\" font-size=\"8\" text-anchor=\"end\">"
      << esc(month_text(t.series_to)) << "</text></svg>\n";
    return o.str();
}

// The hours of the week as a 7 x 24 heat grid, the night-time economy window (21:00-04:00) marked.
std::string heat_clock(const std::vector<std::vector<std::uint64_t>>& table, double width) {
    std::uint64_t hi = 0;
    for (const auto& day : table)
        for (const auto v : day) hi = std::max<std::uint64_t>(hi, v);
    const double left = 26, top = 10, cw = std::min(clock_cell_px * 2, (width - left - 4) / 24), ch = clock_cell_px;
    const double w = left + 24 * cw + 4, h = top + 7 * ch + 2;
    static const char* days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    std::ostringstream o;
    o << "<svg class=\"heat-clock\" style=\"display:block\" width=\"" << fixed(w, 0) << "\" height=\"" << fixed(h, 0) << "\" viewBox=\"0 0 " << fixed(w, 0)
      << " " << fixed(h, 0) << "\" role=\"img\" aria-label=\"Incidents by weekday and hour\">";
    for (int hr = 0; hr < 24; hr += 3)
        o << "<text x=\"" << fixed(left + hr * cw, 1) << "\" y=\"8\" font-size=\"7\">" << (hr < 10 ? "0" : "") << hr << "</text>";
    for (std::size_t d = 0; d < 7 && d < table.size(); ++d) {
        o << "<text x=\"0\" y=\"" << fixed(top + double(d) * ch + ch - 1, 1) << "\" font-size=\"7\">" << days[d] << "</text>";
        for (std::size_t hr = 0; hr < 24 && hr < table[d].size(); ++hr) {
            const double v = hi ? double(table[d][hr]) / double(hi) : 0;
            const int shade = int(std::lround(255 - 200 * v));
            o << "<rect x=\"" << fixed(left + double(hr) * cw, 1) << "\" y=\"" << fixed(top + double(d) * ch, 1) << "\" width=\""
              << fixed(cw, 1) << "\" height=\"" << fixed(ch, 1) << "\" fill=\"rgb(255," << shade << "," << std::max(0, shade - 40)
              << ")\"/>";
        }
    }
    // 21:00 to 04:00: two outlined blocks (21-24 and 0-4).
    const auto box = [&](double from, double to) {
        o << "<rect x=\"" << fixed(left + from * cw, 1) << "\" y=\"" << fixed(top, 1) << "\" width=\"" << fixed((to - from) * cw, 1)
          << "\" height=\"" << fixed(7 * ch, 1) << "\" fill=\"none\" stroke=\"#333\" stroke-width=\"0.8\" stroke-dasharray=\"2 1\"/>";
    };
    box(21, 24);
    box(0, 4);
    o << "</svg>\n";
    return o.str();
}

} // namespace

std::string trend_section(const nlohmann::ordered_json& steps, double width, double& left) {
    if (!steps.is_object() || !steps.contains("change")) return "";
    const ChangeManifestNode node = ChangeManifestNode::from_json(steps["change"]);  // steps/change_step.hpp
    if (!node.skipped.empty() || node.change.period_from.empty()) return "";
    const ChangeSummaryNode& c = node.change;
    std::ostringstream b;
    double used = 28;  // the heading
    left -= 48;        // slack: the estimates of wrapped text (here and in the tables above) fall short now and then
    // Force-wide, in words.
    std::string force = esc(c.sentence);
    if (!node.comparison_source.empty()) force += " <i>Compared: " + esc(node.comparison_source) + ".</i>";
    const double force_px = text_px(c.sentence + node.comparison_source + "Compared: ", width);
    // Leading wards and the hot spots.
    std::string places, places_text;
    for (const ChangeLevelNode& lv : node.levels ? *node.levels : std::vector<ChangeLevelNode>()) {
        if (lv.hotspots()) {
            std::vector<std::string> parts;
            for (const auto& a : lv.each)
                if (parts.size() < 5) parts.push_back("#" + a.code + " " + pct_words(a.pct_change) + " (" + a.change_class + ")");
            if (!parts.empty()) places += "<b>Hot spots:</b> " + esc(join_words(parts)) + ". ", places_text += "Hot spots: " + join_words(parts) + ". ";
        } else if (places_text.find("Rising") == std::string::npos) {
            std::vector<std::string> up, down;
            for (const auto& a : lv.rising)
                if (up.size() < 3) up.push_back(a.name + " " + pct_words(a.pct_change) + ", " + p_words(a.p));
            for (const auto& a : lv.falling)
                if (down.size() < 2) down.push_back(a.name + " " + pct_words(a.pct_change));
            const std::string L = level_label(lv.level, true);
            std::string s = "Rising " + L + ": " + (up.empty() ? "none significantly" : join_words(up)) + ". ";
            if (!down.empty()) s += "Falling: " + join_words(down) + ". ";
            places += esc(s), places_text += s;
        }
    }
    const double places_px = places_text.empty() ? 0 : text_px(places_text, width);
    // The hours of the week (a missing node reads as no times, no note).
    const HoursManifestNode hours = HoursManifestNode::from_json(steps.contains("hours") ? steps["hours"] : json::object());
    const bool clock = !hours.no_times && hours.table.has_value();
    const std::string& hours_note = hours.note;
    const double hours_px = hours_note.empty() ? 0 : text_px(hours_note, width);
    const double clock_px = clock ? 10 + 7 * clock_cell_px + 10 : 0;
    const double chart_px = chart_h_px + 8;

    b << "<h3>Direction of travel</h3>\n";
    // Fit what there is room for, most important first: the force sentence, places, chart, clock.
    if (used + force_px > left) {
        b << "<p class=\"note\">" << esc(c.change_class) << " force-wide (" << esc(pct_words(c.pct_change))
          << "); the direction of travel of every area is in the GeoPackage.</p>\n";
        left -= used + note_line_px + 8;
        return b.str();
    }
    b << "<p class=\"note\">" << force << "</p>\n";
    used += force_px;
    if (places_px > 0 && used + places_px <= left) b << "<p class=\"note\">" << places << "</p>\n", used += places_px;
    if (used + chart_px <= left) b << trend_chart(c, width) , used += chart_px;
    if (clock && used + clock_px + hours_px <= left) {
        b << heat_clock(*hours.table, width) << "<p class=\"note\">Incidents by weekday and hour (darker: more); dashed: "
          << "21:00\u201304:00. " << esc(hours_note) << "</p>\n";
        used += clock_px + hours_px;
    } else if (!hours_note.empty() && used + hours_px <= left) {
        b << "<p class=\"note\">" << esc(hours_note) << "</p>\n";
        used += hours_px;
    }
    left -= used;
    return b.str();
}

} // namespace hotspot::report
