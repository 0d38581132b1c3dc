// hotspot kde: incidents in, a kernel density surface out (GeoTIFF + QGIS style).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "hotspot/areas_io.hpp"
#include "hotspot/bandwidth.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/kde.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/raster_out.hpp"
#include "hotspot/version.hpp"
#include "read_options.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

namespace {

struct KdeCliOptions {
    ReadOptions read;
    std::string areas;
    std::string kernel = "quartic";
    std::string bandwidth;
    double cell_m = 0;
    std::string units = "per-km2";
    std::string compat = "none";
    bool diggle = false;
    std::string out;
    bool overwrite = false;
    bool png = false;
    std::string weight;
};

std::string num(double v) {
    std::ostringstream s;
    s.precision(10);
    s << v;
    return s.str();
}

/// YYYY-MM-DD of a day count since 1970-01-01.
std::string iso_date(std::int32_t days) {
    const std::chrono::year_month_day d{std::chrono::sys_days{std::chrono::days{days}}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                  unsigned(d.day()));
    return buf;
}

/// The numeric values of `field` for every incident. @throws InputError naming the file, line
/// and field of the first value that is not a finite number >= 0.
std::vector<double> incident_weights(const IncidentTable& inc, const std::string& field) {
    std::size_t col = inc.field_names.size();
    for (std::size_t c = 0; c < inc.field_names.size(); ++c)
        if (inc.field_names[c] == field) col = c;
    if (col == inc.field_names.size())
        throw UsageError("kde", "--weight " + field + ": the incidents have no such field");
    std::vector<double> w(inc.size());
    for (std::size_t i = 0; i < inc.size(); ++i) {
        const std::string text(inc.fields[col][i]);
        try {
            std::size_t used = 0;
            w[i] = std::stod(text, &used);
            if (used != text.size() || !std::isfinite(w[i]) || w[i] < 0) throw std::invalid_argument(text);
        } catch (const std::logic_error&) {
            throw InputError("kde", inc.source_files[inc.source_file[i]], inc.source_line[i], field,
                             "'" + text + "' is not a weight (a number >= 0); correct it or leave out --weight");
        }
    }
    return w;
}

// The GeoTIFF, its .qml and .png: refused before the read when the name is not a GeoTIFF's or
// one is an input (`existing` false), and before the surface is computed when one exists.
void check_kde_outputs(const KdeCliOptions& o, bool existing) {
    check_raster_output(o.out, "kde");
    std::vector<std::string> inputs = incident_files(o.read.paths);
    if (!o.areas.empty()) inputs.push_back(source_file(AreaSpec::parse(o.areas).path));
    const std::filesystem::path out(o.out);
    const std::vector<std::string> outputs{
        o.out, std::filesystem::path(out).replace_extension(".qml").string(),
        o.png ? std::filesystem::path(out).replace_extension(".png").string() : std::string()};
    if (existing) check_outputs(outputs, inputs, o.overwrite, "kde");
    for (const auto& p : outputs) check_not_input(p, inputs, "kde");
}

} // namespace

Command kde_command() {
    return {"kde", "Kernel density heat map of incidents as a styled GeoTIFF",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto o = std::make_shared<KdeCliOptions>();
                add_read_options(sub, o->read);
                sub.add_option("--areas", o->areas,
                               "Study area layer study=PATH: cells outside it are nodata");
                sub.add_option("--kernel", o->kernel,
                               "quartic, triweight, epanechnikov, triangular, uniform, gaussian")
                    ->capture_default_str();
                sub.add_option("--bandwidth", o->bandwidth,
                               "Search radius in metres (sigma for gaussian), or auto:scott, "
                               "auto:silverman, auto:arcgis, auto:ppl")
                    ->required();
                sub.add_option("--cell", o->cell_m,
                               "Cell size in metres (default: shorter side of the study area / 150)");
                sub.add_option("--units", o->units, "per-km2, per-m2, raw or relative")
                    ->capture_default_str();
                sub.add_option("--compat", o->compat,
                               "none, qgis-raw, qgis-scaled, qgis-scaled-legacy, arcgis, spatstat")
                    ->capture_default_str();
                sub.add_option("--weight", o->weight,
                               "Numeric field weighting each incident (e.g. a harm score); default 1");
                sub.add_flag("--edge-correction", o->diggle,
                             "Diggle edge correction against the study area (or the grid)");
                sub.add_option("--out", o->out, "Output GeoTIFF (.tif)")->required();
                sub.add_flag("--png", o->png, "Also write an RGBA quick-look <out>.png");
                sub.add_flag("--overwrite", o->overwrite, "Replace existing outputs");
                return [o, &global]() {
                    Terminal term(global.verbose, global.quiet, global.progress_json);
                    KdeOptions k;
                    k.kernel = parse_kernel(o->kernel);
                    k.units = parse_units(o->units);
                    k.compat = parse_compat(o->compat);
                    k.cell_size_m = o->cell_m;
                    k.threads = global.threads;
                    k.edge = o->diggle ? EdgeCorrection::diggle : EdgeCorrection::none;
                    check_kde_outputs(*o, false);  // before any work

                    o->read.bounded_by_areas = !o->areas.empty();
                    const ReadResult in = read_incidents(o->read, term.progress());
                    for (const auto& w : in.warnings) term.warn(w);
                    const auto& x = in.incidents.x;
                    const auto& y = in.incidents.y;
                    term.verbose("read", std::to_string(in.rows_in) + " rows, " +
                                             std::to_string(x.size()) + " kept");
                    if (x.empty())
                        throw InputError("kde", o->read.paths.front(),
                                         "no incident has a usable location; check --x/--y/--crs");

                    const std::vector<double> weights =
                        o->weight.empty() ? std::vector<double>() : incident_weights(in.incidents, o->weight);
                    Bandwidth bw;
                    if (o->bandwidth.starts_with("auto")) {
                        const std::string method =
                            o->bandwidth == "auto" ? "ppl" : o->bandwidth.substr(5);
                        bw = select_bandwidth(parse_bandwidth_method(method), x, y, weights);
                        // A rule's σ becomes the chosen kernel's σ; a radius is used as is.
                        k.bandwidth_m = k.kernel == Kernel::gaussian || !bw.is_sigma
                                            ? bw.value_m
                                            : bw.radius_for(k.kernel);
                        if (k.compat == KdeCompat::spatstat && bw.is_sigma) k.bandwidth_m = bw.value_m;
                    } else {
                        try {
                            std::size_t used = 0;
                            k.bandwidth_m = std::stod(o->bandwidth, &used);
                            if (used != o->bandwidth.size()) throw std::invalid_argument("");
                        } catch (const std::logic_error&) {
                            throw UsageError("kde", "--bandwidth '" + o->bandwidth +
                                                        "' is neither metres nor auto:<method>");
                        }
                        bw.method_name = "fixed";
                        bw.value_m = k.bandwidth_m;
                    }
                    k.validate();
                    check_kde_outputs(*o, true);  // options first, then existing outputs
                    term.verbose("kde", "bandwidth " + num(k.bandwidth_m) + " m (" +
                                            bw.method_name + "), support radius " +
                                            num(k.radius_m()) + " m");

                    Bounds study;
                    for (std::size_t i = 0; i < x.size(); ++i) study.add(x[i], y[i]);
                    std::unique_ptr<AreaLayer> areas;
                    if (!o->areas.empty()) {
                        areas = std::make_unique<AreaLayer>(
                            read_area_layer(AreaSpec::parse(o->areas), o->read.working_crs));
                        for (const auto& w : areas->warnings) term.warn(w);
                        if (areas->bounds.empty())
                            throw InputError("kde", areas->path,
                                             "no area of the study layer has a polygon; give "
                                             "--areas a layer with at least one non-empty polygon");
                        study = areas->bounds;
                        if (auto line = report_outside("kde", "the study area", areas->name, areas->path, x.size(),
                                                       geocode(AreaIndex(areas->polygons), x, y, 0, k.threads).outside);
                            !line.empty())
                            term.warn(line);
                    }
                    const Grid grid = kde_grid(study, k);
                    std::vector<std::uint8_t> window;
                    if (areas) {
                        const AreaIndex index(areas->polygons);
                        window.assign(std::size_t(grid.size()), 0);
                        for (std::int64_t r = 0; r < grid.rows; ++r)
                            for (std::int64_t c = 0; c < grid.cols; ++c)
                                window[std::size_t(r * grid.cols + c)] =
                                    index.locate(grid.x_of_col(c), grid.y_of_row(r)) >= 0;
                    }
                    const KdeResult res =
                        kernel_density(x, y, weights, grid, k, window, term.progress());
                    for (const auto& w : res.warnings) term.warn(w);
                    term.verbose("kde", "surface done");

                    GeoTiffOptions g;
                    g.crs = o->read.working_crs;
                    g.overwrite = o->overwrite;
                    g.write_png = o->png;
                    const KdeUnits units = k.effective_units();
                    g.legend_label = units == KdeUnits::per_km2   ? "incidents per km²"
                                     : units == KdeUnits::per_m2  ? "incidents per m²"
                                     : units == KdeUnits::raw     ? "kernel sum"
                                                                  : "relative density (0-1)";
                    std::int32_t first = no_date, last = no_date;
                    for (auto d : in.incidents.date_days)
                        if (d != no_date) {
                            first = first == no_date ? d : std::min(first, d);
                            last = last == no_date ? d : std::max(last, d);
                        }
                    g.metadata = {
                        {"hotspot_version", hotspot::version},
                        {"surface", "kernel density"},
                        {"kernel", std::string(kernel_name(k.kernel))},
                        {"bandwidth_m", num(k.bandwidth_m)},
                        {"bandwidth_method", bw.method_name},
                        {"support_radius_m", num(res.radius_m)},
                        {"cell_size_m", num(grid.cell_size_m)},
                        {"units", std::string(units_name(units))},
                        {"compat", std::string(compat_name(k.compat))},
                        {"edge_correction", o->diggle ? "diggle" : "none"},
                        {"incidents", std::to_string(res.incidents)},
                        {"distinct_points", std::to_string(res.distinct_points)},
                        {"study_area", o->areas.empty() ? "incident extent" : o->areas},
                        {"profile", "all incidents"},
                        {"period", first == no_date ? "unknown"
                                                    : iso_date(first) + "/" + iso_date(last)},
                    };
                    const RasterWriteResult w = write_geotiff(o->out, grid, res.values, g);
                    for (const auto& msg : w.warnings) term.warn("raster: " + msg);
                    term.verbose("raster", "written (" + w.driver + ")");
                    std::ostringstream s;
                    s << "kde: " << res.incidents << " incidents (" << res.distinct_points
                      << " distinct points), " << kernel_name(k.kernel) << " "
                      << num(k.bandwidth_m) << " m (" << bw.method_name << "), " << grid.cols
                      << " x " << grid.rows << " cells of " << num(grid.cell_size_m) << " m\n"
                      << "wrote " << w.path << (w.qml_path.empty() ? "" : " + " + w.qml_path)
                      << (w.png_path.empty() ? "" : " + " + w.png_path) << "\n";
                    term.print(s.str());
                    return 0;
                };
            }};
}

} // namespace hotspot::cli
