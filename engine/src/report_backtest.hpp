#pragma once
// The tasking report's out-of-sample section of a profile page (report_backtest.cpp, issue 16):
// how well maps drawn this way predicted the months after them, from the run's "backtest" step
// node (run/profile_backtest.cpp, backtest.hpp) carried in ProfileInput::steps.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hotspot::report {

/// The sentence for under the map: the out-of-sample hit rate and PAI at 1% of the area of the
/// map the page shows, over the backtests' months ("" when the run has no backtest, or it was
/// skipped: then the reason, "Not backtested: ...").
std::string backtest_map_note(const nlohmann::ordered_json& steps);

/// The table of settings, best first by hit rate at the choosing share (1%): hit rate at each
/// share and PAI at the choosing share; the map's own setting in bold, the best marked. Its last
/// two rows span the table: the area-share curve (hit rate against share of the study area, 0 to
/// the largest share backtested, for the map shown, the best setting and the counts baseline) as
/// a small SVG `width` px wide, and what the figures are. Rows that do not fit on the profile
/// page continue in the annex (report_pages.cpp's put_table), the curve with them.
struct BacktestTable {
    std::string css, title, head;
    std::vector<std::string> rows;
    std::vector<double> cost;  ///< px of each row
    std::string after, empty;
};
BacktestTable backtest_table(const nlohmann::ordered_json& steps, double width);

} // namespace hotspot::report
