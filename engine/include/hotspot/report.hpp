#pragma once
/// @file report.hpp
/// The tasking-meeting pack: one self-contained HTML file built from the outputs of
/// `hotspot run` (manifest.json, hotspot_run.gpkg, <profile>_kde.tif). Two cover pages (key
/// findings in words; plain-English profile definitions, caveats, attribution), then one printed
/// page per profile: the density map
/// drawn by the engine (svg_map.hpp) over the ward boundaries with the hot spots outlined and
/// ranked, the top hot spots, the ward table with significance classes, the smaller areas
/// significantly above the reference rate, and a methods box. Every image, style and script
/// is inline: opening the file makes no network request. Printing gives A4 landscape, one
/// page per profile after the cover; table rows that do not fit their page continue on
/// labelled annex pages at the end (declared on <body>: data-pages, data-annex-pages). A
/// profile without a residents' denominator gets ranked counts, not rates. The protective
/// marking, when set, heads and foots every page.

#include <cstddef>
#include <string>
#include <vector>

namespace hotspot {

struct ReportOptions {
    std::string run_dir;  ///< the folder `hotspot run` wrote
    std::string out_path; ///< default: RUN_DIR/report.html; never one of the run's files
    std::string run_name; ///< the run folder's name on the cover; empty: run_dir's (a staged run gives its final name)
    bool overwrite = false;
    std::string produced;     ///< date on the cover; empty: today (local time), "25 November 2025"
    int max_raster_px = 1400; ///< the density image is resampled to at most this on its long side
    /// Protective marking printed at the top and bottom of every page ("OFFICIAL-SENSITIVE");
    /// empty: the manifest's run.marking, else none.
    std::string marking;
    std::string author; ///< on the cover and footers; empty: the manifest's run.author, else none
};

struct ReportResult {
    std::string path;
    std::size_t profiles = 0;
    std::size_t pages = 0;       ///< printed A4 pages: 2 cover + one per profile + annex
    std::size_t annex_pages = 0; ///< pages of tables continued from the profile pages
    std::size_t bytes = 0;
    std::vector<std::string> warnings;
};

/// Builds the report's HTML from a run folder (no file written).
/// @throws InputError when the manifest, GeoPackage or a raster is missing or unreadable.
std::string build_report_html(const ReportOptions& options, ReportResult* result = nullptr);

/// Builds the report and writes it atomically to options.out_path (or RUN_DIR/report.html).
/// @throws InputError as build_report_html; OutputError when it exists without overwrite or
///         cannot be written.
ReportResult write_report(const ReportOptions& options);

} // namespace hotspot
