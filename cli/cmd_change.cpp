// hotspot change: is crime going up or down, and is that more than chance? The step and its
// validation live in the engine (change_job.hpp); this file only maps flags.

#include <memory>

#include "command.hpp"
#include "hotspot/change_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command change_command() {
    return {"change", "Direction of travel: counts in two periods with an exact test, per area, and monthly trends",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<ChangeJobOptions>();
                auto areas = std::make_shared<std::vector<std::string>>();
                auto pops = std::make_shared<std::vector<std::string>>();
                add_read_options(sub, o->read);
                sub.add_option("--period-from", o->change.period_from, "First month of the period of interest, YYYY-MM");
                sub.add_option("--period-to", o->change.period_to, "Last month of the period of interest, YYYY-MM");
                sub.add_option("--compare-from", o->change.compare_from, "First month of the comparison period, YYYY-MM");
                sub.add_option("--compare-to", o->change.compare_to,
                               "Last month of the comparison period (none of the four: the last 12 months against the 12 before)");
                sub.add_option("--profile", o->change.profile, "A built-in profile selecting the incidents (default: all)");
                sub.add_option("--areas", *areas, "Area layer NAME=PATH[:CODE_FIELD[:NAME_FIELD]] (repeatable; one output layer each)");
                sub.add_option("--population", *pops,
                               "Population CSV [AREA=]PATH[:CODE_COLUMN[:POPULATION_COLUMN]] for rates (repeatable)");
                sub.add_option("--population-field", o->population_field, "Population field of the area layers themselves");
                sub.add_option("--per", o->change.per, "Rates per this many residents per year")->capture_default_str();
                sub.add_option("--p-increase", o->change.levels.weak, "p below which a change is an increase/decrease")
                    ->capture_default_str();
                sub.add_option("--p-significant", o->change.levels.strong,
                               "p below which a change is a significant increase/decrease")
                    ->capture_default_str();
                sub.add_option("--snap", o->change.snap_m,
                               "Assign incidents outside every area to the nearest within this many metres")
                    ->capture_default_str();
                sub.add_option("--out", o->out, "Output GeoPackage (.gpkg): study_area_change and one <area>_change layer per --areas")
                    ->required();
                sub.add_option("--series", o->series_path, "Monthly series CSV (default: <out>_series.csv beside --out)");
                sub.add_option("--manifest", o->manifest_path, "manifest path (default: <out>.manifest.json)");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, areas, pops, &global]() {
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->threads = global.threads;
                    o->read.threads = global.threads;
                    o->command_line = global.command_line;
                    for (const auto& a : *areas) o->areas.push_back(AreaSpec::parse(a));
                    for (const auto& p : *pops) o->populations.push_back(PopulationSpec::parse(p));
                    const ChangeJobResult r = run_change_job(*o, term.progress());
                    for (const auto& w : r.change.warnings) term.warn(w);
                    term.print(r.summary());
                    return 0;
                };
            }};
}

} // namespace hotspot::cli
