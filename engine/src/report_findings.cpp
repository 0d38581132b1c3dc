#include "report_findings.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "report_text.hpp"

namespace hotspot::report {

namespace {
// A share of an area as a percentage with two significant figures below 1% ("0.0024%", "0.57%").
std::string small_percent(double f) {
    const double pct = 100.0 * f;
    if (!(pct > 0))
        return "0%";
    const int decimals = pct >= 1 ? 1 : int(std::ceil(-std::log10(pct))) + 1;
    return fixed(pct, decimals) + "%";
}
} // namespace

std::vector<RankedArea> rank_areas(const LevelRates& level, bool by_rate) {
    const char* key = by_rate ? "rate_per_1000" : "incidents";
    std::vector<RankedArea> out;
    for (const auto& f : level.rows)
        out.push_back({&f, 0});
    std::stable_sort(out.begin(), out.end(), [&](const RankedArea& a, const RankedArea& b) {
        const auto va = a.area->num(key), vb = b.area->num(key);
        if (va.has_value() != vb.has_value())
            return va.has_value();
        return va && *va > *vb;
    });
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto v = out[i].area->num(key);
        if (!v)
            break;
        out[i].rank = (i > 0 && out[i - 1].area->num(key) == v) ? out[i - 1].rank : int(i + 1);
    }
    return out;
}

std::string area_word(const ReportInput& in) {
    std::string a = in.area_name + " " + in.title;
    std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return a.find("force") != std::string::npos || a.find("police") != std::string::npos ? "force" : "study area";
}

std::string ward_names(const std::string& wards) {
    std::string out;
    int depth = 0;
    for (char c : wards) {
        if (c == '(')
            ++depth;
        else if (c == ')')
            depth = std::max(0, depth - 1);
        else if (depth == 0)
            out += c;
    }
    // "Castle , Westcotes " -> "Castle, Westcotes"
    std::string tidy;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == ' ' && (i + 1 == out.size() || out[i + 1] == ',' || out[i + 1] == ' '))
            continue;
        tidy += out[i];
    }
    return tidy;
}

std::vector<std::string> key_findings(const ReportInput& in, const ProfileInput& p) {
    std::vector<std::string> out;
    const std::string subject = profile_subject(p);
    const std::string period = period_text(in.period_from, in.period_to);
    if (p.selected == 0) {
        out.push_back("No incident of " + subject + " was recorded in " + period + ".");
        return out;
    }
    std::string volume = thousands(p.selected) + " incidents of " + subject + " in " + period;
    if (in.comparing && std::isfinite(p.selected_comparison)) {
        const std::string before = thousands(p.selected_comparison) + " in " +
                                   period_text(in.comparison_from, in.comparison_to);
        if (p.selected_comparison <= 0)
            volume += ", against none in " + period_text(in.comparison_from, in.comparison_to);
        else if (std::abs(p.selected / p.selected_comparison - 1) < 0.005)
            volume += ", about the same as the " + before;
        else {
            const double change = p.selected / p.selected_comparison - 1;
            volume += ", " + fixed(std::abs(change) * 100, 0) + "% " + (change > 0 ? "more" : "fewer") +
                      " than the " + before;
        }
    }
    out.push_back(volume + ".");

    const std::string place = area_word(in);
    if (!p.rates.empty()) {
        const LevelRates& wards = p.rates.front();
        const std::string level = wards.level;
        const std::vector<RankedArea> ranked = rank_areas(wards, p.has_population);
        const std::size_t n = wards.rows.size();
        if (p.has_population && std::isfinite(p.reference_rate)) {
            std::vector<const RankedArea*> sig;
            for (const auto& r : ranked)
                if (r.area->str("rate_class") == "significantly above")
                    sig.push_back(&r);
            if (sig.empty()) {
                out.push_back("No " + level + "'s rate is significantly above the " + place + " rate of " +
                              fixed(p.reference_rate, 1) + " per 1,000 residents.");
            } else {
                const RankedArea& top = *sig.front();
                out.push_back(top.area->str("name") + " " + level + "\u2019s rate of " + subject + ", " +
                              fixed(top.area->num("rate_per_1000").value_or(NAN), 1) +
                              " per 1,000 residents, is significantly above the " + place + " rate of " +
                              fixed(p.reference_rate, 1) + ", the " +
                              (top.rank == 1 ? std::string("highest") : ordinal(top.rank) + " highest") +
                              " of " + thousands(double(n)) + " " + level + "s.");
                out.push_back(thousands(double(sig.size())) + " of " + thousands(double(n)) + " " + level +
                              (sig.size() == 1 ? "s is" : "s are") + " significantly above the " + place + " rate.");
            }
        } else if (!ranked.empty() && ranked.front().rank > 0 && p.selected > 0) {
            const Feature& top = *ranked.front().area;
            const double c = top.num("incidents").value_or(NAN);
            out.push_back(top.str("name") + " " + level + " recorded the most, " + thousands(c) + " (" +
                          percent(c / p.selected) + " of the " + place + "\u2019s total); rates are not " +
                          "given for this profile (no residents\u2019 denominator).");
        }
    }
    if (!p.hotspots.empty()) {
        // All the hot spots together (the sentence the pack leads with: "these 9 hot spots cover
        // 1% of the force area and held 31% of its incidents"), then hot spot 1 on the ground.
        double held = 0, covered = 0;
        bool all = true;
        for (const Feature& f : p.hotspots) {
            const auto sh = f.num("share"), pi = f.num("pai");
            if (!sh || !pi || !(*pi > 0)) {
                all = false;
                break;
            }
            held += *sh;
            covered += *sh / *pi;
        }
        const std::string where = place == "force" ? "force area" : place;
        if (all)
            out.push_back("The " + thousands(double(p.hotspots.size())) + " hot spot" +
                          (p.hotspots.size() == 1 ? " covers " : "s cover ") + small_percent(covered) + " of the " +
                          where + " and held " + percent(held) + " of its incidents.");
        const Feature& h = p.hotspots.front();
        const auto inc = h.num("incidents"), area = h.num("area_m2");
        if (inc) {
            std::string s = "Hot spot 1 (" + short_wards(ward_names(h.str("wards")));
            if (!h.str("grid_ref").empty())
                s += ", " + h.str("grid_ref");
            s += ") held " + thousands(*inc) + " incidents";
            if (area && *area > 0)
                s += " on " + fixed(*area / 1e4, *area < 1e5 ? 1 : 0) + " hectares";
            if (!h.str("streets").empty())
                s += "; streets: " + h.str("streets");
            out.push_back(s + ".");
        }
    }
    return out;
}

} // namespace hotspot::report
