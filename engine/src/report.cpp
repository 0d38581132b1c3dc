// The tasking-meeting pack: read the run folder (report_input.cpp), lay out and render the
// pages (report_pages.cpp, report_findings.cpp, report_text.cpp, report_style.cpp), and write
// one self-contained HTML file.

#include "hotspot/report.hpp"

#include <filesystem>
#include <sstream>

#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "report_input.hpp"
#include "report_pages.hpp"
#include "report_text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

std::string build_report_html(const ReportOptions& opt, ReportResult* result) {
    using namespace report;
    const ReportInput in = read_report_input(opt);
    const PagesResult pages = render_pages(in, opt.produced.empty() ? today() : opt.produced);
    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src "
            "data:; style-src 'unsafe-inline'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta "
            "name=\"generator\" content=\"hotspot "
         << esc(in.version) << "\">\n<title>" << (in.marking.empty() ? "" : esc(in.marking) + " \u2013 ")
         << esc(in.title) << " \u2013 tasking pack</title>\n<style>" << report_css() << "</style>\n</head>\n"
         << pages.body << "</html>\n";
    if (result) {
        result->profiles = in.profiles.size();
        result->pages = pages.cover_pages + pages.profile_pages + pages.annex_pages;
        result->annex_pages = pages.annex_pages;
    }
    return html.str();
}

ReportResult write_report(const ReportOptions& options) {
    ReportResult res;
    if (!options.out_path.empty()) {
        check_output_extension(options.out_path, {".html", ".htm"}, "an HTML page", "report");
        std::vector<std::string> inputs;  // every file of the run folder the report reads
        std::error_code ec;
        for (fs::directory_iterator it(options.run_dir, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string ext = it->path().extension().string();
            if (ext == ".json" || ext == ".gpkg" || ext == ".tif" || ext == ".qml" || ext == ".qgs")
                inputs.push_back(it->path().string());
        }
        check_not_input(options.out_path, inputs, "report");
    }
    const std::string html = build_report_html(options, &res);
    res.path = options.out_path.empty() ? (fs::path(options.run_dir) / "report.html").string()
                                        : options.out_path;
    write_text_atomic(res.path, html, options.overwrite);
    res.bytes = html.size();
    return res;
}

} // namespace hotspot
