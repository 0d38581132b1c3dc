// hotspot hotspots: incidents in, hot spots a patrol can be sent to out (a styled polygon layer
// saying where each is). The analysis is the engine's density and hot spots steps
// (steps/kde_step.hpp, steps/hotspots_step.hpp), shared with `hotspot run`.

#include <memory>

#include "command.hpp"
#include "hotspot/hotspots_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command hotspots_command() {
    return {"hotspots", "Hot spots a patrol can be sent to: polygons around density peaks, with wards, "
                        "LSOAs, grid reference and streets",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<HotspotsJobOptions>();
                struct Text { std::vector<std::string> areas; std::string kernel = "quartic", bandwidth, threshold; };
                auto t = std::make_shared<Text>();
                t->threshold = o->hotspots.hotspots.threshold_text();
                add_read_options(sub, o->read);
                sub.add_option("--street", o->read.street_field,
                               "Street / location text column (police.uk: Location; else street, location, address)");
                sub.add_option("--areas", t->areas,
                               "Area layer NAME=PATH[:CODE[:NAME]], repeatable; the first is the study area "
                               "(e.g. ward=wards.gpkg lsoa=lsoas.gpkg)")
                    ->required();
                sub.add_option("--kernel", t->kernel, "Density kernel: quartic, triweight, epanechnikov, triangular, "
                                                      "uniform, gaussian")
                    ->capture_default_str();
                sub.add_option("--bandwidth", t->bandwidth,
                               "Density search radius in metres, or auto:scott, auto:silverman, auto:arcgis, auto:ppl")
                    ->required();
                sub.add_option("--cell", o->kde.cell_size_m, "Cell size in metres (default: as hotspot kde)");
                sub.add_option("--threshold", t->threshold,
                               "area:PERCENT (densest share of the study area), top:PERCENT of non-zero cells, sd:K or "
                               "value:X")
                    ->capture_default_str();
                sub.add_option("--min-incidents", o->hotspots.hotspots.min_incidents,
                               "Fewest incidents a hot spot may hold")
                    ->capture_default_str();
                sub.add_option("--max-area", o->hotspots.hotspots.max_area_m2, "Largest area of one hot spot, m²")
                    ->capture_default_str();
                sub.add_option("--numbered", o->hotspots.hotspots.max_numbered,
                               "How many hot spots are numbered on the map")
                    ->capture_default_str();
                sub.add_option("--saddle-drop", o->hotspots.hotspots.min_saddle_drop,
                               "Least drop from a peak to its saddle (share of the peak, 0-1) for a separate hot spot")
                    ->capture_default_str();
                sub.add_option("--out", o->out, "Output vector layer (.gpkg); the density goes to <out>_kde.tif")
                    ->required();
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, t, &global]() {
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->kde.kernel = parse_kernel(t->kernel);
                    o->kde.bandwidth = BandwidthSpec::parse(t->bandwidth, "hotspots");
                    o->kde.threads = global.threads;
                    o->read.threads = global.threads;
                    o->hotspots.hotspots.set_threshold(t->threshold);
                    o->command_line = global.command_line;
                    for (const auto& a : t->areas) o->areas.push_back(AreaSpec::parse(a));
                    return report_done(term, run_hotspots_job(*o, term.progress()));
                };
            }};
}

} // namespace hotspot::cli
