// The report's statement of publish mode's disclosure policy (report_disclosure.hpp).

#include "report_disclosure.hpp"

#include "hotspot/disclosure.hpp"
#include "util/text.hpp"

namespace hotspot::report {

std::string disclosure_policy_paragraph(int min_count) {
    const std::string n = std::to_string(min_count), lt = "&lt;" + n;
    const std::string bw = util::num(DisclosurePolicy{}.min_bandwidth_m);
    return "This version is for publication. No incident locations are included. Any area with fewer than " + n +
           " incidents shows " + lt + " instead of its count, and nothing worked out from that count is shown either "
           "(no rate, range, class, change or cluster measure). Where one hidden number could be found by "
           "subtracting the others from a total (for example a ward's figure less its neighbourhoods'), a second "
           "area is hidden too, so no hidden number can be worked back; cluster measures that draw on every area "
           "are left out whenever any area is hidden. The density map is drawn with a smoothing distance of at "
           "least " + bw + " m and is blank wherever fewer than " + n + " incidents lie near enough to affect it, in "
           "the map file itself as well as on the page; the grid of hot spot cells shows only cells holding at "
           "least " + n + " incidents, with their count. Before the pack was written it was checked by trying "
           "these recoveries; it would not have been written if any had worked. The file manifest.json lists every "
           "hidden figure and why it was hidden.";
}

} // namespace hotspot::report
