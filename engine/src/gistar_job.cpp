#include "hotspot/gistar_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/gistar.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/raster_out.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "hotspot/styles.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "gistar";

using util::num;

using util::seconds_since;

std::string replace_all(std::string s, const std::string& key, const std::string& value) {
    for (std::size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
        s.replace(at, key.size(), value);
    return s;
}

std::string scheme_name(WeightScheme w) {
    return w == WeightScheme::binary ? "binary" : "inverse-distance";
}

} // namespace

WeightScheme parse_weight_scheme(const std::string& name) {
    if (name == "binary") return WeightScheme::binary;
    if (name == "inverse-distance" || name == "inverse_distance") return WeightScheme::inverse_distance;
    throw UsageError(unit, "unknown --weights '" + name + "'; use binary or inverse-distance");
}

void GiStarJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError(unit, "no incidents given; use --incidents FILE");
    if (!(cell_size_m > 0) || !std::isfinite(cell_size_m))
        throw UsageError(unit, "--cell must be > 0 m (got " + num(cell_size_m) + ")");
    if (band_m) {
        const double b = *band_m;
        if (!(b > 0) || !std::isfinite(b))
            throw UsageError(unit, "--band must be > 0 m (got " + num(b) + "); leave it out to choose one from the data");
        if (b < cell_size_m)
            throw UsageError(unit, "--band " + num(b) + " m is less than one cell (" + num(cell_size_m) +
                                       " m): every cell would be its own only neighbour; use a band of at least the cell size");
        if (b > max_band_cells * cell_size_m)
            throw UsageError(unit, "--band " + num(b) + " m is " + num(b / cell_size_m) + " cells wide; at most " +
                                       num(max_band_cells) + " cells: use a larger --cell");
    }
    if (permutations < 0 || permutations > 99999)
        throw UsageError(unit, "--permutations must be between 0 and 99999 (got " + std::to_string(permutations) + ")");
    if (out.empty()) throw UsageError(unit, "no output given; use --out FILE.gpkg");
    if (!raster.empty() && fs::path(raster).extension() != ".tif" && fs::path(raster).extension() != ".tiff")
        throw UsageError(unit, "--raster '" + raster + "' must end in .tif");
}

GiStarJobResult run_gistar_job(const GiStarJobOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string manifest_path =
        !o.manifest_path.empty() ? o.manifest_path : (fs::path(o.out).parent_path() / "manifest.json").string();
    const std::string raster_qml =
        o.raster.empty() ? std::string() : fs::path(o.raster).replace_extension(".qml").string();
    // Refuse existing outputs, outputs that are inputs and unknown formats before any work.
    check_vector_output(o.out, 1, unit);
    if (!o.raster.empty()) check_raster_output(o.raster, unit, "--raster");
    std::vector<std::string> inputs = incident_files(o.read.paths);
    if (o.study) inputs.push_back(source_file(o.study->path));
    check_outputs({o.out, manifest_path, o.raster, raster_qml}, inputs, o.overwrite, unit);

    Manifest manifest("gistar", o.command_line);
    GiStarJobResult r;

    // ---- the grid, before the incidents are read when a study area fixes it, so an absurd
    // cell size fails in milliseconds and before any allocation.
    auto t = std::chrono::steady_clock::now();
    std::optional<AreaLayer> study;
    if (o.study) {
        study = read_area_layer(*o.study, o.read.working_crs);
        for (auto& w : study->warnings) r.warnings.push_back(w);
        Grid::aligned(study->bounds, o.cell_size_m, o.max_cells);
    }
    manifest.add_timing("read_study_area", seconds_since(t));

    t = std::chrono::steady_clock::now();
    ReadOptions ro = o.read;
    ro.sizes_grid_from_extent = !o.study.has_value();
    const ReadResult read = read_incidents(ro, progress);
    manifest.add_timing("read", seconds_since(t));
    const IncidentTable& inc = read.incidents;
    r.rows_in = read.rows_in;
    r.kept = inc.size();
    r.rejected = read.rejects.size();
    for (const auto& w : read.warnings) r.warnings.push_back(w);
    if (inc.size() == 0)
        throw InputError(unit, o.read.paths.front(), "no incident has a usable location; check --x/--y/--crs");

    Bounds extent;
    if (study) extent = study->bounds;
    else
        for (std::size_t i = 0; i < inc.size(); ++i) extent.add(inc.x[i], inc.y[i]);
    const Grid grid = Grid::aligned(extent, o.cell_size_m, o.max_cells);
    r.cols = grid.cols, r.rows = grid.rows, r.cell_size_m = grid.cell_size_m;
    r.origin_x = grid.origin_x, r.origin_y = grid.origin_y;
    const auto ncell = std::size_t(grid.size());

    t = std::chrono::steady_clock::now();
    std::vector<std::uint8_t> mask;
    std::optional<AreaIndex> study_index;
    if (study) {
        const AreaIndex& index = study_index.emplace(study->polygons);
        mask.assign(ncell, 0);
        for (std::int64_t row = 0; row < grid.rows; ++row)
            for (std::int64_t c = 0; c < grid.cols; ++c)
                mask[std::size_t(row * grid.cols + c)] = index.locate(grid.x_of_col(c), grid.y_of_row(row)) >= 0;
    }
    std::vector<double> counts(ncell, 0.0);
    for (std::size_t i = 0; i < inc.size(); ++i) {
        const std::int64_t c = grid.col_of(inc.x[i]), row = grid.row_of(inc.y[i]);
        const auto k = std::size_t(row * grid.cols + c);
        // An incident inside the study area (its edge included) whose cell's centre is not:
        // the cell joins the study area, so edge incidents are counted, not dropped.
        if (grid.in_grid(c, row) && !mask.empty() && !mask[k] && study_index->locate(inc.x[i], inc.y[i]) >= 0)
            mask[k] = 1;
        if (!grid.in_grid(c, row) || (!mask.empty() && !mask[k])) {
            ++r.outside_study;
            continue;
        }
        counts[k] += 1;
        ++r.counted;
    }
    for (std::size_t k = 0; k < ncell; ++k) {
        if (!mask.empty() && !mask[k]) continue;
        ++r.study_cells;
        if (counts[k] > 0) ++r.nonempty_cells;
    }
    if (study) {
        if (auto line = report_outside(unit, "the study area", study->name, study->path, inc.size(), r.outside_study);
            !line.empty())
            r.warnings.push_back(line);
    } else if (r.outside_study) {
        r.warnings.push_back("gistar: " + std::to_string(r.outside_study) +
                             " incidents lie outside the grid's cells and were not counted");
    }
    manifest.add_timing("count", seconds_since(t));

    // ---- band
    nlohmann::ordered_json band_json;
    if (o.band_m) {
        r.band_m = *o.band_m;
        r.band_method = "given";
        band_json = {{"band_m", r.band_m}, {"method", "given"}};
    } else {
        const DefaultBand d = default_grid_band(grid, counts, mask);
        r.band_m = d.band_m;
        std::ostringstream s;
        const auto k = d.k;
        const char* suffix = (k % 100 >= 11 && k % 100 <= 13) ? "th" : k % 10 == 1 ? "st" : k % 10 == 2 ? "nd" : k % 10 == 3 ? "rd" : "th";
        s << "default: mean distance to the " << k << suffix << " nearest non-empty cell over " << d.points
          << " non-empty cells = " << num(std::round(d.knn_distance_m * 10) / 10) << " m"
          << (d.floored ? ", raised to the 3 x 3 floor cell * sqrt(2)" : "")
          << " (ArcGIS Optimized Hot Spot Analysis fallback rule, k = 5% of cells in 3..30)";
        r.band_method = s.str();
        band_json = {{"band_m", r.band_m},
                     {"method", "default"},
                     {"rule", "mean distance to the k-th nearest non-empty cell, k = clamp(round(0.05 n), 3, 30), "
                              "at least cell * sqrt(2), rounded up to a whole metre"},
                     {"k", d.k},
                     {"nonempty_cells", d.points},
                     {"knn_distance_m", d.knn_distance_m},
                     {"floored", d.floored}};
    }
    if (r.band_m > o.max_band_cells * o.cell_size_m)
        throw UsageError(unit, "the band chosen from the data (" + num(r.band_m) + " m) is more than " +
                                   num(o.max_band_cells) + " cells; give --band or a larger --cell");

    // ---- Gi*
    t = std::chrono::steady_clock::now();
    GiStarOptions g;
    g.band_m = r.band_m;
    g.p_adjust = o.correction;
    g.permutations = o.permutations;
    g.seed = o.seed;
    g.threads = o.threads;
    g.test = o.test;
    GiStarResult res;
    if (o.weights == WeightScheme::binary && o.permutations == 0) {
        res = gistar_grid(grid, counts, g, mask, progress);
    } else {
        DistanceBandOptions b;
        b.band_m = r.band_m;
        b.include_self = true;
        b.scheme = o.weights;
        // Self and cells nearer than one cell weigh as at one cell, so i itself does not
        // dominate its own sum (1/1 m against 1/100 m at a 100 m cell).
        b.min_distance_m = o.cell_size_m;
        const auto half = detail::disc_half_widths(r.band_m, o.cell_size_m);
        double disc = 0;
        for (auto h : half) disc += double(2 * std::max<std::int64_t>(h, -1) + 1);
        if (disc * double(r.study_cells) > 3e8)
            throw UsageError(unit, "the weights would hold " + num(disc * double(r.study_cells)) +
                                       " pairs; use binary weights without permutations, a larger --cell or a smaller --band");
        const SpatialWeights w = grid_band_weights(grid, b, mask);
        const auto cells = study_area_cells(grid, mask);
        std::vector<double> x(cells.size());
        for (std::size_t k = 0; k < cells.size(); ++k) x[k] = counts[std::size_t(cells[k])];
        const GiStarResult a = gistar(x, w, g, progress);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        res.z.assign(ncell, nan), res.p.assign(ncell, nan), res.p_adjusted.assign(ncell, nan);
        if (!a.p_sim.empty()) res.p_sim.assign(ncell, nan);
        res.bin.assign(ncell, 0), res.neighbour_count.assign(ncell, 0);
        for (std::size_t k = 0; k < cells.size(); ++k) {
            const auto c = std::size_t(cells[k]);
            res.z[c] = a.z[k], res.p[c] = a.p[k], res.p_adjusted[c] = a.p_adjusted[k];
            if (!a.p_sim.empty()) res.p_sim[c] = a.p_sim[k];
            res.bin[c] = a.bin[k], res.neighbour_count[c] = a.neighbour_count[k];
        }
        res.n = a.n, res.mean = a.mean, res.variance = a.variance, res.exact = a.exact;
    }
    if (res.exact)
        r.warnings.push_back("gistar: " + std::string(o.test == GiStarTest::exact ? "" : "sparse counts (mean " + num(res.mean) +
                             " per cell, under 1): ") + "p from the exact binomial test of each local sum, not the normal "
                             "tail of z (--gistar-test normal for spdep's)");
    manifest.add_timing("gistar", seconds_since(t));
    double nsum = 0;
    for (std::size_t k = 0; k < ncell; ++k) {
        if (!mask.empty() && !mask[k]) continue;
        nsum += res.neighbour_count[k];
        ++r.bins[res.bin[k] + 3];
    }
    r.mean_neighbours = nsum / double(std::max<std::size_t>(1, r.study_cells));
    if (res.variance == 0)
        r.warnings.push_back("gistar: every study-area cell has the same count; no z-scores can be computed");
    if (o.permutations > 0 && o.correction != PAdjust::none) {
        // A permutation p cannot go below 2/(R+1); corrected over n cells that floor can keep
        // every cell from the 99% bin however strong it is (BH needs n·floor/k < 0.01).
        const double floor_p = 2.0 / double(o.permutations + 1);
        if (floor_p * double(r.study_cells) > 0.01)
            r.warnings.push_back("gistar: with " + std::to_string(o.permutations) + " permutations no p-value is below " +
                                 num(floor_p) + ", too coarse for " + std::string(to_string(o.correction)) + " over " +
                                 std::to_string(r.study_cells) + " cells (a cell reaches gi_bin 3 only if more than " +
                                 num(std::ceil(floor_p * double(r.study_cells) / 0.01)) +
                                 " cells are at that floor); leave out --permutations for analytic p, or use fewer cells");
    }
    if (r.mean_neighbours < 4)
        r.warnings.push_back("gistar: cells have " + num(r.mean_neighbours) +
                             " neighbours on average (self included); a band this small finds little");

    {
        std::ostringstream m;
        m << "Getis-Ord Gi* (star: each cell its own neighbour; = spdep localG on include.self(), "
          << (o.weights == WeightScheme::binary ? "style B" : "inverse-distance")
          << "; = ArcGIS Hot Spot Analysis) on incident counts in " << num(o.cell_size_m)
          << " m aligned cells, empty study-area cells included (n = " << r.study_cells << "); "
          << (o.weights == WeightScheme::binary ? "binary" : "inverse-distance (1/d, d >= one cell)")
          << " weights within a fixed distance band of " << num(r.band_m) << " m between cell centres; "
          << (o.permutations > 0 ? "conditional permutation pseudo p (" + std::to_string(o.permutations) +
                                       " permutations, seed " + std::to_string(o.seed) + ", folded two-sided)"
                                 : std::string("two-sided normal p of z"))
          << "; correction: " << (o.correction == PAdjust::fdr_bh ? "FDR (Benjamini-Hochberg)"
                                  : o.correction == PAdjust::bonferroni ? "Bonferroni" : "none")
          << "; gi_bin: ArcGIS Gi_Bin, +-3/2/1 at corrected p < 0.01/0.05/0.10";
        r.method = m.str();
    }

    // ---- write the cells
    t = std::chrono::steady_clock::now();
    {
        VectorWriter w(o.out, o.read.working_crs, o.overwrite);
        std::vector<FieldDef> defs = {{"col", FieldType::integer},   {"row", FieldType::integer},
                                      {"count", FieldType::integer}, {"z", FieldType::real},
                                      {"p", FieldType::real}};
        const bool perm = !res.p_sim.empty();
        if (perm) defs.push_back({"p_perm", FieldType::real});
        defs.push_back({"p_corrected", FieldType::real});
        defs.push_back({"gi_bin", FieldType::integer});
        defs.push_back({"neighbours", FieldType::integer});
        const int f_pc = perm ? 6 : 5;
        w.begin_layer("gistar_cells", GeomType::multipolygon, defs, r.method);
        const double c = grid.cell_size_m;
        for (std::int64_t row = 0; row < grid.rows; ++row)
            for (std::int64_t col = 0; col < grid.cols; ++col) {
                const auto k = std::size_t(row * grid.cols + col);
                if (!mask.empty() && !mask[k]) continue;
                if (!o.all_cells && counts[k] == 0 && res.bin[k] == 0) continue;
                w.set_integer(0, col);
                w.set_integer(1, row);
                w.set_integer(2, std::int64_t(counts[k]));
                w.set_real(3, res.z[k]);
                w.set_real(4, res.p[k]);
                if (perm) w.set_real(5, res.p_sim[k]);
                w.set_real(f_pc, res.p_adjusted[k]);
                w.set_integer(f_pc + 1, res.bin[k]);
                w.set_integer(f_pc + 2, res.neighbour_count[k]);
                const double x0 = grid.origin_x + double(col) * c, y1 = grid.origin_y - double(row) * c;
                w.set_multipolygon({Polygon{{Ring{{x0, y1 - c}, {x0 + c, y1 - c}, {x0 + c, y1}, {x0, y1}}}}});
                w.write_feature();
                ++r.written_cells;
            }
        w.add_style("gistar_cells", std::string(style_qml("gistar_cells")),
                    "Gi* hot and cold spots (gi_bin, ArcGIS colours); written by hotspot " + std::string(hotspot::version));
        w.commit();
        r.outputs.push_back(o.out);
    }

    // ---- the z raster and its style
    if (!o.raster.empty()) {
        GeoTiffOptions go;
        go.crs = o.read.working_crs;
        go.overwrite = o.overwrite;
        go.write_qml = false;
        go.band_description = "gistar_z";
        go.metadata = {{"hotspot_version", hotspot::version},
                       {"surface", "Getis-Ord Gi* z-score"},
                       {"method", r.method},
                       {"cell_size_m", num(grid.cell_size_m)},
                       {"band_m", num(r.band_m)},
                       {"band_method", r.band_method},
                       {"weights", scheme_name(o.weights)},
                       {"correction", std::string(to_string(o.correction))},
                       {"permutations", std::to_string(o.permutations)},
                       {"seed", std::to_string(o.seed)},
                       {"incidents", std::to_string(r.counted)},
                       {"study_area", o.study ? o.study->path : "incident extent"}};
        const RasterWriteResult rw = write_geotiff(o.raster, grid, res.z, go);
        for (const auto& m : rw.warnings) r.warnings.push_back("raster: " + m);
        double zmin = 0, zmax = 0;
        for (double z : res.z)
            if (std::isfinite(z)) zmin = std::min(zmin, z), zmax = std::max(zmax, z);
        std::string q = replace_all(std::string(style_qml("gistar_z_template")), "{{MIN}}", num(std::min(zmin, -2.5758)));
        q = replace_all(q, "{{MAX}}", num(std::max(zmax, 2.5758)));
        q = replace_all(q, "{{LABEL}}", "Gi* z-score (band " + num(r.band_m) + " m)");
        write_text_atomic(raster_qml, q, o.overwrite);
        r.outputs.push_back(o.raster);
        r.outputs.push_back(raster_qml);
    }
    manifest.add_timing("write", seconds_since(t));
    manifest.add_timing("total", seconds_since(t0));

    // ---- manifest
    for (const auto& f : inc.source_files) manifest.add_input("incidents", f);
    if (o.study) manifest.add_input("study_area", o.study->path);
    auto& j = manifest.json();
    j["options"] = {{"working_crs", o.read.working_crs},
                    {"cell_size_m", o.cell_size_m},
                    {"band_m", o.band_m ? nlohmann::ordered_json(*o.band_m) : nlohmann::ordered_json(nullptr)},
                    {"weights", scheme_name(o.weights)},
                    {"permutations", o.permutations},
                    {"seed", o.seed},
                    {"correction", std::string(to_string(o.correction))},
                    {"gistar_test", to_string(o.test)},
                    {"p_from", res.exact ? "exact binomial test of the local sum" : "normal tail of z"},
                    {"all_cells", o.all_cells},
                    {"threads", o.threads}};
    j["method"] = {{"statistic", "Getis-Ord Gi* (star)"},
                   {"convention", "spdep localG(x, nb2listw(include.self(dnearneigh(0, band)), style = \"B\")); ArcGIS Hot Spot Analysis"},
                   {"variance", "s^2 divides by n; z = (sum_j w_ij x_j - W_i xbar) / sqrt(s^2 (n S1_i - W_i^2) / (n - 1))"},
                   {"p", o.permutations > 0 ? "conditional permutation, folded two-sided: min(1, 2 min(#ge+1, #le+1) / (R+1))"
                                            : "two-sided standard normal"},
                   {"correction", std::string(to_string(o.correction))},
                   {"gi_bin", "ArcGIS Gi_Bin: +-3 p<0.01, +-2 p<0.05, +-1 p<0.10 on the corrected p"},
                   {"weights", scheme_name(o.weights)},
                   {"band", band_json},
                   {"summary", r.method}};
    j["grid"] = {{"origin_x", grid.origin_x}, {"origin_y", grid.origin_y}, {"cell_size_m", grid.cell_size_m},
                 {"cols", grid.cols},         {"rows", grid.rows},         {"study_cells", r.study_cells},
                 {"nonempty_cells", r.nonempty_cells}, {"mean_neighbours", r.mean_neighbours},
                 {"mean_count", res.mean},    {"variance_count", res.variance}};
    nlohmann::ordered_json counts_j;
    counts_j["rows_in"] = r.rows_in;
    counts_j["kept"] = r.kept;
    counts_j["rejected"] = r.rejected;
    counts_j["counted"] = r.counted;
    counts_j["outside_study"] = r.outside_study;
    counts_j["written_cells"] = r.written_cells;
    for (int b = -3; b <= 3; ++b) counts_j["gi_bin"][std::to_string(b)] = r.bins[b + 3];
    j["counts"] = counts_j;
    j["crs"] = {{"source_crs", read.source_crs}, {"working_crs", o.read.working_crs},
                {"operation", read.crs_operation}, {"accuracy_m", read.crs_accuracy_m}};
    j["warnings"] = r.warnings;
    manifest.add_output("cells", o.out);
    if (!o.raster.empty()) manifest.add_output("z_raster", o.raster);
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    return r;
}

std::string GiStarJobResult::summary() const {
    std::ostringstream s;
    s << "hotspot gistar: " << rows_in << " rows read, " << kept << " kept, " << rejected << " rejected\n";
    s << "  " << counted << " incidents counted in " << study_cells << " study-area cells of " << num(cell_size_m)
      << " m (" << nonempty_cells << " non-empty)";
    if (outside_study) s << "; " << outside_study << " outside the study area";
    s << "\n  band " << num(band_m) << " m (" << band_method << "), " << num(std::round(mean_neighbours * 10) / 10)
      << " neighbours per cell on average\n";
    s << "  gi_bin  -3: " << bins[0] << "  -2: " << bins[1] << "  -1: " << bins[2] << "  0: " << bins[3]
      << "  1: " << bins[4] << "  2: " << bins[5] << "  3: " << bins[6] << "\n";
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot
