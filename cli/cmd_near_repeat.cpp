// hotspot near-repeat: the Knox test of near repeats over distance x time bands, and the
// raised-risk windows around the latest incidents. The step and its validation live in the
// engine (near_repeat_job.hpp); this file only maps flags onto its options.

#include <memory>

#include "command.hpp"
#include "hotspot/error.hpp"
#include "hotspot/near_repeat_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command near_repeat_command() {
    return {"near-repeat", "Knox test of near repeats (distance x time bands) and the raised-risk windows to cocoon",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<NearRepeatOptions>();
                struct Flags {
                    double distance_band = 100;
                    int distance_bands = 3;
                    int day_band = 7;
                    int day_bands = 3;
                    std::vector<double> distance_limits;
                    std::vector<int> day_limits;
                    double same_location = 0;
                    std::string metric = "euclidean";
                    std::string compat;
                    double risk_distance = 0;
                    int risk_days = 0;
                };
                auto f = std::make_shared<Flags>();
                add_read_options(sub, o->read);
                sub.add_option("--distance-band", f->distance_band, "Width of each distance band, metres")->capture_default_str();
                sub.add_option("--distance-bands", f->distance_bands, "Number of distance bands")->capture_default_str();
                sub.add_option("--day-band", f->day_band, "Width of each time band, days")->capture_default_str();
                sub.add_option("--day-bands", f->day_bands, "Number of time bands")->capture_default_str();
                sub.add_option("--distance-limits", f->distance_limits,
                               "Upper limits of the distance bands instead, metres (e.g. 50,100,200)")->delimiter(',');
                sub.add_option("--day-limits", f->day_limits, "Upper limits of the time bands instead, days (e.g. 1,7,14)")
                    ->delimiter(',');
                CLI::Option* same = sub.add_option("--same-location", f->same_location,
                               "Same-location band: distance below this, metres (0: coincident points only)")
                    ->capture_default_str();
                sub.add_option("--distance", f->metric, "euclidean or manhattan")->capture_default_str();
                sub.add_option("--compat", f->compat,
                               "nrc: the Near Repeat Calculator's labels ('1 to 100', '0 to 7') and its 1 m same-location band");
                sub.add_option("--permutations", o->permutations, "Monte Carlo permutations of the days")->capture_default_str();
                sub.add_option("--seed", o->seed, "Seed of the permutations")->capture_default_str();
                sub.add_option("--alpha", o->alpha, "Significance level of the pseudo p-values")->capture_default_str();
                sub.add_option("--recent-days", o->recent_days,
                               "Risk windows around the incidents of the last N days of the data (0: none)")->capture_default_str();
                CLI::Option* rdist = sub.add_option("--risk-distance", f->risk_distance,
                                                    "Raised-risk distance, metres (default: from the Knox table)");
                CLI::Option* rdays = sub.add_option("--risk-days", f->risk_days, "Raised-risk days (default: from the Knox table)");
                sub.add_option("--what", o->what, "What the incidents are, for the sentence (e.g. burglaries)")->capture_default_str();
                sub.add_option("--out", o->out, "Output GeoPackage (.gpkg): knox table + risk_windows")->required();
                sub.add_option("--csv", o->csv, "CSV of the Knox table (default: beside --out, NAME_knox.csv)");
                sub.add_option("--manifest", o->manifest_path, "manifest path (default: <out>.manifest.json)");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, f, same, rdist, rdays, &global]() {
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->threads = global.threads;
                    o->read.threads = global.threads;
                    o->command_line = global.command_line;
                    if (!f->distance_limits.empty() || !f->day_limits.empty()) {
                        const KnoxBands regular =
                            KnoxBands::regular(f->distance_band, f->distance_bands, f->day_band, f->day_bands);
                        o->bands.distance_limits_m = f->distance_limits.empty() ? regular.distance_limits_m : f->distance_limits;
                        o->bands.day_limits.assign(f->day_limits.begin(), f->day_limits.end());
                        if (f->day_limits.empty()) o->bands.day_limits = regular.day_limits;
                    } else {
                        o->bands = KnoxBands::regular(f->distance_band, f->distance_bands, f->day_band, f->day_bands);
                    }
                    o->bands.metric = parse_distance_metric(f->metric);
                    if (f->compat == "nrc") o->set_compat_nrc();
                    else if (!f->compat.empty())
                        throw UsageError("near-repeat", "unknown --compat '" + f->compat + "'; use nrc");
                    if (same->count() > 0) o->bands.same_location_m = f->same_location;
                    if (rdist->count() > 0) o->risk_distance_m = f->risk_distance;
                    if (rdays->count() > 0) o->risk_days = f->risk_days;
                    return report_done(term, run_near_repeat_job(*o, term.progress()));
                };
            }};
}

} // namespace hotspot::cli
