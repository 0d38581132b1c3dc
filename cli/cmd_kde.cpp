// hotspot kde: incidents in, a kernel density surface out (GeoTIFF + QGIS style + manifest).
// The analysis is the engine's density step (steps/kde_step.hpp), shared with `hotspot run`.

#include <memory>

#include "command.hpp"
#include "hotspot/kde_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"
#include "usage.hpp"

namespace hotspot::cli {

Command kde_command() {
    return {"kde", "Kernel density heat map of incidents as a styled GeoTIFF",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<KdeJobOptions>();
                struct Text { std::string areas, extent, kernel = "quartic", bandwidth, units = "per-km2", compat = "none"; };
                auto t = std::make_shared<Text>();
                auto diggle = std::make_shared<bool>(false);
                add_read_options(sub, o->read);
                sub.add_option("--areas", t->areas, "Study area layer study=PATH: cells outside it are nodata");
                const auto kernels = choice_list(kernel_choices()), units = choice_list(units_choices()),
                           compats = choice_list(compat_choices());
                note(sub.add_option("--kernel", t->kernel, "Kernel: " + choice_text(kernels))->capture_default_str(),
                     {"", kernels, ""});
                note(sub.add_option("--bandwidth", t->bandwidth,
                                    "Search radius in metres (sigma for gaussian), or auto:scott, "
                                    "auto:silverman, auto:arcgis, auto:ppl")
                         ->required(),
                     {"", {}, "m"});
                note(sub.add_option("--cell", o->kde.cell_size_m,
                                    "Cell size in metres (default: shorter side of the study area / 150)"),
                     {"", {}, "m"});
                note(sub.add_option("--extent", t->extent,
                                    "Fixed grid extent xmin,ymin,xmax,ymax in metres, snapped outward to the cell "
                                    "(needs --cell; for tiled runs: tiles on one grid, see README \"Tiled runs\")"),
                     {"", {}, "m"});
                note(sub.add_option("--units", t->units, "Units of the surface: " + choice_text(units))->capture_default_str(),
                     {"", units, ""});
                note(sub.add_option("--compat", t->compat, "Reproduce another tool's convention: " + choice_text(compats))
                         ->capture_default_str(),
                     {"", compats, ""});
                sub.add_option("--weight", o->kde.weight,
                               "Numeric field weighting each incident (e.g. a harm score); default 1");
                sub.add_option("--heat-min-incidents", o->kde.heat.min_incidents,
                               "Leave a cell unshaded in the style when fewer than this many incidents lie "
                               "within the kernel radius (default 3: no lone incident or repeat pair as a blob)")
                    ->capture_default_str();
                sub.add_flag("--edge-correction", *diggle, "Diggle edge correction against the study area (or the grid)");
                note(sub.add_option("--period-from", o->period_from, "First month mapped, YYYY-MM (with --period-to; default: every incident)"),
                     {"period.from", {}, ""});
                note(sub.add_option("--period-to", o->period_to, "Last month mapped, YYYY-MM"), {"period.to", {}, ""});
                note(sub.add_option("--compare-from", o->compare_from,
                                    "First month of a comparison period, YYYY-MM: also writes the density change "
                                    "surface (--change-out), its non-significant cells blank"),
                     {"comparison.from", {}, ""});
                note(sub.add_option("--compare-to", o->compare_to, "Last month of the comparison period, YYYY-MM"),
                     {"comparison.to", {}, ""});
                sub.add_option("--change-out", o->change_out, "Density change GeoTIFF (.tif), with a comparison period");
                sub.add_option("--out", o->out,
                               "Output GeoTIFF (.tif), or .vrt: the surface in tiles (a VRT mosaic of COG tiles in "
                               "<name>_tiles/), for grids larger than one GeoTIFF may hold (a national 25 m surface)")
                    ->required();
                note(sub.add_option("--tile-cells", o->tile_cells, "With --out NAME.vrt: the side of a tile in cells")
                         ->capture_default_str(),
                     {"", {}, "cells"});
                sub.add_option("--manifest", o->manifest_path, "manifest path (default: <out>.manifest.json)");
                sub.add_flag("--png", o->png, "Also write an RGBA quick-look <out>.png");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                auto publish = add_publish_options(sub, "shade and keep only cells reached by at least N incidents, bandwidth at least 300 m");
                return [o, t, diggle, publish, &global]() {
                    o->publish_min_count = publish->min_count_or_0();
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->kde.kernel = parse_kernel(t->kernel);
                    o->kde.units = parse_units(t->units);
                    o->kde.compat = parse_compat(t->compat);
                    o->kde.bandwidth = BandwidthSpec::parse(t->bandwidth, "kde");
                    o->kde.edge = *diggle ? EdgeCorrection::diggle : EdgeCorrection::none;
                    o->kde.threads = global.threads;
                    o->read.threads = global.threads;
                    o->command_line = global.command_line;
                    if (!t->extent.empty()) o->kde.extent = parse_extent(t->extent, "kde");
                    if (!t->areas.empty()) o->study = AreaSpec::parse(t->areas);
                    return report_done(term, run_kde_job(*o, term.progress()));
                };
            }};
}

} // namespace hotspot::cli
