// hotspot run: the complete map pack for each offence profile, from a config file (or flags).

#include <algorithm>
#include <filesystem>

#include "command.hpp"
#include "read_options.hpp"
#include "hotspot/config.hpp"
#include "hotspot/error.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/pipeline.hpp"
#include "hotspot/report.hpp"
#include "hotspot/staged_folder.hpp"
#include "terminal.hpp"
#include "usage.hpp"

namespace hotspot::cli {

// --where (issue 19), defined in read_options.cpp beside add_read_options, which adds it for
// every other command; declared here rather than in read_options.hpp so that header, read by
// every command's file, stays as it was.
void add_where_option(CLI::App& sub, ReadOptions& r);

namespace fs = std::filesystem;

namespace {

struct RunArgs {
    std::string config;
    std::vector<std::string> incidents, areas, populations, profiles;
    std::string lookup;  // --lookup: every area level's ONS LSOA 2011 to 2021 lookup
    std::vector<std::string> areas_where;  // --areas-where NAME=SQL
    std::string out, crs, period_from, period_to, comparison_from, comparison_to, title;
    std::string marking, author;
    bool overwrite = false, report = false, publish = false, keep_outliers = false;
    int publish_min_count = 0, publish_round = 0;
    int heat_min_incidents = 0;
    ReadOptions flags;  // --postcode, --postcodes, --postcodes-previous, --where, --x, --y, --id, --category, --date, --time
};

RunConfig build_config(const RunArgs& a) {
    RunConfig cfg;
    if (!a.config.empty()) cfg = read_run_config(a.config);
    if (!a.incidents.empty()) cfg.incidents.paths = a.incidents;
    if (!a.crs.empty()) cfg.incidents.crs = a.crs;
    if (a.keep_outliers) cfg.incidents.screen_outliers = false;
    if (!a.flags.postcode_field.empty()) cfg.incidents.postcode_field = a.flags.postcode_field;
    // the columns: a flag wins over the config's incidents.x, .y, .id, .category, .date, .time
    for (auto field : {&ReadOptions::x_field, &ReadOptions::y_field, &ReadOptions::id_field, &ReadOptions::category_field,
                       &ReadOptions::date_field, &ReadOptions::time_field})
        if (!(a.flags.*field).empty()) cfg.incidents.*field = a.flags.*field;
    if (!a.flags.where.empty()) cfg.incidents.where = a.flags.where;
    if (!a.flags.postcode_files.empty()) cfg.incidents.postcode_files = a.flags.postcode_files;
    if (!a.flags.postcode_previous_files.empty())
        cfg.incidents.postcode_previous_files = a.flags.postcode_previous_files;
    if (!a.areas.empty()) {
        cfg.areas.clear();
        for (const auto& s : a.areas) cfg.areas.push_back({AreaSpec::parse(s), "", "", "", "", ""});
    }
    for (const auto& p : a.populations) {
        const auto eq = p.find('=');
        if (eq == std::string::npos) throw UsageError("run", "--population takes AREA=PATH (got '" + p + "')");
        bool found = false;
        for (auto& ac : cfg.areas)
            if (ac.spec.name == p.substr(0, eq)) {
                ac.population_path = p.substr(eq + 1);
                found = true;
            }
        if (!found) throw UsageError("run", "--population " + p + ": no area layer named '" + p.substr(0, eq) + "'");
    }
    if (!a.lookup.empty())
        for (auto& ac : cfg.areas) ac.lookup_path = a.lookup;
    std::vector<AreaSpec*> specs;
    for (auto& ac : cfg.areas) specs.push_back(&ac.spec);
    set_area_filters(specs, a.areas_where, "run");
    if (!a.profiles.empty()) {
        cfg.profiles.clear();
        for (const auto& n : a.profiles) {
            const Profile* p = find_builtin(n);
            if (!p) throw UsageError("run", "no built-in profile named '" + n + "'; `hotspot profiles` lists them");
            cfg.profiles.push_back(*p);
        }
    }
    if (!a.out.empty()) cfg.output_dir = a.out;
    if (!a.title.empty()) cfg.title = a.title;
    if (!a.marking.empty()) cfg.marking = a.marking;
    if (!a.author.empty()) cfg.author = a.author;
    if (!a.period_from.empty()) cfg.period.from = a.period_from;
    if (!a.period_to.empty()) cfg.period.to = a.period_to;
    if (!a.comparison_from.empty()) cfg.comparison.from = a.comparison_from;
    if (!a.comparison_to.empty()) cfg.comparison.to = a.comparison_to;
    cfg.overwrite = cfg.overwrite || a.overwrite;
    cfg.report = cfg.report || a.report;
    cfg.publish = cfg.publish || a.publish;
    if (a.publish_min_count > 0) cfg.publish_min_count = a.publish_min_count;
    if (a.publish_round > 0) cfg.publish_round = a.publish_round;
    if (a.heat_min_incidents > 0) cfg.analysis.heat_min_incidents = a.heat_min_incidents;
    if (cfg.config_path.empty() && cfg.profiles.empty())
        for (const char* n : {"car-key-burglary", "drug-possession", "public-place-violence"})
            cfg.profiles.push_back(*find_builtin(n));
    cfg.incidents.working_crs = cfg.working_crs;
    return cfg;
}

// With --overwrite the pack's files in the output folder are replaced: none may be an input.
void check_inputs_outside(const RunConfig& cfg) {
    std::vector<std::string> inputs = cfg.incidents.paths;
    for (const auto& ac : cfg.areas) {
        inputs.push_back(source_file(ac.spec.path));
        inputs.push_back(ac.population_path);
        inputs.push_back(ac.lookup_path);
    }
    inputs.push_back(cfg.config_path);
    std::error_code ec;
    const fs::path out = fs::weakly_canonical(cfg.output_dir, ec);
    if (ec || !fs::is_directory(out)) return;
    for (const auto& in : inputs) {
        if (in.empty() || !fs::is_regular_file(in, ec)) continue;
        if (fs::weakly_canonical(in, ec).parent_path() == out)
            throw UsageError("run", "the input " + in + " is inside the output folder " + cfg.output_dir +
                                        ", whose pack --overwrite replaces; move the input out of it, or choose "
                                        "another output folder");
    }
}

} // namespace

Command run_command() {
    return {"run", "Run offence profiles: heat maps, hot spots, Gi*, area rates, QGIS project, manifest",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto a = std::make_shared<RunArgs>();
                sub.add_option("config", a->config, "Run config (TOML; see examples/demo.toml)");
                note(sub.add_option("--incidents", a->incidents, "Incident files/folders/globs (instead of the config's)")->take_all(), {"incidents.paths", {}, ""});
                note(sub.add_option("--crs", a->crs, "CRS of the incident coordinates"), {"incidents.crs", {}, ""});
                note(sub.add_option("--areas", a->areas, "Area layer NAME=PATH[:CODE[:NAME]] (repeatable; replaces the config's)"), {"areas", {}, ""});
                note(sub.add_option("--population", a->populations, "AREA=CSV of code,population (repeatable)"), {"areas.population", {}, ""});
                note(sub.add_option("--areas-where", a->areas_where, "NAME=SQL: an OGR SQL filter on that area level, run by the server for PG: sources (repeatable)"), {"areas.where", {}, ""});
                note(sub.add_option("--lookup", a->lookup, "ONS LSOA (2011) to LSOA (2021) lookup CSV: carries populations of the other vintage to each area level's codes"), {"areas.lookup", {}, ""});
                note(sub.add_option("--profiles", a->profiles, "Built-in profiles to run (default: the three priorities)")
                    ->delimiter(','), {"profiles", {}, ""});
                note(sub.add_option("--period-from", a->period_from, "Start of the period, YYYY-MM or YYYY-MM-DD"), {"period.from", {}, ""});
                note(sub.add_option("--period-to", a->period_to, "End of the period (inclusive)"), {"period.to", {}, ""});
                note(sub.add_option("--comparison-from", a->comparison_from, "Start of the comparison period"), {"comparison.from", {}, ""});
                note(sub.add_option("--comparison-to", a->comparison_to, "End of the comparison period"), {"comparison.to", {}, ""});
                note(sub.add_option("--title", a->title, "Title of the run (report cover, QGIS project)"), {"title", {}, ""});
                note(sub.add_option("--out", a->out, "Output folder (instead of the config's output)"), {"output", {}, ""});
                note(sub.add_flag("--report", a->report, "Also write the tasking report (report.html)"), {"report", {}, ""});
                note(sub.add_option("--marking", a->marking, "Protective marking on every report page, e.g. OFFICIAL-SENSITIVE"), {"marking", {}, ""});
                note(sub.add_option("--author", a->author, "Author or team named on the report's cover and footers"), {"author", {}, ""});
                note(sub.add_flag("--publish", a->publish, "Outputs meant to leave the force: no points, small counts suppressed"), {"publish.enabled", {}, ""});
                note(sub.add_option("--publish-min-count", a->publish_min_count, "Counts below this are suppressed in publish mode (default 5)"), {"publish.min_count", {}, ""});
                note(sub.add_option("--publish-round", a->publish_round, "Publish mode: totals in the run summary rounded to a multiple of this (default 5; 1: exact)")->check(CLI::PositiveNumber), {"publish.round", {}, ""});
                note(sub.add_option("--heat-min-incidents", a->heat_min_incidents,
                               "Heat map: leave cells unshaded that fewer than this many incidents reach (default 3; "
                               "publish mode: at least --publish-min-count)")->check(CLI::PositiveNumber), {"analysis.heat_min_incidents", {}, ""});
                sub.add_flag("--overwrite", a->overwrite, "Replace existing outputs");
                add_column_options(sub, a->flags);
                add_postcode_options(sub, a->flags);
                add_where_option(sub, a->flags);  // --where (issue 19)
                note(sub.add_flag("--keep-outliers", a->keep_outliers,
                             "Keep incidents far outside the bulk of the others (default: rejected as location_outlier)"), {"incidents.keep_outliers", {}, ""});
                return [a, &global]() {
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    RunConfig cfg = build_config(*a);
                    cfg.validate();  // the whole config, before any work
                    if (cfg.overwrite) check_inputs_outside(cfg);
                    // The report is refused before the run, like every other output.
                    if (cfg.report && fs::is_directory(cfg.output_dir))
                        check_can_write((fs::path(cfg.output_dir) / "report.html").string(), cfg.overwrite);
                    // The whole pack (report included) is written in a staging folder, under the
                    // folder's lock, and moved into place in one rename at the end.
                    StagedFolder stage(cfg.output_dir, cfg.overwrite);
                    cfg.staging_dir = stage.path();
                    RunResult r = run_pipeline(cfg, global.command_line, global.threads, term.progress());
                    // --report / report = true: the tasking pack, built from the run folder.
                    std::string report_path;
                    if (cfg.report) {
                        ReportOptions ro;
                        ro.run_dir = stage.path();
                        ro.run_name = fs::path(stage.final_path()).filename().string();
                        ro.overwrite = cfg.overwrite;
                        ro.marking = cfg.marking;
                        ro.author = cfg.author;
                        write_report(ro);
                        report_path = (fs::path(cfg.output_dir) / "report.html").string();
                    }
                    if (!term.progress()(1.0, "finish")) throw Cancelled("run");
                    stage.commit();
                    const fs::path out(cfg.output_dir);
                    r.output_dir = cfg.output_dir;
                    r.gpkg = (out / fs::path(r.gpkg).filename()).string();
                    r.project = (out / fs::path(r.project).filename()).string();
                    r.manifest = (out / fs::path(r.manifest).filename()).string();
                    for (const auto& w : r.warnings) term.warn(w);
                    for (const auto& p : r.profiles)
                        for (const auto& w : p.warnings) term.warn(w);
                    term.print(r.summary());
                    if (!report_path.empty()) term.print("      " + report_path + " (tasking report)\n");
                    return 0;
                };
            }};
}

} // namespace hotspot::cli
