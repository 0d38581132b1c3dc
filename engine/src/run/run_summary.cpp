// The run summary printed on stdout (pipeline.hpp: RunResult::summary).

#include <algorithm>
#include <sstream>

#include "hotspot/disclosure.hpp"
#include "hotspot/pipeline.hpp"
#include "util/text.hpp"

namespace hotspot {

using util::fixed;
using util::thousands;

std::string RunResult::summary() const {
    std::ostringstream s;
    s << "hotspot run: " << thousands(rows_in) << " rows read" << (police_uk ? " (police.uk street-level CSV)" : "")
      << "; rows_in = assigned + outside + rejected: " << thousands(rows_in) << " = " << thousands(assigned) << " + "
      << thousands(outside) << " + " << thousands(rejected) << "\n";
    s << files << (files == 1 ? " file" : " files") << " read; rejected " << thousands(rejected)
      << (rejected_by_reason.empty() ? std::string() : " (" + rejected_by_reason + ")") << "; outside all areas "
      << thousands(outside) << "\n";
    if (exact_duplicates) s << "exact duplicate rows (kept, as published): " << thousands(exact_duplicates) << "\n";
    s << "period: " << period << (comparison.empty() ? std::string() : ", compared with " + comparison) << "\n";
    if (publish)
        s << "PUBLISH MODE: no incident points or rejects written; counts below " << publish_min_count
          << " suppressed in every area and cell layer, with secondary suppression so none can be recovered by "
             "differencing, and no rate, interval, class or change of a suppressed area; totals rounded to "
          << publish_round << "\n";
    for (const auto& p : profiles) {
        // publish mode: totals rounded (disclosure.hpp round_total), never to 0 when some were selected
        const auto total = [&](std::uint64_t v) {
            if (!publish || publish_round <= 1 || v == 0) return thousands(v);
            return "about " + thousands(std::max<std::uint64_t>(round_total(v, std::uint64_t(publish_round)), std::uint64_t(publish_round)));
        };
        s << "\n== " << p.title << " (" << p.name << "): " << total(p.selected) << " incidents selected";
        if (p.selected_comparison) s << " (comparison period " << total(p.selected_comparison) << ")";
        s << "\n";
        if (!p.proxy_note.empty()) s << "   PROXY: " << p.proxy_note << "\n";
        if (p.selected == 0) {  // nothing to map: no tables, no "top hot spots ()"
            s << "   no incidents in the period: nothing was written for this profile\n";
            continue;
        }
        for (const auto& [level, table] : p.areas) {
            if (table.empty()) continue;
            const bool rates = !table.front().rate_class.empty();
            s << "   top " << level << "s" << (rates ? " by rate per 1,000 (reference " + fixed(p.reference_rate_per_1000, 2) + ")" : " by count") << ":\n";
            for (std::size_t i = 0; i < std::min<std::size_t>(5, table.size()); ++i) {
                const auto& a = table[i];
                s << "     " << a.name << " (" << a.code << "): " << (a.suppressed ? "<" + std::to_string(publish_min_count) : thousands(a.count));
                if (rates && !a.suppressed) s << ", " << fixed(a.rate_per_1000, 1) << " [" << fixed(a.ci_lower, 1) << ", " << fixed(a.ci_upper, 1) << "], " << a.rate_class;
                s << "\n";
            }
        }
        s << "   top hot spots (" << p.hotspot_threshold << "):\n";
        for (std::size_t i = 0; i < std::min<std::size_t>(3, p.hotspots.size()); ++i) {
            const auto& h = p.hotspots[i];
            s << "     #" << h.rank << " " << (h.grid_ref.empty() ? "" : h.grid_ref + " ") << h.wards << ": "
              << thousands(h.incidents) << " incidents, " << fixed(100 * h.share, 1) << "% in " << fixed(h.area_km2, 2)
              << " km2, PAI " << fixed(h.pai, 1) << (h.streets.empty() ? "" : "; " + h.streets) << "\n";
        }
        if (!p.backtest_sentence.empty()) s << "   out of sample: " << p.backtest_sentence << "\n";
        if (!p.direction_of_travel.empty()) s << "   direction of travel: " << p.direction_of_travel << "\n";
        s << "   Gi*: " << p.gistar_hot99 << " cells hot at 99% (" << fixed(p.gistar_cell_m, 0) << " m cells, "
          << fixed(p.gistar_band_m, 0) << " m band)\n";
        if (!p.near_repeat.empty()) s << "   near repeats: " << p.near_repeat << "\n";
    }
    s << "\nwrote " << gpkg << "\n      " << project << " (open in QGIS: every layer styled, grouped by profile)\n      "
      << manifest << "\n";
    return s.str();
}

} // namespace hotspot
