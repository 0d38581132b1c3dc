// The Gi* step (steps/gistar_step.hpp): the one place that counts incidents in study cells (with
// the edge rule), chooses the band, runs Gi* and writes the cells layer and the z raster.

#include "hotspot/steps/gistar_step.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "steps/step_rows.hpp"
#include "steps/study_grid.hpp"
#include "hotspot/raster_out.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "hotspot/steps/layer_schema.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "gistar";
using util::nan;

using util::num;

std::string replace_all(std::string s, const std::string& key, const std::string& value) {
    for (std::size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
        s.replace(at, key.size(), value);
    return s;
}

std::string scheme_name(WeightScheme w) { return w == WeightScheme::binary ? "binary" : "inverse-distance"; }

std::string correction_text(PAdjust c) {
    return c == PAdjust::fdr_bh ? "FDR (Benjamini-Hochberg)" : c == PAdjust::bonferroni ? "Bonferroni" : "none";
}

// The cells layer: every field name of it, once.
LayerSchema cells_schema(bool perm) {
    LayerSchema s{{{"col", FieldType::integer}, {"row", FieldType::integer}, {"count", FieldType::integer},
                   {"z", FieldType::real}, {"p", FieldType::real}}};
    if (perm) s.fields.push_back({"p_perm", FieldType::real});
    s.fields.push_back({"p_corrected", FieldType::real});
    s.fields.push_back({"gi_bin", FieldType::integer});
    s.fields.push_back({"neighbours", FieldType::integer});
    return s;
}

// Gi* with weights other than binary analytic: explicit distance-band weights on the study cells.
GiStarResult gistar_weighted(const Grid& grid, const std::vector<double>& counts, const std::vector<std::uint8_t>& mask,
                             const GiStarOptions& g, const GiStarStepOptions& o, std::size_t study_cells,
                             const Progress& progress) {
    DistanceBandOptions b;
    b.band_m = g.band_m;
    b.include_self = true;
    b.scheme = o.weights;
    // Self and cells nearer than one cell weigh as at one cell, so i itself does not dominate its
    // own sum (1/1 m against 1/100 m at a 100 m cell).
    b.min_distance_m = o.cell_size_m;
    const auto half = detail::disc_half_widths(g.band_m, o.cell_size_m);
    double disc = 0;
    for (auto h : half) disc += double(2 * std::max<std::int64_t>(h, -1) + 1);
    if (disc * double(study_cells) > 3e8)
        throw UsageError(unit, "the weights would hold " + num(disc * double(study_cells)) +
                                   " pairs; use binary weights without permutations, a larger --cell or a smaller --band");
    const SpatialWeights w = grid_band_weights(grid, b, mask);
    const auto cells = study_area_cells(grid, mask);
    std::vector<double> x(cells.size());
    for (std::size_t k = 0; k < cells.size(); ++k) x[k] = counts[std::size_t(cells[k])];
    const GiStarResult a = gistar(x, w, g, progress);
    const auto ncell = std::size_t(grid.size());
    GiStarResult res;
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
    return res;
}

// The band: given, or default_grid_band() with its numbers for the manifest.
void choose_band(const GiStarStepOptions& o, const Grid& grid, const std::vector<double>& counts,
                 const std::vector<std::uint8_t>& mask, GiStarStepResult& r) {
    if (o.band_m) {
        r.band_m = *o.band_m;
        r.band_method = "given";
        r.band = {{"band_m", r.band_m}, {"method", "given"}};
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
        r.band = {{"band_m", r.band_m},
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
}

std::string method_line(const GiStarStepOptions& o, const GiStarStepResult& r) {
    std::ostringstream m;
    m << "Getis-Ord Gi* (star: each cell its own neighbour; = spdep localG on include.self(), "
      << (o.weights == WeightScheme::binary ? "style B" : "inverse-distance")
      << "; = ArcGIS Hot Spot Analysis) on incident counts in " << num(o.cell_size_m)
      << " m aligned cells, empty study-area cells included (n = " << r.study_cells << "); "
      << (o.weights == WeightScheme::binary ? "binary" : "inverse-distance (1/d, d >= one cell)")
      << " weights within a fixed distance band of " << num(r.band_m) << " m between cell centres; "
      << (o.perm.permutations > 0 ? "conditional permutation pseudo p (" + std::to_string(o.perm.permutations) +
                                   " permutations, seed " + std::to_string(o.perm.seed) + ", folded two-sided)"
                             : std::string("two-sided normal p of z"))
      << "; correction: " << correction_text(o.perm.correction)
      << "; gi_bin: ArcGIS Gi_Bin, +-3/2/1 at corrected p < 0.01/0.05/0.10";
    return m.str();
}

void add_warnings(const GiStarStepOptions& o, const GiStarResult& res, GiStarStepResult& r) {
    if (res.exact)
        r.warnings.push_back("gistar: " + std::string(o.test == GiStarTest::exact ? "" : "sparse counts (mean " + [&] { std::ostringstream m; m.precision(2); m << res.mean; return m.str(); }() +
                             " per cell, under 1): ") + "p from the exact binomial test of each local sum, not the normal "
                             "tail of z (--gistar-test normal for spdep's)");
    if (res.variance == 0)
        r.warnings.push_back("gistar: every study-area cell has the same count; no z-scores can be computed");
    if (o.perm.permutations > 0 && o.perm.correction != PAdjust::none) {
        // A permutation p cannot go below 2/(R+1); corrected over n cells that floor can keep
        // every cell from the 99% bin however strong it is (BH needs n·floor/k < 0.01).
        const double floor_p = 2.0 / double(o.perm.permutations + 1);
        if (floor_p * double(r.study_cells) > 0.01)
            r.warnings.push_back("gistar: with " + std::to_string(o.perm.permutations) + " permutations no p-value is below " +
                                 num(floor_p) + ", too coarse for " + std::string(to_string(o.perm.correction)) + " over " +
                                 std::to_string(r.study_cells) + " cells (a cell reaches gi_bin 3 only if more than " +
                                 num(std::ceil(floor_p * double(r.study_cells) / 0.01)) +
                                 " cells are at that floor); leave out --permutations for analytic p, or use fewer cells");
    }
    if (r.mean_neighbours < 4)
        r.warnings.push_back("gistar: cells have " + num(r.mean_neighbours) +
                             " neighbours on average (self included); a band this small finds little");
}

void write_cells(const GiStarStepOptions& o, const GiStarStepOutput& out, const std::vector<double>& counts,
                 const std::vector<std::uint8_t>& mask, const GiStarResult& res, GiStarStepResult& r) {
    const Grid& grid = r.grid;
    const bool perm = !res.p_sim.empty();
    const LayerSchema s = cells_schema(perm);
    VectorWriter& w = *out.writer;
    w.begin_layer(out.layer, GeomType::multipolygon, s.fields, r.method);
    const int f_col = s.at("col"), f_row = s.at("row"), f_count = s.at("count"), f_z = s.at("z"), f_p = s.at("p"),
              f_perm = s.find("p_perm"), f_pc = s.at("p_corrected"), f_bin = s.at("gi_bin"), f_nb = s.at("neighbours");
    const double c = grid.cell_size_m;
    // Publish mode (disclosure.hpp): only cells resting on at least the threshold's incidents,
    // with their count and nothing else (z is linear in the neighbours' hidden counts); none at
    // all when the hidden cells' sum (the total less the published) would pin them (0, or every
    // hidden cell at threshold - 1).
    const bool publish = out.publish_min_count > 0;
    bool publish_none = false;
    if (publish) {
        double hidden_sum = 0, hidden_cells = 0;
        for (std::size_t k = 0; k < counts.size(); ++k)
            if ((mask.empty() || mask[k]) && counts[k] < double(out.publish_min_count)) hidden_sum += counts[k], ++hidden_cells;
        publish_none = hidden_cells > 0 && (hidden_sum == 0 || hidden_sum == hidden_cells * double(out.publish_min_count - 1));
    }
    for (std::int64_t row = 0; row < grid.rows; ++row)
        for (std::int64_t col = 0; col < grid.cols; ++col) {
            const auto k = std::size_t(row * grid.cols + col);
            if (!mask.empty() && !mask[k]) continue;
            if (publish && (publish_none || counts[k] < double(out.publish_min_count))) continue;
            if (!o.all_cells && counts[k] == 0 && res.bin[k] == 0) continue;
            w.set_integer(f_col, col);
            w.set_integer(f_row, row);
            if (counts[k] >= double(out.publish_min_count)) w.set_integer(f_count, std::int64_t(counts[k]));
            if (publish) {  // the count only
                w.set_integer(f_nb, res.neighbour_count[k]);
                const double x0 = grid.origin_x + double(col) * c, y1 = grid.origin_y - double(row) * c;
                w.set_multipolygon({Polygon{{Ring{{x0, y1 - c}, {x0 + c, y1 - c}, {x0 + c, y1}, {x0, y1}}}}});
                w.write_feature();
                ++r.written_cells;
                continue;
            }
            w.set_real(f_z, res.z[k]);
            w.set_real(f_p, res.p[k]);
            if (perm) w.set_real(f_perm, res.p_sim[k]);
            w.set_real(f_pc, res.p_adjusted[k]);
            w.set_integer(f_bin, res.bin[k]);
            w.set_integer(f_nb, res.neighbour_count[k]);
            const double x0 = grid.origin_x + double(col) * c, y1 = grid.origin_y - double(row) * c;
            w.set_multipolygon({Polygon{{Ring{{x0, y1 - c}, {x0 + c, y1 - c}, {x0 + c, y1}, {x0, y1}}}}});
            w.write_feature();
            ++r.written_cells;
        }
    w.add_style(out.layer, std::string(style_qml("gistar_cells")),
                "Gi* hot and cold spots (gi_bin, ArcGIS colours); written by hotspot " + std::string(hotspot::version));
}

void write_z_raster(const GiStarStepOptions& o, const GiStarStepOutput& out, const GiStarResult& res, GiStarStepResult& r) {
    GeoTiffOptions go;
    go.crs = out.crs;
    go.threads = out.tiff_threads ? out.tiff_threads : o.perm.threads;
    go.overwrite = out.overwrite;
    go.write_qml = false;
    go.band_description = out.band_description;
    // every tag key of the z raster, once
    go.metadata = {{"hotspot_version", hotspot::version},
                   {"surface", "Getis-Ord Gi* z-score"},
                   {"profile", out.profile},
                   {"method", r.method},
                   {"cell_size_m", num(r.grid.cell_size_m)},
                   {"band_m", num(r.band_m)},
                   {"band_method", r.band_method},
                   {"weights", scheme_name(o.weights)},
                   {"correction", std::string(to_string(o.perm.correction))},
                   {"permutations", std::to_string(o.perm.permutations)},
                   {"seed", std::to_string(o.perm.seed)},
                   {"incidents", std::to_string(r.counted)},
                   {"study_area", out.study_area}};
    // publish mode: no z at all (disclosure.hpp: z is linear in the hidden counts)
    const std::vector<double> none(out.publish_min_count > 0 ? res.z.size() : 0, std::nan(""));
    if (out.publish_min_count > 0) go.metadata.push_back({"publish", "z withheld: publish mode (README, disclosure control)"});
    const RasterWriteResult rw = write_geotiff(out.raster, r.grid, out.publish_min_count > 0 ? none : res.z, go);
    for (const auto& m : rw.warnings) r.warnings.push_back("raster: " + m);
    double zmin = 0, zmax = 0;
    for (double z : res.z)
        if (std::isfinite(z)) zmin = std::min(zmin, z), zmax = std::max(zmax, z);
    std::string q = replace_all(std::string(style_qml("gistar_z_template")), "{{MIN}}", num(std::min(zmin, -2.5758)));
    q = replace_all(q, "{{MAX}}", num(std::max(zmax, 2.5758)));
    q = replace_all(q, "{{LABEL}}", "Gi* z-score (band " + num(r.band_m) + " m)");
    const std::string qml = fs::path(out.raster).replace_extension(".qml").string();
    write_text_atomic(qml, q, out.overwrite);
    r.files.push_back(out.raster);
    r.files.push_back(qml);
}

} // namespace

WeightScheme parse_weight_scheme(const std::string& name) {
    if (name == "binary") return WeightScheme::binary;
    if (name == "inverse-distance" || name == "inverse_distance") return WeightScheme::inverse_distance;
    throw UsageError(unit, "unknown --weights '" + name + "'; use binary or inverse-distance");
}

void GiStarStepOptions::validate() const {
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
    perm.validate(unit);
}

GiStarManifestNode GiStarManifestNode::from_json(const nlohmann::ordered_json& node) {
    GiStarManifestNode n;
    n.cell_m = json_value_or(node, "cell_m", double(NAN));
    n.band_m = json_value_or(node, "band_m", double(NAN));
    n.hot_cells_99 = json_value_or(node, "hot_cells_99", double(NAN));
    n.weights = json_value_or(node, "weights", std::string());
    n.correction = json_value_or(node, "correction", std::string());
    return n;
}

nlohmann::ordered_json GiStarStepOptions::to_json() const {
    nlohmann::ordered_json j = {{"cell_size_m", cell_size_m},
                                {"band_m", band_m ? nlohmann::ordered_json(*band_m) : nlohmann::ordered_json(nullptr)},
                                {"weights", scheme_name(weights)}};
    perm.add_to_json(j);
    j["gistar_test"] = to_string(test);
    j["all_cells"] = all_cells;
    return j;
}

GiStarStepResult run_gistar_step(const GiStarStepInput& in, const GiStarStepOptions& o, const GiStarStepOutput& out,
                                 const Progress& progress) {
    o.validate();
    const detail::StepRows step_rows(in.incidents, in.rows, unit, out.writer);
    const IncidentTable& inc = step_rows.inc;
    const std::vector<std::uint32_t>& rows = step_rows.rows;
    GiStarStepResult r;

    // ---- the grid and the study cells (study_grid.hpp: the edge rule)
    detail::StudyGrid sg(inc, rows, in.study, in.study_index, in.masks, o.cell_size_m, o.max_cells, unit);
    const Grid& grid = r.grid = sg.grid;
    const auto ncell = std::size_t(grid.size());
    std::vector<double> counts(ncell, 0.0);
    for (auto i : rows) {
        const std::int64_t k = sg.place(inc.x[i], inc.y[i]);
        if (k < 0) {
            ++r.outside_study;
            continue;
        }
        counts[std::size_t(k)] += 1;
        ++r.counted;
    }
    const std::vector<std::uint8_t>& mask = sg.mask;
    for (std::size_t k = 0; k < ncell; ++k) {
        if (!mask.empty() && !mask[k]) continue;
        ++r.study_cells;
        if (counts[k] > 0) ++r.nonempty_cells;
    }

    if (!in.study_name.empty())
        if (auto line = report_outside(unit, "the study area", in.study_name, in.study_path, rows.size(), r.outside_study);
            !line.empty())
            r.warnings.push_back(line);

    // ---- band and Gi*
    choose_band(o, grid, counts, mask, r);
    GiStarOptions g;
    g.band_m = r.band_m;
    o.perm.apply_to(g);
    g.test = o.test;
    const GiStarResult res = o.weights == WeightScheme::binary && o.perm.permutations == 0
                                 ? gistar_grid(grid, counts, g, mask, progress)
                                 : gistar_weighted(grid, counts, mask, g, o, r.study_cells, progress);
    double nsum = 0;
    for (std::size_t k = 0; k < ncell; ++k) {
        if (!mask.empty() && !mask[k]) continue;
        nsum += res.neighbour_count[k];
        ++r.bins[res.bin[k] + 3];
    }
    r.mean_neighbours = nsum / double(std::max<std::size_t>(1, r.study_cells));
    r.mean_count = res.mean, r.variance_count = res.variance, r.exact = res.exact;
    add_warnings(o, res, r);
    r.method = method_line(o, r);

    // ---- write
    write_cells(o, out, counts, mask, res, r);
    if (!out.raster.empty()) write_z_raster(o, out, res, r);

    nlohmann::ordered_json bins;
    for (int b = -3; b <= 3; ++b) bins[std::to_string(b)] = r.bins[b + 3];
    r.manifest = {{"layer", out.layer},
                  {"z_file", out.raster.empty() ? std::string() : fs::path(out.raster).filename().string()},
                  {"options", o.to_json()},
                  {"p_from", res.exact ? "exact binomial test of the local sum" : "normal tail of z"},
                  {"band", r.band},
                  {"grid", {{"origin_x", grid.origin_x}, {"origin_y", grid.origin_y}, {"cell_size_m", grid.cell_size_m},
                            {"cols", grid.cols}, {"rows", grid.rows}, {"study_cells", r.study_cells},
                            {"nonempty_cells", r.nonempty_cells}, {"mean_neighbours", r.mean_neighbours},
                            {"mean_count", res.mean}, {"variance_count", res.variance}}},
                  {"counted", r.counted},
                  {"outside_study", r.outside_study},
                  {"written_cells", r.written_cells},
                  {"gi_bin", bins},
                  {"method", r.method},
                  {"warnings", r.warnings}};
    if (out.publish_min_count > 0) {  // publish mode: nothing that sums over the hidden cells' squares or ones
        r.manifest["grid"]["nonempty_cells"] = nullptr;
        r.manifest["grid"]["variance_count"] = nullptr;
        r.manifest["publish"] = "cells with at least " + std::to_string(out.publish_min_count) +
                                " incidents only, with their count; z, p and gi_bin withheld (README, disclosure control)";
    }
    return r;
}

} // namespace hotspot
