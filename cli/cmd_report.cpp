// hotspot report: the tasking-meeting pack (one self-contained HTML file) from a run folder.

#include <memory>

#include "command.hpp"
#include "hotspot/report.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

namespace {

struct ReportArgs {
    std::string run_dir, out, produced, marking, author;
    bool overwrite = false;
};

} // namespace

Command report_command() {
    return {"report",
            "Tasking pack: one self-contained HTML file (maps, hot spots, ward table) from a run "
            "folder",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto a = std::make_shared<ReportArgs>();
                sub.add_option("RUN_DIR", a->run_dir,
                               "Folder written by `hotspot run` (holds manifest.json)")
                    ->required()
                    ->check(CLI::ExistingDirectory);
                sub.add_option("--out", a->out,
                               "HTML file to write (default: RUN_DIR/report.html)");
                sub.add_option("--date", a->produced, "Date on the cover (default: today)");
                sub.add_option("--marking", a->marking,
                               "Protective marking on every page, e.g. OFFICIAL-SENSITIVE");
                sub.add_option("--author", a->author, "Author or team named on the cover and footers");
                sub.add_flag("--overwrite", a->overwrite, "Replace an existing file");
                return [a, &global]() {
                    Terminal term(global.verbose, global.quiet);
                    ReportOptions o;
                    o.run_dir = a->run_dir;
                    o.out_path = a->out;
                    o.produced = a->produced;
                    o.overwrite = a->overwrite;
                    o.marking = a->marking;
                    o.author = a->author;
                    const ReportResult r = write_report(o);
                    for (const auto& w : r.warnings)
                        term.warn(w);
                    term.print("wrote " + r.path + " (" + std::to_string(r.profiles) + " profiles, " +
                               std::to_string(r.pages) + " pages of which " +
                               std::to_string(r.annex_pages) + " annex, " +
                               std::to_string((r.bytes + 1023) / 1024) +
                               " KiB; opens offline, prints A4 landscape)\n");
                    return 0;
                };
            }};
}

} // namespace hotspot::cli
