// hotspot evaluate: a forecast (surface GeoTIFF or hot spot polygons) from one period scored on
// the incidents of a later period: hit rate, PAI, PEI, PEI*, RRI and the area-share curve.
// The job and its validation live in the engine (evaluate_job.hpp).

#include <memory>
#include <sstream>

#include "command.hpp"
#include "hotspot/error.hpp"
#include "hotspot/evaluate_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command evaluate_command() {
    return {"evaluate", "Prospective accuracy of a hot spot surface or layer on later incidents (hit rate, PAI, PEI, RRI)",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<EvaluateJobOptions>();
                auto study = std::make_shared<std::string>();
                auto shares = std::make_shared<std::string>("0.5,1,2,5,10");
                add_read_options(sub, o->read);
                sub.add_option("--surface", o->surface, "Forecast surface: a single-band GeoTIFF (higher = hotter)");
                sub.add_option("--hotspots", o->hotspots, "Forecast hot spot polygons (any OGR layer; needs --areas)");
                sub.add_option("--areas", *study, "Study area study=PATH[:CODE[:NAME]]");
                sub.add_option("--period-from", o->period_from, "First test month YYYY-MM (default: all)");
                sub.add_option("--period-to", o->period_to, "Last test month YYYY-MM (default: all)");
                sub.add_option("--train-incidents", o->train_paths,
                               "Incidents of the period that drew the forecast, for RRI (read like --incidents)");
                sub.add_option("--train-from", o->train_from, "First training month YYYY-MM");
                sub.add_option("--train-to", o->train_to, "Last training month YYYY-MM");
                sub.add_option("--shares", *shares, "Area shares in per cent, comma-separated")->capture_default_str();
                sub.add_option("--curve-steps", o->evaluation.curve_steps, "Points of the area-share curve (0..100%)")
                    ->capture_default_str();
                sub.add_option("--out", o->out_dir, "Output folder (evaluation.csv, evaluation_curve.csv, evaluation.gpkg, manifest.json)")
                    ->required();
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, study, shares, &global]() {
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->threads = global.threads;
                    o->read.threads = global.threads;
                    o->command_line = global.command_line;
                    o->evaluation.shares.clear();
                    std::stringstream s(*shares);
                    for (std::string item; std::getline(s, item, ',');) {
                        std::size_t used = 0;
                        double v = 0;
                        try { v = std::stod(item, &used); } catch (const std::exception&) { used = 0; }
                        if (used == 0 || used != item.size())
                            throw UsageError("evaluate", "--shares: '" + item + "' is not a number (per cent, e.g. 0.5,1,5)");
                        o->evaluation.shares.push_back(v / 100);
                    }
                    if (!study->empty()) o->study = AreaSpec::parse(*study);
                    return report_done(term, run_evaluate_job(*o, term.progress()));
                };
            }};
}

} // namespace hotspot::cli
