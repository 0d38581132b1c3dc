// hotspot rates: incidents in, crime rates per area with their significance out (one styled
// GeoPackage layer per area level). The job and its validation live in the engine
// (rates_job.hpp); this file only maps flags.

#include <memory>

#include "command.hpp"
#include "hotspot/error.hpp"
#include "hotspot/rates_job.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

Command rates_command() {
    return {"rates", "Crime rates per ward/LSOA with confidence intervals, classes, funnel limits, LISA and Gi*",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<RatesJobOptions>();
                auto areas = std::make_shared<std::vector<std::string>>();
                auto pops = std::make_shared<std::vector<std::string>>();
                auto areas_where = std::make_shared<std::vector<std::string>>();
                auto reference = std::make_shared<double>(0);
                auto ci = std::make_shared<std::string>("exact");
                auto correction = std::make_shared<std::string>();
                add_read_options(sub, o->read);
                sub.add_option("--areas", *areas, "Area layer NAME=PATH[:CODE_FIELD[:NAME_FIELD]] (repeatable; one output layer each)")
                    ->required();
                sub.add_option("--population", *pops,
                               "Population CSV [AREA=]PATH[:CODE_COLUMN[:POPULATION_COLUMN]], joined by area code "
                               "(repeatable; unnamed ones go to the --areas in order)");
                sub.add_option("--population-field", o->population_field,
                               "Population field of the area layers themselves (for layers without --population)");
                sub.add_option("--areas-where", *areas_where,
                               "NAME=SQL: an OGR SQL filter on that --areas layer, run by the server for PG: sources "
                               "(repeatable)");
                sub.add_option("--lookup", o->lookup_path,
                               "ONS LSOA (2011) to LSOA (2021) lookup CSV (LSOA11CD, LSOA21CD): carries a population "
                               "table of the other vintage to the layer's codes");
                CLI::Option* ref_opt = sub.add_option(
                    "--reference-rate", *reference,
                    "Reference rate per --per residents, e.g. the force rate 11.5 (default: the study area's own)");
                sub.add_option("--per", o->step.per, "Rates per this many residents")->capture_default_str();
                sub.add_option("--ci", *ci, "Confidence intervals: exact (Garwood) or byar")->capture_default_str();
                sub.add_option("--snap", o->snap_m,
                               "Assign incidents outside every area to the nearest within this many metres")
                    ->capture_default_str();
                sub.add_option("--contiguity-snap", o->step.contiguity_snap_m,
                               "Areas whose boundaries come within this many metres are neighbours (queen)")
                    ->capture_default_str();
                add_permutation_options(sub, o->step.perm, *correction,
                                        "LISA/Gi* conditional permutations (0: analytic); under a correction raised to "
                                        "2m/q - 1 for m areas, so a lone cluster can pass it",
                                        "LISA/Gi* p correction: fdr, bonferroni or none");
                sub.add_option("--out", o->out, "Output GeoPackage (.gpkg): one <area>_rates layer per --areas")->required();
                sub.add_option("--manifest", o->manifest_path, "manifest path (default: <out>.manifest.json)");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                auto publish = add_publish_options(sub, "one --areas level: counts below N hidden with secondary suppression, nothing derived from them");
                return [o, areas, pops, areas_where, reference, ref_opt, ci, correction, publish, &global]() {
                    o->publish_min_count = publish->min_count_or_0();
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    o->command_line = global.command_line;
                    for (const auto& a : *areas) o->areas.push_back(AreaSpec::parse(a));
                    std::vector<AreaSpec*> specs;
                    for (auto& a : o->areas) specs.push_back(&a);
                    set_area_filters(specs, *areas_where, "rates");
                    for (const auto& p : *pops) o->populations.push_back(PopulationSpec::parse(p));
                    if (ref_opt->count() > 0) o->step.reference_rate = *reference;
                    if (*ci == "exact") o->step.ci = CiMethod::exact;
                    else if (*ci == "byar") o->step.ci = CiMethod::byar;
                    else throw UsageError("rates", "unknown --ci '" + *ci + "'; use exact or byar");
                    apply_permutation_flags(o->step.perm, *correction, global.threads);
                    o->read.threads = global.threads;
                    return report_done(term, run_rates_job(*o, term.progress()));
                };
            }};
}

} // namespace hotspot::cli
