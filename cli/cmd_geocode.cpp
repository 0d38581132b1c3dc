// hotspot geocode: incidents in, every incident placed in its areas, one GeoPackage out.

#include "command.hpp"
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
                sub.add_option("--snap", o->snap_m,
                               "Assign points outside every area to the nearest within this many metres (flagged snapped)")
                    ->capture_default_str();
                sub.add_option("--out", o->out, "Output GeoPackage (.gpkg; other OGR formats by extension)")
                    ->required();
                sub.add_option("--manifest", o->manifest_path, "manifest.json path (default: beside --out)");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, areas, &global]() {
                    Terminal term(global.verbose, global.quiet);
                    o->threads = global.threads;
                    o->command_line = global.command_line;
                    for (const auto& a : *areas) o->areas.push_back(AreaSpec::parse(a));
                    const GeocodeJobResult r = run_geocode_job(*o, term.progress());
                    for (const auto& w : r.warnings) term.warn(w);
                    term.print(r.summary());
                    return 0;
                };
            }};
}

} // namespace hotspot::cli
