// hotspot hours: the 7 x 24 table of incidents by weekday and hour. The step and its validation
// live in the engine (hours_job.hpp); this file only maps flags.

#include <memory>

#include "command.hpp"
#include "hotspot/hours_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command hours_command() {
    return {"hours", "The hours of the week: incidents by weekday and hour, unknown times counted apart",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<HoursJobOptions>();
                auto midnight = std::make_shared<std::string>("detect");
                add_read_options(sub, o->read);
                sub.add_option("--profile", o->hours.profile, "A built-in profile selecting the incidents (default: all)");
                sub.add_option("--midnight", *midnight,
                               "00:00 as 'time unknown': detect (a spike over the neighbouring round hours), unknown or keep")
                    ->capture_default_str();
                sub.add_option("--out", o->out, "Output CSV: weekday rows, hour columns")->required();
                sub.add_option("--manifest", o->manifest_path, "manifest path (default: <out>.manifest.json)");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, midnight, &global]() {
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->command_line = global.command_line;
                    o->hours.table.midnight = parse_midnight_rule(*midnight);
                    const HoursJobResult r = run_hours_job(*o, term.progress());
                    for (const auto& w : r.hours.warnings) term.warn(w);
                    term.print(r.summary());
                    return 0;
                };
            }};
}

} // namespace hotspot::cli
