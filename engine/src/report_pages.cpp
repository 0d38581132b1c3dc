#include "report_pages.hpp"
#include "report_trend.hpp"
#include "report_backtest.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "hotspot/backtest.hpp"
#include "hotspot/svg_map.hpp"
#include "report_disclosure.hpp"
#include "report_emerging.hpp"
#include "report_findings.hpp"
#include "report_text.hpp"

namespace hotspot::report {

namespace {

// ---------------------------------------------------------------- page metrics
// The content box of report_style.cpp at 96 px per inch: 210 mm page less 7 + 5 mm padding,
// the marking line (14 px), the heading (33 px) and the footer (18 px) is 683 px; a page is
// filled to content_px only, leaving room for estimates that fall short.
constexpr double content_px = 660;
constexpr double page_w_px = 1047;  // 297 mm less 2 x 10 mm
constexpr double map_col_px = 484;  // 128 mm
constexpr double side_px = page_w_px - map_col_px - 23;
constexpr double row_px = 18.5;     // one table line: 13 px text + 4 px padding + 1 px rule
constexpr double line_px = 13;      // a further line of a wrapped table cell
constexpr double h3_px = 24;
constexpr double note_px = 12.5;    // a line of .note text
constexpr double char_px = 5.9;     // mean advance of 10.5 px Arial (wider than it is, to be safe)
constexpr std::size_t hotspots_listed = 5;

std::size_t glyphs(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

// Lines a text takes in a box `width` px wide, at `cpx` px per character.
double lines(const std::string& text, double width, double cpx = char_px) {
    return std::max(1.0, std::ceil(double(glyphs(text)) * cpx / width));
}

// A table of the report, before it is cut into pages.
struct Table {
    std::string css, title, head; // head: the <tr> of <th>
    std::vector<std::string> rows;
    std::vector<double> cost; // px of each row
    std::string ref_row;      // on the profile page only (the reference rate)
    std::string after;        // note under the table on the profile page
    std::string empty;        // text when there are no rows
};

// The emerging hot spots table: whole with its note when it fits; else its rows continue in the
// annex and the note is left out; nothing when not even the heading and that line fit.
template <class Put>
void emerging_on_page(const EmergingTable& e, double left, Put& put_table) {
    double rows_px = 0;
    for (double c : e.cost) rows_px += c;
    const double after_px = lines(e.after, side_px, 5.4) * note_px + 4;
    const bool whole = left >= h3_px + row_px + line_px + rows_px + after_px;
    if (whole || left >= h3_px + 2 * note_px + 8)
        put_table(Table{e.css, e.title, e.head, e.rows, e.cost, "", whole ? e.after : "", e.empty}, whole ? 99 : 0);
}

// Rows of a table continued in the annex.
struct AnnexChunk {
    std::string heading; // the profile's heading
    std::string css, title, head;
    std::vector<std::string> rows;
    std::vector<double> cost;         // px of each row, as estimated for the profile page
    std::size_t first = 0, total = 0; // 1-based row number of rows[0], rows of the whole table
    std::size_t page = 0;             // page number, when laid out
};

struct Page {
    std::string kind, id, profile, heading, meta, body;
};

// What publish mode did, said the same way on the cover and under "Read with care": the
// threshold applies to the maps too (profile_kde.cpp heat.min_incidents, hotspots_step.cpp).
std::string publication_note(int n) {
    const std::string lt = "&lt;" + std::to_string(n);
    return "counts below " + std::to_string(n) + " are shown as " + lt + "; the maps apply the same threshold: " +
           "density is shaded only where at least " + std::to_string(n) + " incidents reach a cell, and every hot " +
           "spot holds at least " + std::to_string(n) + " incidents; no incident locations are included";
}

std::string td(const std::string& text, bool numeric = false) {
    return std::string(numeric ? "<td class=\"n\">" : "<td>") + text + "</td>";
}

// Reason codes as words: "missing_coordinate 5,214" -> "missing coordinate 5,214".
std::string words(std::string s) {
    std::replace(s.begin(), s.end(), '_', ' ');
    return s;
}

std::string units_text(const std::string& units) {
    return units == "per-km2"    ? "Incidents per km\u00b2"
           : units == "per-m2"   ? "Incidents per m\u00b2"
           : units == "relative" ? "Relative density (0\u20131)"
                                 : "Kernel sum";
}

// Whether the map numbers the hot spot of rank order i: as the layer's `label` says when it has
// one (hotspots_step.hpp), else the first hotspots_listed.
bool numbered(const Feature& h, std::size_t i) {
    const bool has_label = h.text.count("label") > 0;
    return has_label ? !h.str("label").empty() : i < hotspots_listed;
}

std::string first_text(const Feature& f, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (!f.str(k).empty())
            return f.str(k);
    return "";
}

class Renderer {
  public:
    Renderer(const ReportInput& in, std::string produced) : in_(in), produced_(std::move(produced)) {}

    PagesResult render();

  private:
    const ReportInput& in_;
    std::string produced_;
    std::vector<Page> pages_;
    std::vector<AnnexChunk> annex_;

    std::string count_text(const Feature& f, const char* key) const {
        const auto v = f.num(key);
        if (!v)
            return in_.publish && in_.publish_min_count > 0 ? "&lt;" + std::to_string(in_.publish_min_count)
                                                            : "\u2013";
        return thousands(*v);
    }
    std::string period() const { return period_text(in_.period_from, in_.period_to); }
    std::string comparison() const { return period_text(in_.comparison_from, in_.comparison_to); }

    void cover();
    void about();
    // The profile page's body; annex chunks for the rows that do not fit are appended to
    // annex_, and `refs` receives (annex chunk index, placeholder) to fill in page numbers.
    void profile(const ProfileInput& p, std::vector<std::pair<std::size_t, std::string>>& refs);
    Table hotspot_table(const ProfileInput& p) const;
    std::vector<Table> area_tables(const ProfileInput& p) const;
    std::string methods(const ProfileInput& p) const;
    void layout_annex(std::size_t first_page);
};

// ---------------------------------------------------------------- cover: key findings

void Renderer::cover() {
    std::ostringstream b;
    b << "<h1>" << esc(in_.title) << "</h1>\n";
    if (!in_.area_name.empty())
        b << "<div class=\"sub\">" << esc(in_.area_name) << "</div>\n";
    b << "<dl class=\"facts\"><dt>Period</dt><dd>" << esc(period()) << "</dd>";
    if (in_.comparing)
        b << "<dt>Compared with</dt><dd>" << esc(comparison()) << "</dd>";
    b << "<dt>Produced</dt><dd>" << esc(produced_) << (in_.author.empty() ? "" : " by " + esc(in_.author))
      << " with hotspot " << esc(in_.version) << "</dd>";
    if (!in_.marking.empty())
        b << "<dt>Protective marking</dt><dd><b>" << esc(in_.marking) << "</b></dd>";
    b << "<dt>Records</dt><dd>" << thousands(in_.rows_in) << " read, " << thousands(in_.assigned)
      << " placed in an area" << (in_.police_uk ? " (police.uk street-level data)" : "") << "</dd>";
    if (in_.publish)
        b << "<dt>Publication version</dt><dd>" << disclosure_policy_paragraph(in_.publish_min_count) << " In short: "
          << publication_note(in_.publish_min_count) << ".</dd>";
    b << "</dl>\n<h3>Key findings</h3>\n<div class=\"findings\">\n";
    for (const auto& p : in_.profiles) {
        b << "<div class=\"finding\"><h4>" << esc(profile_heading(p)) << "</h4><ul>";
        for (const auto& s : key_findings(in_, p))
            b << "<li>" << esc(s) << "</li>";
        b << "</ul></div>\n";
    }
    b << "</div>\n";
    pages_.push_back({"cover", "cover", "", "Tasking pack",
                      in_.publish ? "Publication version: small counts suppressed" : "For the tasking meeting",
                      b.str()});
}

// ---------------------------------------------------------------- cover: definitions, caveats

void Renderer::about() {
    std::ostringstream b;
    b << "<h3>Profiles in this pack</h3>\n<table class=\"profiles\"><thead><tr><th>Page</th><th>Profile</th>"
         "<th class=\"n\">Incidents</th>"
      << (in_.comparing ? "<th class=\"n\">Comparison</th>" : "") << "<th>Definition</th></tr></thead><tbody>\n";
    int page_no = 3;
    for (const auto& p : in_.profiles) {
        std::string def = p.description;
        if (p.proxy && !p.proxy_categories.empty()) {
            std::vector<std::string> quoted;
            for (const auto& c : p.proxy_categories)
                quoted.push_back("\u201c" + c + "\u201d");
            def = "Every police.uk " + join_words(quoted) + " record, standing in for: " + def;
        } else if (def.empty()) {
            for (const auto& t : p.filter)
                def += (def.empty() ? "" : "; ") + t;
        }
        if (!p.has_population)
            def += " Shown as counts: no residents\u2019 denominator.";
        b << "<tr>" << td(std::to_string(page_no++), true) << "<td><b>" << esc(profile_heading(p)) << "</b>"
          << (p.proxy ? " <span class=\"cls c-above\">proxy</span>" : "") << "</td>" << td(thousands(p.selected), true)
          << (in_.comparing ? td(thousands(p.selected_comparison), true) : "") << "<td class=\"note\">" << esc(def)
          << "</td></tr>\n";
    }
    b << "</tbody></table>\n<h3>Read with care</h3>\n<ul class=\"caveats\">\n";
    if (in_.police_uk)
        b << "<li>police.uk locations are anonymised: every incident is moved to the nearest of a fixed set of "
             "snap points (a street, a public place), so hot spots show the pattern across streets, not "
             "addresses.</li>\n";
    for (const auto& p : in_.profiles)
        if (p.proxy && !p.proxy_note.empty())
            b << "<li><b>" << esc(profile_heading(p)) << ":</b> " << esc(p.proxy_note) << "</li>\n";
    b << "<li>Counts are recorded incidents, not all crime. Rates are per 1,000 residents, so areas with many "
         "visitors (town centre, night-time economy) show high rates.</li>\n"
         "<li>\u201cSignificantly above\u201d means the area\u2019s rate is above the "
      << area_word(in_)
      << " rate (all its areas together) beyond what chance variation explains (99.8% confidence interval); "
         "\u201cabove\u201d uses the 95% interval. An area that dominates the total pulls that rate up, so "
         "others read as below it; a run can set a fixed <code>reference_rate</code> instead.</li>\n";
    const double unplaced = (std::isfinite(in_.rejected) ? in_.rejected : 0) + (std::isfinite(in_.outside) ? in_.outside : 0);
    if (unplaced > 0)
        b << "<li>" << thousands(unplaced) << " of the " << thousands(in_.rows_in)
          << " records are not in the maps: " << thousands(in_.rejected) << " had no usable location or date"
          << (in_.rejected_by_reason.empty() ? "" : " (" + esc(words(in_.rejected_by_reason)) + ")") << " and "
          << thousands(in_.outside) << " lay outside every area.</li>\n";
    if (in_.publish)
        b << "<li>Publication version: " << publication_note(in_.publish_min_count) << ".</li>\n";
    b << "</ul>\n<div class=\"attrib\"><b>Data and licences.</b> ";
    std::vector<std::string> attribution = in_.attribution;
    const std::string ogl = "Contains public sector information licensed under the Open Government Licence v3.0.";
    if (in_.police_uk && std::find(attribution.begin(), attribution.end(), ogl) == attribution.end())
        attribution.push_back(ogl);
    for (const auto& a : attribution)
        b << esc(a) << " ";
    b << "Maps drawn by hotspot from the run folder \u201c" << esc(in_.run_name)
      << "\u201d (its manifest.json lists every input with its checksum).</div>\n";
    pages_.push_back({"cover", "about", "", "About this pack", esc(in_.title), b.str()});
}

// ---------------------------------------------------------------- profile pages

Table Renderer::hotspot_table(const ProfileInput& p) const {
    Table t;
    t.css = "hotspots";
    t.title = "Top hot spots";
    t.head = "<tr><th class=\"n\">#</th><th>Where</th><th class=\"n\">Incidents</th><th class=\"n\">Share</th>"
             "<th class=\"n\">PAI</th>" +
             std::string(in_.comparing ? "<th class=\"n\">Change</th>" : "") + "</tr>";
    const double where_px = side_px - (in_.comparing ? 230 : 180);
    for (std::size_t i = 0; i < p.hotspots.size(); ++i) {
        const Feature& h = p.hotspots[i];
        if (!numbered(h, i))
            continue;
        std::string where = esc(short_wards(h.str("wards")));
        const std::string grid = first_text(h, {"grid_ref", "grid_reference", "peak_grid_ref", "bng"});
        const std::string streets = first_text(h, {"streets", "street_names", "street"});
        if (!grid.empty())
            where += "<br><span class=\"note\">" + esc(grid) + "</span>";
        if (!streets.empty())
            where += "<br><span class=\"note\">" + esc(streets) + "</span>";
        const double share = h.num("share").value_or(NAN);
        const double pai = h.num("pai").value_or(NAN);
        t.rows.push_back("<tr>" + td(thousands(h.num("rank").value_or(double(i + 1))), true) + td(where) +
                         td(count_text(h, "incidents"), true) + td(percent(share), true) +
                         td(fixed(pai, pai < 10 ? 1 : 0), true) +
                         (in_.comparing ? td(signed_thousands(h.num("change").value_or(NAN)), true) : "") + "</tr>");
        double n = lines(short_wards(h.str("wards")), where_px) + (grid.empty() ? 0 : 1) +
                   (streets.empty() ? 0 : lines(streets, where_px));
        t.cost.push_back(row_px + (n - 1) * line_px);
    }
    if (p.hotspots.empty())
        t.empty = "No hot spot above the threshold.";
    std::string after;
    std::size_t n_numbered = 0;
    for (std::size_t i = 0; i < p.hotspots.size(); ++i)
        n_numbered += numbered(p.hotspots[i], i);
    if (p.hotspots.size() > n_numbered)
        after += thousands(double(p.hotspots.size() - n_numbered)) +
                 " smaller hot spots are outlined on the map but not numbered (layer " + esc(p.hotspot_layer) +
                 "). ";

    const std::string Ls = level_label(in_.levels.front(), true);
    after += "Where: the " + (Ls.size() > 1 && std::isupper(static_cast<unsigned char>(Ls[1])) ? Ls : lower_first(Ls)) +
             " the hot spot covers (share of its area). Share: of the profile\u2019s incidents. PAI (predictive "
             "accuracy index): share of incidents \u00f7 share of the study area.";
    if (in_.comparing)
        after += " Change: incidents in the period minus those in " + esc(comparison()) + ".";
    t.after = after;
    return t;
}

std::vector<Table> Renderer::area_tables(const ProfileInput& p) const {
    std::vector<Table> out;
    if (p.rates.empty())
        return out;
    const std::string place = area_word(in_);
    const bool rates = p.has_population && std::isfinite(p.reference_rate);
    // Wards
    {
        const LevelRates& lv = p.rates.front();
        const std::vector<RankedArea> ranked = rank_areas(lv, rates);
        std::vector<const RankedArea*> rows;
        const std::size_t fill = 12;
        if (rates) {
            for (const auto& r : ranked)
                if (class_order(r.area->str("rate_class")) <= 1)
                    rows.push_back(&r);
            for (const auto& r : ranked)
                if (rows.size() < fill && class_order(r.area->str("rate_class")) > 1)
                    rows.push_back(&r);
            std::stable_sort(rows.begin(), rows.end(), [](const RankedArea* a, const RankedArea* b) {
                return a->area->num("rate_per_1000").value_or(-1) > b->area->num("rate_per_1000").value_or(-1);
            });
        } else {
            for (std::size_t i = 0; i < ranked.size() && i < fill; ++i)
                rows.push_back(&ranked[i]);
        }
        Table t;
        t.css = "areas";
        const std::string L = level_label(lv.level), Ls = level_label(lv.level, true);
        t.title = rates ? Ls + ": rate per 1,000 residents, ranked of " + thousands(double(lv.rows.size()))
                        : Ls + ": incidents, ranked of " + thousands(double(lv.rows.size()));
        t.head = "<tr><th class=\"n\">Rank</th><th>" + esc(L) + "</th><th class=\"n\">Incidents</th>" +
                 (rates ? "<th class=\"n\">Rate (95% CI)</th><th class=\"w\">Against the " + place + " rate</th>"
                        : "<th class=\"n\">Share</th>") +
                 (in_.comparing ? "<th class=\"n\">Change</th>" : "") + "</tr>";
        const double name_px = side_px - (rates ? 300 : 170) - (in_.comparing ? 50 : 0);
        for (const RankedArea* r : rows) {
            const Feature& f = *r->area;
            std::string cells = td(r->rank > 0 ? thousands(r->rank) : "\u2013", true) + td(esc(f.str("name"))) +
                                td(count_text(f, "incidents"), true);
            if (rates) {
                const auto lo = f.num("ci95_lower"), hi = f.num("ci95_upper");
                const std::string cls = f.str("rate_class");
                cells += td(fixed(f.num("rate_per_1000").value_or(NAN), 1) +
                                (lo && hi ? " (" + fixed(*lo, 1) + "\u2013" + fixed(*hi, 1) + ")" : ""),
                            true) +
                         "<td><span class=\"cls " + class_css(cls) + "\">" + esc(cls.empty() ? "not tested" : cls) +
                         "</span></td>";
            } else {
                cells += td(p.selected > 0 && f.num("incidents") ? percent(*f.num("incidents") / p.selected) : "\u2013",
                            true);
            }
            if (in_.comparing)
                cells += td(signed_thousands(f.num("change").value_or(NAN)), true);
            t.rows.push_back("<tr>" + cells + "</tr>");
            t.cost.push_back(row_px + (lines(f.str("name"), name_px) - 1) * line_px);
        }
        if (rates)
            t.ref_row = "<tr class=\"ref\"><td></td><td>" + esc(level_label(place)) + " rate</td><td></td>" +
                        td(fixed(p.reference_rate, 1), true) + "<td>all " + esc(lv.level) + "s together</td>" +
                        (in_.comparing ? "<td></td>" : "") + "</tr>";
        if (ranked.size() > rows.size())
            t.after = thousands(double(ranked.size() - rows.size())) + " further " + esc(lv.level) + "s " +
                      (rates ? "similar to or below the " + place + " rate" : "with fewer incidents") +
                      " are not listed (layer " + esc(lv.layer) + ").";
        if (!rates)
            t.after += " No rates: this profile has no residents\u2019 denominator.";
        if (in_.comparing)
            t.after += " Change: against " + esc(comparison()) + ".";
        t.empty = "No " + esc(lv.level) + " recorded an incident.";
        out.push_back(std::move(t));
    }
    // Smaller areas: significantly above (rates), or the most incidents (counts).
    for (std::size_t li = 1; li < p.rates.size(); ++li) {
        const LevelRates& lv = p.rates[li];
        const std::vector<RankedArea> ranked = rank_areas(lv, rates);
        std::vector<const RankedArea*> rows;
        for (const auto& r : ranked)
            if (rates ? r.area->str("rate_class") == "significantly above" : (rows.size() < 10 && r.rank > 0))
                rows.push_back(&r);
        Table t;
        t.css = "lsoas";
        const std::string L = level_label(lv.level), Ls = level_label(lv.level, true);
        t.title = rates ? Ls + " significantly above the " + place + " rate (" + thousands(double(rows.size())) +
                              " of " + thousands(double(lv.rows.size())) + ")"
                        : Ls + " with the most incidents (of " + thousands(double(lv.rows.size())) + ")";
        t.head = "<tr><th class=\"n\">Rank</th><th>" + esc(L) + "</th><th class=\"n\">Incidents</th>" +
                 std::string(rates ? "<th class=\"n\">Rate (95% CI)</th>" : "<th class=\"n\">Share</th>") + "</tr>";
        for (const RankedArea* r : rows) {
            const Feature& f = *r->area;
            const auto lo = f.num("ci95_lower"), hi = f.num("ci95_upper");
            const std::string name = f.str("name") + " " + f.str("code");
            t.rows.push_back(
                "<tr>" + td(r->rank > 0 ? thousands(r->rank) : "\u2013", true) + "<td>" + esc(f.str("name")) +
                " <span class=\"note\">" + esc(f.str("code")) + "</span></td>" + td(count_text(f, "incidents"), true) +
                (rates ? td(fixed(f.num("rate_per_1000").value_or(NAN), 1) +
                                (lo && hi ? " (" + fixed(*lo, 1) + "\u2013" + fixed(*hi, 1) + ")" : ""),
                            true)
                       : td(p.selected > 0 && f.num("incidents") ? percent(*f.num("incidents") / p.selected)
                                                                 : "\u2013",
                            true)) +
                "</tr>");
            t.cost.push_back(row_px + (lines(name, side_px - 190) - 1) * line_px);
        }
        t.empty = "None.";
        out.push_back(std::move(t));
    }
    return out;
}

// Where the map's bandwidth came from, in the methods box's words: the backtest when the run let
// it choose (the manifest's backtest.bandwidth_chosen_by_backtest), else the config or the named rule.
std::string bandwidth_source(const ProfileInput& p) {
    const auto bt = p.steps.find("backtest");
    if (bt != p.steps.end() && BacktestManifestNode::from_json(*bt).bandwidth_chosen_by_backtest)
        return "chosen by the backtest: the best out-of-sample hit rate at 1% of the area";
    return p.bandwidth_method == "fixed" ? "set in the run config" : "chosen by " + p.bandwidth_method;
}

// Partner data placed by postcode: how much of the map stands on postcode centroids, said where
// the map is described (the full warning is among the profile's technical notes).
std::string postcode_note(const ProfileInput& p) {
    if (!std::isfinite(p.postcode_share) || p.postcode_share <= 0) return "";
    const long pct = std::lround(100.0 * p.postcode_share);
    return "; <b>" + std::string(pct == 0 ? "under 1" : std::to_string(pct)) +
           "% of the incidents are placed at postcode centroids</b>, not where they happened, so the densest "
           "places partly show where postcodes are";
}

std::string Renderer::methods(const ProfileInput& p) const {
    std::ostringstream m;
    m << "<div class=\"methods\"><h3>Methods</h3><dl>"
      << "<dt>Density</dt><dd>" << esc(p.kernel) << " kernel, bandwidth " << fixed(p.bandwidth_m, 0) << " m ("
      << esc(bandwidth_source(p)) << "), "
      << fixed(p.cell_size_m, 0) << " m cells, " << esc(lower_first(units_text(p.units))) << postcode_note(p) << "</dd>"
      << "<dt>Hot spots</dt><dd>" << esc(p.hotspot_threshold) << " (density \u2265 "
      << svg::format_value(p.hotspot_threshold_value) << "), ranked by incidents</dd>";
    if (p.has_gistar)
        m << "<dt>Gi*</dt><dd>" << fixed(p.gistar_cell_m, 0) << " m cells, " << fixed(p.gistar_band_m, 0)
          << " m band, " << esc(p.gistar_weights) << "; " << esc(p.gistar_correction) << "; "
          << thousands(p.gistar_hot99) << " cells hot at 99% (layer in the GeoPackage)</dd>";
    if (p.has_rates && p.has_population)
        m << "<dt>Rates</dt><dd>" << esc(p.ci) << " confidence intervals against the " << area_word(in_)
          << " rate " << fixed(p.reference_rate, 1) << " per 1,000 residents; " << esc(p.classes) << "</dd>";
    else if (p.has_rates)
        m << "<dt>Areas</dt><dd>incidents counted per area and ranked; no rates (no residents\u2019 "
             "denominator)</dd>";
    m << "</dl></div>\n";
    return m.str();
}

void Renderer::profile(const ProfileInput& p, std::vector<std::pair<std::size_t, std::string>>& refs) {
    Page page{"profile", "profile-" + p.name, p.name, profile_heading(p), "", ""};
    std::string meta = esc(in_.area_name) + (in_.area_name.empty() ? "" : " \u00b7 ") + esc(period()) +
                       " \u00b7 <b>" + thousands(p.selected) + "</b> incidents";
    if (in_.comparing && std::isfinite(p.selected_comparison))
        meta += " (" + thousands(p.selected_comparison) + " in " + esc(comparison()) + ")";
    page.meta = meta;
    std::ostringstream b;
    // A heading and meta line too long for one line push the content box down a line.
    const std::string meta_text = in_.area_name + " · " + period() + " · " + thousands(p.selected) +
                                  " incidents (" + thousands(p.selected_comparison) + " in " + comparison() + ")";
    double used = double(glyphs(page.heading)) * 11 + double(glyphs(meta_text)) * 5.9 > page_w_px - 40 ? 40 : 0;
    if (p.proxy) {
        b << "<div class=\"proxy\"><b>Proxy.</b> " << esc(p.proxy_note) << "</div>\n";
        used += lines("Proxy. " + p.proxy_note, page_w_px - 16, 5.7) * 14 + 12;
    }
    if (!p.has_map) {
        b << (p.selected == 0 ? "<p>No incident matched this profile in the period, so there is no map or table.</p>\n"
                              : "<p>This profile\u2019s <code>outputs</code> list no density surface "
                                "(<code>kde</code>), so the pack has no map for it; its layers are in the "
                                "GeoPackage.</p>\n");
        for (const auto& w : p.warnings)
            b << "<p class=\"note\">" << esc(w) << "</p>\n";
        page.body = b.str();
        pages_.push_back(std::move(page));
        return;
    }
    const double avail = content_px - used;

    // Map column: the map as tall as the area's shape asks, within what the note and the
    // methods box leave.
    const std::string methods_html = methods(p);
    // The methods box's height from its own text: a title, then each definition's wrapped lines.
    double methods_lines = 0;
    for (std::size_t at = methods_html.find("<dd>"); at != std::string::npos; at = methods_html.find("<dd>", at + 4)) {
        const std::size_t end = methods_html.find("</dd>", at);
        std::string text;
        bool tag = false;
        for (char c : methods_html.substr(at + 4, end - at - 4)) {
            if (c == '<') tag = true;
            else if (c == '>') tag = false;
            else if (!tag) text += c;
        }
        methods_lines += lines(text, 380, 5.4);
    }
    const double methods_px = 20 + 10 + 12.5 * methods_lines;
    const std::string note_text_len(220, 'x');
    const double note_h = lines(note_text_len + p.hotspot_threshold + backtest_map_note(p.steps), map_col_px, 5.4) * note_px + 4;
    svg::MapSpec spec;
    spec.width = 560;
    const double scale = map_col_px / spec.width;
    const double natural = spec.width * in_.world.height() / in_.world.width() + 80 + 2 * spec.margin;
    // The profile's warnings close the map column, under the methods box.
    double warnings_px = 0;
    for (const auto& w : p.warnings)
        warnings_px += lines(w, map_col_px, 5.4) * note_px + 4;
    // Unless they would shrink the map below what a meeting can read (its natural height, at most
    // 480): then they go to the annex as a table of technical notes, with one line here saying so.
    const double room_with_warnings = (avail - methods_px - note_h - warnings_px - 8) / scale;
    const bool warnings_to_annex = !p.warnings.empty() && room_with_warnings < std::min(natural, 480.0);
    const double room = warnings_to_annex ? (avail - methods_px - note_h - (note_px + 4) - 8) / scale : room_with_warnings;
    spec.height = std::max(260.0, std::min(natural, room));
    spec.world = in_.world;
    spec.legend_title = units_text(p.units);
    spec.legend = svg::legend_classes(p.class_breaks);
    for (const auto& a : in_.boundaries)
        spec.areas.push_back({a.shape, a.str("name")});
    spec.image_href = p.surface_href;
    spec.image_world = p.surface_world;
    // Numbered on the map: those the layer labels (its `label` field, when it has one), else the
    // first hotspots_listed by rank.
    for (std::size_t i = 0; i < p.hotspots.size(); ++i) {
        const Feature& h = p.hotspots[i];
        spec.hotspots.push_back({h.shape, numbered(h, i) ? int(h.num("rank").value_or(double(i + 1))) : 0});
    }
    for (const auto& w : p.near_repeat.windows) spec.risk_windows.push_back(w.shape);
    svg::MapLayout layout;
    const std::string map_svg = svg::draw_map(spec, &layout);
    b << "<div class=\"cols\">\n<div class=\"map-col\">\n" << map_svg;
    b << "<p class=\"note\">Density: " << esc(p.kernel) << " kernel, " << fixed(p.bandwidth_m, 0) << " m bandwidth, "
      << fixed(p.cell_size_m, 0) << " m cells, " << esc(period()) << ". Hot spots (black outlines, numbered by rank): "
      << esc(p.hotspot_threshold) << ". Grid north up; scale bar " << svg::format_length(layout.scale_bar_m)
      << "." << esc(near_repeat_map_note(p.near_repeat)) << esc(backtest_map_note(p.steps)) << "</p>\n"
      << methods_html;
    if (warnings_to_annex) {
        AnnexChunk c{profile_heading(p), "notes", "Technical notes on the map and statistics", "<tr><th>Note</th></tr>", {}, {},
                     1, p.warnings.size(), 0};
        for (const auto& w : p.warnings) {
            c.rows.push_back("<tr><td>" + esc(w) + "</td></tr>");
            c.cost.push_back(lines(w, side_px, 5.4) * note_px + 8);
        }
        const std::string mark = "@@ANNEX" + std::to_string(annex_.size()) + "@@";
        refs.push_back({annex_.size(), mark});
        annex_.push_back(std::move(c));
        b << "<p class=\"note continued\"><b>" << p.warnings.size() << " technical note" << (p.warnings.size() == 1 ? " is" : "s are")
          << " in the annex, page " << mark << ".</b></p>\n";
    } else {
        for (const auto& w : p.warnings)
            b << "<p class=\"note\">" << esc(w) << "</p>\n";
    }
    b << "</div>\n<div class=\"side-col\">\n";

    // Side column: the hot spots, then the area tables while they fit; the rest to the annex.
    double left = avail;
    const auto put_table = [&](const Table& t, std::size_t max_rows) {
        const double fixed_px = h3_px + (t.rows.empty() ? note_px + 4 : row_px + line_px) +
                                (t.ref_row.empty() ? 0 : row_px) +
                                (t.after.empty() ? 0 : lines(t.after, side_px, 5.4) * note_px + 4);
        std::size_t fit = 0;
        double rows_px = 0;
        while (fit < std::min(t.rows.size(), max_rows) && left - fixed_px - rows_px - t.cost[fit] - (fit + 1 < t.rows.size() ? note_px + 4 : 0) >= 0) {
            rows_px += t.cost[fit];
            ++fit;
        }
        // Too little room for a useful start: the whole table goes to the annex.
        if (fit < t.rows.size() && fit < 3)
            fit = 0;
        b << "<h3>" << esc(t.title) << "</h3>\n";
        if (t.rows.empty()) {
            b << "<p class=\"note\">" << t.empty << "</p>\n";
        } else if (fit > 0) {
            b << "<table class=\"" << t.css << "\"><thead>" << t.head << "</thead><tbody>\n";
            for (std::size_t i = 0; i < fit; ++i)
                b << t.rows[i] << "\n";
            b << t.ref_row << "</tbody></table>\n";
        }
        if (fit < t.rows.size()) {
            AnnexChunk c{profile_heading(p), t.css, t.title, t.head,
                         std::vector<std::string>(t.rows.begin() + long(fit), t.rows.end()),
                         std::vector<double>(t.cost.begin() + long(fit), t.cost.end()), fit + 1, t.rows.size(), 0};
            const std::string mark = "@@ANNEX" + std::to_string(annex_.size()) + "@@";
            refs.push_back({annex_.size(), mark});
            annex_.push_back(std::move(c));
            b << "<p class=\"note continued\"><b>" << (fit == 0 ? "Rows 1" : "Rows " + std::to_string(fit + 1))
              << "\u2013" << t.rows.size() << " of " << t.rows.size() << " are in the annex, page " << mark
              << ".</b></p>\n";
        }
        if (!t.after.empty())
            b << "<p class=\"note\">" << t.after << "</p>\n";
        left -= fixed_px + rows_px + (fit < t.rows.size() ? note_px + 4 : 0);
    };
    // At most the first hotspots_listed hot spots here (the rest of the numbered ones continue in
    // the annex), so the ward table keeps its place on the page.
    put_table(hotspot_table(p), hotspots_listed);
    b << trend_section(p.steps, side_px, left);
    for (const Table& t : area_tables(p))
        put_table(t, t.rows.size());
    if (p.near_repeat.present) put_table([](NearRepeatTable k) { return Table{k.css, k.title, k.head, k.rows, k.cost, "", k.after, k.empty}; }(near_repeat_table(p.near_repeat)), 99);
    if (const BacktestTable k = backtest_table(p.steps, side_px); !k.rows.empty()) put_table(Table{k.css, k.title, k.head, k.rows, k.cost, "", k.after, k.empty}, 99);
    if (const EmergingTable e = emerging_table(p.steps); e.present) emerging_on_page(e, left, put_table);
    b << "</div>\n</div>\n";
    page.body = b.str();
    pages_.push_back(std::move(page));
}

// ---------------------------------------------------------------- annex

void Renderer::layout_annex(std::size_t first_page) {
    std::ostringstream b;
    double left = content_px;
    std::size_t page_no = first_page;
    std::size_t annex_pages = 0;
    const auto flush = [&]() {
        pages_.push_back({"annex", "annex-" + std::to_string(annex_pages + 1), "",
                          "Annex " + std::to_string(annex_pages + 1) + ": tables continued", esc(in_.title), b.str()});
        b.str("");
        ++annex_pages;
        ++page_no;
        left = content_px;
    };
    for (auto& c : annex_) {
        std::size_t i = 0;
        bool first_piece = true;
        while (i < c.rows.size()) {
            const double head = lines(c.heading + c.title, page_w_px, 6.5) * 16 + 10 + row_px;
            const double start_px = head + std::min<double>(3, double(c.rows.size() - i)) * row_px;
            if (left < start_px && left < content_px)
                flush();
            std::size_t n = 0;
            double px = head;
            while (i + n < c.rows.size() && px + c.cost[i + n] <= left) {
                px += c.cost[i + n];
                ++n;
            }
            if (n == 0 && left == content_px) { // a row taller than a page: give it the page
                px += c.cost[i];
                n = 1;
            }
            if (n == 0) {
                flush();
                continue;
            }
            if (first_piece)
                c.page = page_no;
            first_piece = false;
            const std::size_t from = c.first + i, to = c.first + i + n - 1;
            b << "<h3>" << esc(c.heading) << ": " << esc(c.title) << " \u2014 continued, rows " << from << "\u2013" << to
              << " of " << c.total << "</h3>\n<table class=\"" << c.css << "\"><thead>" << c.head << "</thead><tbody>\n";
            for (std::size_t k = 0; k < n; ++k)
                b << c.rows[i + k] << "\n";
            b << "</tbody></table>\n";
            i += n;
            left -= px + 6;
        }
    }
    if (!b.str().empty())
        flush();
}

PagesResult Renderer::render() {
    cover();
    about();
    std::vector<std::pair<std::size_t, std::string>> refs;
    for (const auto& p : in_.profiles)
        profile(p, refs);
    const std::size_t cover_pages = 2, profile_pages = in_.profiles.size();
    layout_annex(cover_pages + profile_pages + 1);
    const std::size_t annex_pages = pages_.size() - cover_pages - profile_pages;
    for (auto& pg : pages_)
        for (const auto& [idx, mark] : refs) {
            const auto at = pg.body.find(mark);
            if (at != std::string::npos)
                pg.body.replace(at, mark.size(), std::to_string(annex_[idx].page));
        }

    const std::size_t n = pages_.size();
    const std::string marking = in_.marking.empty() ? "" : esc(in_.marking);
    const std::string foot_left = esc(in_.title) + " \u00b7 produced " + esc(produced_) +
                                  (in_.author.empty() ? "" : " by " + esc(in_.author)) +
                                  (in_.publish ? " \u00b7 publication version" : "");
    std::ostringstream body;
    body << "<body data-pages=\"" << n << "\" data-cover-pages=\"" << cover_pages << "\" data-profile-pages=\""
         << profile_pages << "\" data-annex-pages=\"" << annex_pages << "\">\n";
    for (std::size_t i = 0; i < n; ++i) {
        const Page& pg = pages_[i];
        body << "<section class=\"page " << pg.kind << "\" id=\"" << esc(pg.id) << "\" data-page=\"" << i + 1 << "\"";
        if (!pg.profile.empty())
            body << " data-profile=\"" << esc(pg.profile) << "\"";
        body << ">\n<div class=\"marking\">" << marking << "</div>\n<div class=\"page-head\"><h2>" << esc(pg.heading)
             << "</h2><div class=\"meta\">" << pg.meta << "</div></div>\n<div class=\"content\">\n"
             << pg.body << "</div>\n<div class=\"foot\"><span>" << foot_left << "</span><span class=\"mk\">" << marking
             << "</span><span>Page " << i + 1 << " of " << n << "</span></div>\n</section>\n";
    }
    body << "</body>\n";
    return {body.str(), cover_pages, profile_pages, annex_pages};
}

} // namespace

PagesResult render_pages(const ReportInput& in, const std::string& produced) {
    return Renderer(in, produced).render();
}

} // namespace hotspot::report
