// The tasking report's out-of-sample section (report_backtest.hpp): the map's prospective hit
// rate and PAI in a sentence, the area-share curve, and the table of candidate settings.

#include "report_backtest.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "report_text.hpp"

namespace hotspot::report {

namespace {

using json = nlohmann::ordered_json;

constexpr double curve_h_px = 92;
constexpr double note_line_px = 12.5;  // a line of .note text (report_pages.cpp note_px)

bool ran(const json& steps) {
    return steps.is_object() && steps.contains("backtest") && steps["backtest"].contains("candidates") &&
           !steps["backtest"]["candidates"].empty();
}

double num(const json& v) { return v.is_number() ? v.get<double>() : NAN; }

// The candidate's name without the run's " (profile)" mark.
std::string bare(const std::string& name) {
    const std::string mark = " (profile)";
    return name.size() > mark.size() && name.ends_with(mark) ? name.substr(0, name.size() - mark.size()) : name;
}

std::size_t choose_index(const json& node) {
    const json& o = node["options"];
    const double c = o.value("choose_share", 0.01);
    const json& shares = o["shares"];
    for (std::size_t k = 0; k < shares.size(); ++k)
        if (shares[k].get<double>() == c) return k;
    return 0;
}

// Index of the map shown (the node's "shown"; else the first, the profile's own setting).
std::size_t shown_index(const json& node) {
    const std::string shown = node.value("shown", std::string());
    const json& cs = node["candidates"];
    for (std::size_t c = 0; c < cs.size(); ++c)
        if (bare(cs[c].value("candidate", std::string())) == shown) return c;
    return 0;
}

std::string pct_text(double share) { return fixed(share * 100, share < 0.01 ? 1 : 0) + "%"; }

// The area-share curve and its key.
std::string curve_html(const json& node, double width) {
    const json& cs = node["candidates"];
    const json& shares = node["options"]["shares"];
    const std::size_t shown = shown_index(node);
    std::size_t best = shown, counts = cs.size();
    for (std::size_t c = 0; c < cs.size(); ++c) {
        if (cs[c].value("chosen", false)) best = c;
        if (cs[c].value("candidate", std::string()) == "counts") counts = c;
    }
    std::ostringstream b;
    // The shares evenly spaced along x (0, 0.5, 1, 2, 5%: a linear axis would crowd the small
    // ones that matter), each plotted at its own tick.
    const auto tick = [&](double share) {
        if (share <= 0) return 0.0;
        for (std::size_t k = 0; k < shares.size(); ++k)
            if (shares[k].get<double>() == share) return double(k + 1);
        return double(shares.size());
    };
    const double lm = 30, rm = 8, tm = 6, bm = 16, h = curve_h_px;
    const double w = width - lm - rm, ph = h - tm - bm;
    const auto x = [&](double share) { return lm + w * tick(share) / double(shares.size()); };
    const auto y = [&](double rate) { return tm + ph * (1 - rate); };
    b << "<svg class=\"pai-curve\" style=\"display:block\" width=\"" << fixed(width, 0) << "\" height=\"" << fixed(h, 0)
      << "\" viewBox=\"0 0 " << fixed(width, 0) << " " << fixed(h, 0)
      << "\" role=\"img\" aria-label=\"Share of the next months' incidents against share of the area\">";
    // Axes, gridlines at 25% steps, the share ticks.
    for (double r : {0.0, 0.25, 0.5, 0.75, 1.0}) {
        b << "<line x1=\"" << fixed(lm, 1) << "\" y1=\"" << fixed(y(r), 1) << "\" x2=\"" << fixed(lm + w, 1) << "\" y2=\""
          << fixed(y(r), 1) << "\" stroke=\"" << (r == 0 ? "#888" : "#e4e4e4") << "\" stroke-width=\"0.6\"/>";
        b << "<text x=\"" << fixed(lm - 3, 1) << "\" y=\"" << fixed(y(r) + 3, 1) << "\" font-size=\"7\" text-anchor=\"end\">"
          << fixed(r * 100, 0) << "%</text>";
    }
    for (const auto& s : shares)
        b << "<text x=\"" << fixed(x(s.get<double>()), 1) << "\" y=\"" << fixed(h - 4, 1)
          << "\" font-size=\"7\" text-anchor=\"middle\">" << pct_text(s.get<double>()) << "</text>";
    b << "<text x=\"" << fixed(lm, 1) << "\" y=\"" << fixed(h - 4, 1) << "\" font-size=\"7\">0</text>";
    const auto line = [&](std::size_t c, const char* colour, const char* dash) {
        std::string path = "M" + fixed(x(0), 1) + " " + fixed(y(0), 1);
        const json& at = cs[c]["at_shares"];
        for (const auto& a : at)
            if (a["hit_rate"].is_number())
                path += " L" + fixed(x(a["area_share"].get<double>()), 1) + " " + fixed(y(a["hit_rate"].get<double>()), 1);
        b << "<path d=\"" << path << "\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.4\"" << dash << "/>";
    };
    if (counts < cs.size() && counts != shown && counts != best) line(counts, "#888888", " stroke-dasharray=\"3 2\"");
    if (best != shown) line(best, "#2166ac", "");
    line(shown, "#b2182b", "");
    b << "</svg><span style=\"color:#b2182b\">\u2014</span> this map's setting ("
      << esc(bare(cs[shown].value("candidate", std::string()))) << ")";
    if (best != shown)
        b << ", <span style=\"color:#2166ac\">\u2014</span> best (" << esc(bare(cs[best].value("candidate", std::string()))) << ")";
    if (counts < cs.size() && counts != shown && counts != best) b << ", <span style=\"color:#888\">- -</span> counts";
    b << ": share of the next months' incidents in the top cells (y) by share of the area (x, not to scale).";
    return b.str();
}

} // namespace

std::string backtest_map_note(const json& steps) {
    if (!steps.is_object() || !steps.contains("backtest")) return "";
    const json& node = steps["backtest"];
    if (node.contains("skipped")) return " Not backtested: " + node["skipped"].get<std::string>() + ".";
    if (!node.contains("sentence")) return "";
    return " Out of sample: " + lower_first(node["sentence"].get<std::string>());
}

BacktestTable backtest_table(const json& steps, double width) {
    BacktestTable t;
    t.css = "backtest";
    t.title = "Out of sample: settings tried, best first";
    t.empty = "No backtest.";
    if (!ran(steps)) return t;
    const json& node = steps["backtest"];
    const json& cs = node["candidates"];
    const json& shares = node["options"]["shares"];
    const std::size_t k = choose_index(node);
    const std::size_t shown = shown_index(node);
    t.head = "<tr><th>Setting</th>";
    for (std::size_t s = 0; s < shares.size(); ++s)
        t.head += "<th class=\"n\">" + std::string(s == k ? "<b>" : "") + pct_text(shares[s].get<double>()) +
                  (s == k ? "</b>" : "") + "</th>";
    t.head += "<th class=\"n\">PAI " + pct_text(shares[k].get<double>()) + "</th></tr>";
    std::vector<std::size_t> order(cs.size());
    for (std::size_t c = 0; c < order.size(); ++c) order[c] = c;
    const auto rate = [&](std::size_t c) {
        const double v = num(cs[c]["at_shares"][k]["hit_rate"]);
        return std::isfinite(v) ? v : -1.0;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rate(a) > rate(b); });
    for (std::size_t c : order) {
        const json& cand = cs[c];
        std::string name = esc(bare(cand.value("candidate", std::string())));
        const double bw = cand.value("mean_bandwidth_m", 0.0);
        if (name.find("auto:") != std::string::npos && bw > 0) name += " (" + thousands(bw) + " m)";
        if (c == shown) name = "<b>" + name + "</b> (map)";
        if (cand.value("chosen", false)) name += " \u2605";
        std::string tr = "<tr><td>" + name + "</td>";
        for (std::size_t s = 0; s < shares.size(); ++s) {
            const double v = num(cand["at_shares"][s]["hit_rate"]);
            tr += "<td class=\"n\">" + (std::isfinite(v) ? fixed(v * 100, 1) + "%" : std::string("\u2013")) + "</td>";
        }
        tr += "<td class=\"n\">" + fixed(num(cand["at_shares"][k]["pai"]), 1) + "</td></tr>";
        t.rows.push_back(tr);
        t.cost.push_back(18.5);
    }
    const json& o = node["options"];
    const std::string span = "<tr><td colspan=\"" + std::to_string(shares.size() + 2) + "\" class=\"note\">";
    t.rows.push_back(span + curve_html(node, width) + "</td></tr>");
    t.cost.push_back(curve_h_px + 2 * note_line_px + 8);
    const std::string after = "Share of the next " + std::to_string(o.value("test_months", 3)) + " months' incidents in the top " +
              "cells of a map drawn from the " + std::to_string(o.value("train_months", 12)) + " months before, pooled over " +
              std::to_string(node["origins"].size()) + " origins a month apart (" + thousands(node.value("test_incidents", 0.0)) +
              " test incidents), by share of the study area; PAI = hit rate \u00f7 area share. \u2605 best at " +
              pct_text(shares[k].get<double>()) + ". The counts baseline is last year's incidents per cell.";
    t.rows.push_back(span + esc(after) + "</td></tr>");
    t.cost.push_back(4 * note_line_px + 8);
    return t;
}

} // namespace hotspot::report
