#pragma once
// The report's pages, from the run's values (report_input.hpp): two cover pages (key findings;
// definitions, caveats and licences), one page per profile sized to fit A4 landscape, and annex
// pages where a table is longer than its page. Every table row's height is estimated from its
// text, and a page takes rows only while they fit its content box (report_style.cpp); the rest
// continue on labelled annex pages, declared on <body> (data-pages, data-cover-pages,
// data-profile-pages, data-annex-pages) so a printed pack can be checked page for page.

#include <string>

#include "report_input.hpp"

namespace hotspot::report {

/// The stylesheet (report_style.cpp).
const char* report_css();

struct PagesResult {
    std::string body; ///< the <body> element
    std::size_t cover_pages = 0, profile_pages = 0, annex_pages = 0;
};

/// Lays out and renders every page. `produced` is the date on the cover and footers.
PagesResult render_pages(const ReportInput& in, const std::string& produced);

} // namespace hotspot::report
