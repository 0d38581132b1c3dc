// hotspot geocode: incidents in, every incident placed in its areas, one GeoPackage out.

#include "command.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command geocode_command() {
    return {"geocode", "Place every incident in its wards/LSOAs; write incidents, rejects and area counts",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<GeocodeJobOptions>();
                auto areas = std::make_shared<std::vector<std::string>>();
                add_read_options(sub, o->read);
                sub.add_option("--areas", *areas, "Area layer NAME=PATH[:CODE_FIELD[:NAME_FIELD]] (repeatable)")
                    ->required();
                sub.add_option("--snap", o->step.snap_m,
                               "Assign points outside every area to the nearest within this many metres (flagged snapped)")
                    ->capture_default_str();
                auto by_code = std::make_shared<std::vector<std::string>>();
                sub.add_option("--by-code", *by_code,
                               "AREA=FIELD: assign AREA by the incidents' own code in FIELD (e.g. "
                               "lsoa='LSOA code' for police.uk) instead of by location");
                sub.add_option("--out", o->out, "Output GeoPackage (.gpkg; other OGR formats by extension)")
                    ->required();
                sub.add_option("--manifest", o->manifest_path, "manifest path (default: <out>.manifest.json)");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, areas, by_code, &global]() {
                    for (const auto& b : *by_code) {
                        const auto eq = b.find('=');
                        if (eq == std::string::npos || eq == 0 || eq + 1 == b.size())
                            throw UsageError("geocode", "--by-code takes AREA=FIELD (got '" + b + "')");
                        o->step.by_code.emplace_back(b.substr(0, eq), b.substr(eq + 1));
                    }
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->step.threads = global.threads;
                    o->read.threads = global.threads;
                    o->command_line = global.command_line;
                    for (const auto& a : *areas) o->areas.push_back(AreaSpec::parse(a));
                    return report_done(term, run_geocode_job(*o, term.progress()));
                };
            }};
}

} // namespace hotspot::cli
