// hotspot gistar: incidents in, Getis-Ord Gi* hot spot cells out (styled GeoPackage layer,
// optional z-score GeoTIFF). The job and its validation live in the engine (gistar_job.hpp).

#include <memory>

#include "command.hpp"
#include "hotspot/gistar_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command gistar_command() {
    return {"gistar", "Getis-Ord Gi* hot spots of incident counts on aligned grid cells",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<GiStarJobOptions>();
                auto study = std::make_shared<std::string>();
                auto band = std::make_shared<double>(0);
                auto weights = std::make_shared<std::string>("binary");
                auto correction = std::make_shared<std::string>();
                auto test = std::make_shared<std::string>("auto");
                add_read_options(sub, o->read);
                sub.add_option("--areas", *study,
                               "Study area study=PATH[:CODE[:NAME]]: only cells whose centres lie inside count");
                sub.add_option("--cell", o->step.cell_size_m, "Cell size in metres (cells align with kde's)")->required();
                CLI::Option* band_opt = sub.add_option(
                    "--band", *band,
                    "Distance band in metres between cell centres (default: chosen from the data, see the manifest)");
                sub.add_option("--weights", *weights, "binary or inverse-distance")->capture_default_str();
                add_permutation_options(sub, o->step.perm, *correction,
                                        "Conditional permutations for pseudo p-values (0: analytic only; e.g. 999)",
                                        "fdr, bonferroni or none");
                sub.add_option("--gistar-test", *test,
                               "p of each cell: normal (spdep's z), exact (binomial test of the local sum) or auto "
                               "(exact when the mean count per cell is under 1)")
                    ->capture_default_str();
                sub.add_flag("--all-cells", o->step.all_cells,
                             "Write every study-area cell (default: cells with incidents or a significant bin)");
                sub.add_option("--out", o->out, "Output GeoPackage of cells (.gpkg)")->required();
                sub.add_option("--raster", o->raster, "Also write the z-scores as a styled GeoTIFF (.tif)");
                sub.add_option("--manifest", o->manifest_path, "manifest path (default: <out>.manifest.json)");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                auto publish = add_publish_options(sub, "only cells holding at least N incidents, with their count and no z, p or bin");
                return [o, study, band, band_opt, weights, correction, test, publish, &global]() {
                    o->publish_min_count = publish->min_count_or_0();
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->command_line = global.command_line;
                    if (band_opt->count() > 0) o->step.band_m = *band;
                    o->step.weights = parse_weight_scheme(*weights);
                    apply_permutation_flags(o->step.perm, *correction, global.threads);
                    o->read.threads = global.threads;
                    o->step.test = parse_gistar_test(*test);
                    if (!study->empty()) o->study = AreaSpec::parse(*study);
                    return report_done(term, run_gistar_job(*o, term.progress()));
                };
            }};
}

} // namespace hotspot::cli
