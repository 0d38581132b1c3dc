#pragma once
// The report's statement of publish mode's disclosure policy (disclosure.hpp), for the cover.

#include <string>

namespace hotspot::report {

/// One paragraph (HTML, no block tags) a non-specialist can read: what is hidden and why no
/// hidden number can be worked back from the rest. `min_count`: the threshold (publish.min_count).
std::string disclosure_policy_paragraph(int min_count);

} // namespace hotspot::report
