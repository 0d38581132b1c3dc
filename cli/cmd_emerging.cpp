// hotspot emerging: emerging and persistent hot spots over monthly slices (ArcGIS Emerging Hot
// Spot Analysis categories, sfhotspot persistence classes). The step and its validation live in
// the engine (emerging_job.hpp); this file only maps flags.

#include <memory>

#include "command.hpp"
#include "hotspot/emerging_job.hpp"
#include "hotspot/fdr.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command emerging_command() {
    return {"emerging", "Emerging and persistent hot spots: Gi* per month, a trend per cell, ArcGIS and sfhotspot classes",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<EmergingJobOptions>();
                auto study = std::make_shared<std::string>();
                auto band = std::make_shared<double>(0);
                auto correction = std::make_shared<std::string>("fdr");
                auto test = std::make_shared<std::string>("auto");
                add_read_options(sub, o->read);
                sub.add_option("--profile", o->profile, "A built-in profile selecting the incidents (default: all)");
                sub.add_option("--areas", *study,
                               "Study area study=PATH[:CODE[:NAME]]: only cells whose centres lie inside count");
                sub.add_option("--cell", o->step.cell_size_m, "Cell size in metres (cells align with kde's and gistar's)")->required();
                CLI::Option* band_opt = sub.add_option(
                    "--band", *band, "Distance band in metres between cell centres (default: cell * sqrt(2), the 3 x 3 neighbours)");
                sub.add_option("--from-month", o->step.from_month, "First monthly slice, YYYY-MM (default: the data's first month)");
                sub.add_option("--to-month", o->step.to_month, "Last monthly slice, YYYY-MM (default: the data's last month)");
                sub.add_option("--alpha", o->step.alpha, "Significance of a month's Gi* (corrected p) and of the trend")
                    ->capture_default_str();
                sub.add_option("--correction", *correction, "Per-month correction over the cells: fdr, bonferroni or none")
                    ->capture_default_str();
                sub.add_option("--gistar-test", *test, "p of each cell and month: normal, exact or auto")->capture_default_str();
                sub.add_option("--min-slices", o->step.min_slices, "Fewest monthly slices accepted")->capture_default_str();
                sub.add_option("--hotspot-prop", o->step.persistence.hotspot_prop,
                               "sfhotspot: share of months hot before a cell has any persistence class")
                    ->capture_default_str();
                sub.add_option("--persistent-prop", o->step.persistence.persistent_prop,
                               "sfhotspot: share of months hot for a persistent hot spot")
                    ->capture_default_str();
                sub.add_option("--recent-prop", o->step.persistence.recent_prop,
                               "sfhotspot: share of months that are recent (emerging / former)")
                    ->capture_default_str();
                sub.add_flag("--all-cells", o->step.all_cells, "Write every study-area cell (default: cells with a class)");
                sub.add_option("--out", o->out, "Output GeoPackage of cells (.gpkg)")->required();
                sub.add_option("--manifest", o->manifest_path, "manifest path (default: <out>.manifest.json)");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, study, band, band_opt, correction, test, &global]() {
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->command_line = global.command_line;
                    o->step.threads = global.threads;
                    o->read.threads = global.threads;
                    if (band_opt->count() > 0) o->step.band_m = *band;
                    o->step.correction = parse_p_adjust(*correction);
                    o->step.test = parse_gistar_test(*test);
                    if (!study->empty()) o->study = AreaSpec::parse(*study);
                    return report_done(term, run_emerging_job(*o, term.progress()));
                };
            }};
}

} // namespace hotspot::cli
