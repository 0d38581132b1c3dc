// The density step (steps/kde_step.hpp): the one place that turns a bandwidth into a kernel
// radius, builds the kde grid and its study mask, and writes the density GeoTIFF and its tags.

#include "hotspot/steps/kde_step.hpp"
#include "hotspot/steps/kde_tags.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string_view>
#include <unistd.h>

#include "diverging_qml.hpp"
#include "hotspot/change_surface.hpp"
#include "hotspot/steps/change_step.hpp"
#include "hotspot/disclosure.hpp"
#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "steps/step_rows.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/postcode.hpp"
#include "hotspot/raster_out.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/version.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "kde";

/// YYYY-MM-DD of a day count since 1970-01-01.
std::string iso_date(std::int32_t days) {
    const std::chrono::year_month_day d{std::chrono::sys_days{std::chrono::days{days}}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()), unsigned(d.day()));
    return buf;
}

/// The legend text of a surface in `units`.
std::string legend_label(KdeUnits units) {
    switch (units) {
    case KdeUnits::per_km2: return "incidents per km²";
    case KdeUnits::per_m2: return "incidents per m²";
    case KdeUnits::raw: return "kernel sum";
    case KdeUnits::relative: return "relative density (0-1)";
    }
    return "";
}

/// The numeric values of `field` for `rows`. @throws UsageError (no such field), InputError
/// naming the file, line and field of the first value that is not a finite number >= 0.
std::vector<double> incident_weights(const IncidentTable& inc, const std::vector<std::uint32_t>& rows,
                                     const std::string& field) {
    const auto it = std::find(inc.field_names.begin(), inc.field_names.end(), field);
    if (it == inc.field_names.end())
        throw UsageError(unit, "--weight " + field + ": the incidents have no such field");
    const auto col = std::size_t(it - inc.field_names.begin());
    std::vector<double> w(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const std::size_t i = rows[k];
        const std::string text(inc.fields[col][i]);
        try {
            std::size_t used = 0;
            w[k] = std::stod(text, &used);
            if (used != text.size() || !std::isfinite(w[k]) || w[k] < 0) throw std::invalid_argument(text);
        } catch (const std::logic_error&) {
            throw InputError(unit, inc.source_files[inc.source_file[i]], inc.source_line[i], field,
                             "'" + text + "' is not a weight (a number >= 0); correct it or leave out --weight");
        }
    }
    return w;
}

/// The units of a surface for the legend's class labels ("per km²"); empty for unitless ones.
std::string legend_units(KdeUnits units) {
    switch (units) {
    case KdeUnits::per_km2: return "per km²";
    case KdeUnits::per_m2: return "per m²";
    case KdeUnits::raw:
    case KdeUnits::relative: break;
    }
    return "";
}

/// "Jul – Dec 2025", "Nov 2024 – Oct 2025": the months of the first and last dated incident.
std::string period_months(const IncidentTable& inc, const std::vector<std::uint32_t>& rows) {
    static const char* const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::int32_t first = no_date, last = no_date;
    for (auto r : rows)
        if (const std::int32_t d = inc.date_days[r]; d != no_date) {
            first = first == no_date ? d : std::min(first, d);
            last = last == no_date ? d : std::max(last, d);
        }
    if (first == no_date) return "";
    const std::chrono::year_month_day a{std::chrono::sys_days{std::chrono::days{first}}};
    const std::chrono::year_month_day b{std::chrono::sys_days{std::chrono::days{last}}};
    const auto month = [&](const std::chrono::year_month_day& d) { return std::string(names[unsigned(d.month()) - 1]); };
    const std::string ya = std::to_string(int(a.year())), yb = std::to_string(int(b.year()));
    if (a.year() == b.year() && a.month() == b.month()) return month(a) + " " + ya;
    if (a.year() == b.year()) return month(a) + " – " + month(b) + " " + ya;
    return month(a) + " " + ya + " – " + month(b) + " " + yb;
}

std::string period_of(const IncidentTable& inc, const std::vector<std::uint32_t>& rows) {
    std::int32_t first = no_date, last = no_date;
    for (auto r : rows)
        if (const std::int32_t d = inc.date_days[r]; d != no_date) {
            first = first == no_date ? d : std::min(first, d);
            last = last == no_date ? d : std::max(last, d);
        }
    return first == no_date ? "unknown" : iso_date(first) + "/" + iso_date(last);
}

nlohmann::ordered_json heat_json(const HeatClasses& h) {
    nlohmann::ordered_json classes = nlohmann::ordered_json::array();
    for (const auto& c : h.classes)
        classes.push_back({{"lower", c.lower}, {"upper", c.upper}, {"area_share", c.area_share},
                           {"incident_share", c.incident_share}, {"area_share_above", c.area_share_above},
                           {"incident_share_above", c.incident_share_above}, {"label", c.label}});
    return {{"method", "share of the study area (densest first); unshaded where fewer than min_incidents "
                       "incidents lie within the support radius"},
            {"min_incidents", h.min_incidents}, {"floor", h.floor}, {"title", h.title},
            {"floor_label", h.floor_label}, {"classes", classes}};
}

bool is_tiled(const std::string& path) { return lower_extension(path) == ".vrt"; }

} // namespace

void check_tiled_output(const KdeStepOptions& o, const KdeStepOutput& out) {
    if (!is_tiled(out.path)) return;
    const char* refused = !out.change_path.empty()         ? "a change surface (--change-out)"
                          : out.png                        ? "the PNG quick-look (--png)"
                          : o.edge == EdgeCorrection::diggle ? "the Diggle edge correction"
                          : o.compat != KdeCompat::none    ? "a --compat mode"
                          : o.units == KdeUnits::relative  ? "--units relative (each cell over the whole surface's maximum)"
                                                           : nullptr;
    if (refused)
        throw UsageError(unit, std::string("a surface written in tiles (") + out.path + ") cannot have " + refused +
                                   "; write a GeoTIFF (.tif) for it, over a smaller extent if need be");
    if (out.tile_cells < 256 || out.tile_cells > 16384)
        throw UsageError(unit, "--tile-cells must lie between 256 and 16384 cells (got " + std::to_string(out.tile_cells) + ")");
}

namespace {

/// What the tiled density needs: the whole grid and the tile side, the incidents (x, y, the
/// weights or empty), the kernel as resolved, its radius, the study area (nullptr: none),
/// publish mode's threshold (0: off) and the heat classes' options.
struct TiledDensity {
    const Grid& whole;
    int tile_cells;
    const std::vector<double>& x;
    const std::vector<double>& y;
    const std::vector<double>& weights;
    const KdeOptions& kde;
    double radius_m;
    const std::vector<MultiPolygon>* study;
    int publish_min_count;
    const HeatClassOptions& heat;
};

struct TiledSurface {
    std::vector<std::string> tiles;    ///< written, north-west first, row by row
    std::size_t of = 0;                ///< tiles of the whole grid, written or not
    std::string folder;                ///< the tiles' folder, relative to the VRT's
    std::size_t zeroed = 0;            ///< publish mode: cells set to 0
    HeatClasses heat;                  ///< the whole surface's
};

/// Whether `name` is a tile's ("r000_c000.tif"): the only files the tiles' folder may hold.
bool is_tile_name(std::string_view name) {
    const auto digits = [&](std::size_t& at) {
        const std::size_t from = at;
        while (at < name.size() && name[at] >= '0' && name[at] <= '9') ++at;
        return at - from >= 3;
    };
    std::size_t at = 1;
    return name.starts_with('r') && digits(at) && name.substr(at, 2) == "_c" && digits(at += 2) &&
           name.substr(at) == ".tif";
}

/// Each tile's density (kernel_density() on the tile's piece of the whole grid, from the
/// incidents whose kernel may reach it, in their order: the same sums as the untiled surface),
/// its study mask and publish mask, written as a COG; what the heat classes need gathered on
/// the way, so the classes are the whole surface's. The tiles are written in a temporary folder
/// that replaces `<stem>_tiles` only once every tile is written (a failure leaves the earlier
/// surface's tiles as they were, and the temporary is removed).
TiledSurface write_tiled_surface(const std::string& vrt_path, const TiledDensity& in, const GeoTiffOptions& g,
                                 const Progress& progress, std::vector<std::string>& warnings) {
    TiledSurface res;
    const fs::path vrt(vrt_path);
    res.folder = vrt.stem().string() + "_tiles";
    const fs::path folder = vrt.parent_path() / res.folder;
    std::error_code ec;
    if (fs::exists(folder, ec)) {
        // an earlier surface's tiles: replaced with --overwrite, and only if the folder holds
        // nothing else (it is removed whole)
        if (!fs::is_directory(folder, ec))
            throw OutputError(unit, folder.string(), "exists and is not a folder; remove it or choose another --out");
        if (!g.overwrite)
            throw OutputError(unit, folder.string(), "holds the tiles of an earlier surface; use --overwrite to replace them");
        for (const auto& e : fs::directory_iterator(folder, ec))
            if (!e.is_regular_file() || !is_tile_name(e.path().filename().string()))
                throw OutputError(unit, e.path().string(), "is not a tile hotspot wrote, in the folder of the tiles it would "
                                                           "replace; move it away or choose another --out");
    }
    const fs::path staging = vrt.parent_path() / ("." + res.folder + ".tmp" + std::to_string(::getpid()));
    fs::remove_all(staging, ec);
    if (!fs::create_directories(staging, ec) || ec)
        throw OutputError(unit, staging.string(), "cannot create the tiles' folder (" + ec.message() +
                                                      "); check the folder is writable");
    register_temporary(staging.string());
    struct Cleanup {
        const fs::path& p;
        bool armed = true;
        ~Cleanup() {
            if (!armed) return;
            std::error_code e;
            fs::remove_all(p, e);
            release_temporary(p.string());
        }
    } cleanup{staging};

    const Grid& whole = in.whole;
    const std::int64_t side = in.tile_cells;
    const std::int64_t tile_cols = (whole.cols + side - 1) / side, tile_rows = (whole.rows + side - 1) / side;
    res.of = std::size_t(tile_cols * tile_rows);
    const double c = whole.cell_size_m, margin = in.radius_m + 2 * c, span = double(side) * c;
    const auto tile_index = [&](std::int64_t tr, std::int64_t tc) { return std::size_t(tr * tile_cols + tc); };
    // Once, in incident order: the tiles each incident's kernel may reach (its box grown by the
    // margin), and the tile holding each incident's cell (heat_classes()'s rule) for the shares.
    const std::size_t n = in.x.size();
    std::vector<std::vector<std::uint32_t>> reaching(res.of), holding(res.of);
    for (std::size_t i = 0; i < n; ++i) {
        const auto tile_of = [&](double v, double origin, double sign, std::int64_t count) {
            return std::clamp<std::int64_t>(std::int64_t(std::floor(sign * (v - origin) / span)), -1, count);
        };
        const std::int64_t c0 = std::max<std::int64_t>(0, tile_of(in.x[i] - margin, whole.origin_x, 1, tile_cols));
        const std::int64_t c1 = std::min(tile_cols - 1, tile_of(in.x[i] + margin, whole.origin_x, 1, tile_cols));
        const std::int64_t r0 = std::max<std::int64_t>(0, tile_of(in.y[i] + margin, whole.origin_y, -1, tile_rows));
        const std::int64_t r1 = std::min(tile_rows - 1, tile_of(in.y[i] - margin, whole.origin_y, -1, tile_rows));
        for (std::int64_t tr = r0; tr <= r1; ++tr)
            for (std::int64_t tc = c0; tc <= c1; ++tc) reaching[tile_index(tr, tc)].push_back(std::uint32_t(i));
        const std::int64_t col = whole.col_of(in.x[i]), row = whole.row_of(in.y[i]);
        if (whole.in_grid(col, row)) holding[tile_index(row / side, col / side)].push_back(std::uint32_t(i));
    }
    // the study areas' bounds, so each tile's mask rasterizes only the areas that meet it
    std::vector<Bounds> area_bounds;
    if (in.study)
        for (const auto& mp : *in.study) area_bounds.push_back(bounds_of(mp));
    // the classes' values: every study-area cell's, the zeros counted, the others 8 bytes each
    StudyValues inside;
    std::vector<double> at_incidents;
    at_incidents.reserve(n);
    double floor_from_count = 0;
    const bool counted = n > 0 && in.heat.min_incidents > 1;
    GeoTiffOptions tg = g;
    tg.write_qml = tg.write_png = false;
    tg.heat = nullptr;
    tg.overwrite = false;  // a fresh folder
    char name[32];
    for (std::int64_t tr = 0; tr < tile_rows; ++tr)
        for (std::int64_t tc = 0; tc < tile_cols; ++tc) {
            if (!progress(double(tile_index(tr, tc)) / double(res.of), "kde tiles")) throw Cancelled("kde");
            Grid tile = whole;
            tile.origin_x = whole.origin_x + double(tc * side) * c;
            tile.origin_y = whole.origin_y - double(tr * side) * c;
            tile.cols = std::min(side, whole.cols - tc * side);
            tile.rows = std::min(side, whole.rows - tr * side);
            std::vector<std::uint8_t> mask;
            if (in.study) {
                const Bounds b = tile.bounds();
                std::vector<MultiPolygon> meeting;
                for (std::size_t a = 0; a < area_bounds.size(); ++a)
                    if (!area_bounds[a].empty() && area_bounds[a].xmin <= b.xmax && area_bounds[a].xmax >= b.xmin &&
                        area_bounds[a].ymin <= b.ymax && area_bounds[a].ymax >= b.ymin)
                        meeting.push_back((*in.study)[a]);
                if (meeting.empty()) continue;
                mask = rasterize_areas(tile, meeting);
                if (std::find(mask.begin(), mask.end(), std::uint8_t(1)) == mask.end()) continue;  // no study cell
            }
            const auto& near = reaching[tile_index(tr, tc)];
            std::vector<double> tx(near.size()), ty(near.size()), tw;
            for (std::size_t k = 0; k < near.size(); ++k) tx[k] = in.x[near[k]], ty[k] = in.y[near[k]];
            if (!in.weights.empty()) {
                tw.resize(near.size());
                for (std::size_t k = 0; k < near.size(); ++k) tw[k] = in.weights[near[k]];
            }
            KdeResult d = kernel_density(tx, ty, tw, tile, in.kde, mask);
            if (in.publish_min_count > 0) res.zeroed += mask_density(d.values, tile, tx, ty, in.radius_m, in.publish_min_count);
            for (double v : d.values)
                if (std::isfinite(v)) inside.add(v);
            if (counted)
                floor_from_count = std::max(floor_from_count, densest_reached_by_fewer(tile, d.values, tx, ty, in.radius_m,
                                                                                       in.heat.min_incidents));
            for (const std::uint32_t i : holding[tile_index(tr, tc)]) {
                const std::int64_t col = whole.col_of(in.x[i]) - tc * side, row = whole.row_of(in.y[i]) - tr * side;
                at_incidents.push_back(d.values[std::size_t(row * tile.cols + col)]);
            }
            std::snprintf(name, sizeof name, "r%03d_c%03d.tif", int(tr), int(tc));
            const RasterWriteResult w = write_geotiff((staging / name).string(), tile, d.values, tg);
            for (const auto& m : w.warnings) warnings.push_back("raster: " + m);
            res.tiles.push_back((folder / name).string());
        }
    if (res.tiles.empty())
        throw InputError(unit, vrt_path, "no cell of the grid lies in the study area; check the study layer and --extent");
    res.heat = heat_classes_of(std::move(inside), floor_from_count, at_incidents, n, in.radius_m, in.heat);
    // every tile written: the earlier surface's mosaic and tiles go, the new tiles take their place
    fs::remove(vrt, ec);
    fs::remove_all(folder, ec);
    fs::rename(staging, folder, ec);
    if (ec) throw OutputError(unit, folder.string(), "cannot move the finished tiles into place (" + ec.message() +
                                                         "); check the folder's permissions");
    cleanup.armed = false;
    release_temporary(staging.string());
    return res;
}

} // namespace

std::string_view bandwidth_method_key(BandwidthMethod m) noexcept {
    switch (m) {
    case BandwidthMethod::scott: return "scott";
    case BandwidthMethod::silverman: return "silverman";
    case BandwidthMethod::arcgis: return "arcgis";
    case BandwidthMethod::ppl: return "ppl";
    case BandwidthMethod::fixed: break;
    }
    return "fixed";
}

BandwidthSpec BandwidthSpec::parse(std::string_view text, std::string_view who) {
    BandwidthSpec s;
    if (text == "auto") {
        s.rule = BandwidthMethod::ppl;
        return s;
    }
    if (text.starts_with("auto:")) {
        // The engine's rule names and its message ("bandwidth: unknown method ..."), once.
        s.rule = parse_bandwidth_method(text.substr(5));
        return s;
    }
    const std::string t(text);
    try {
        std::size_t used = 0;
        s.fixed_m = std::stod(t, &used);
        if (used != t.size()) throw std::invalid_argument(t);
    } catch (const std::logic_error&) {
        throw UsageError(std::string(who), "--bandwidth '" + t + "' is neither metres nor auto:<method> (scott, "
                                                                  "silverman, arcgis, ppl)");
    }
    if (!std::isfinite(s.fixed_m) || s.fixed_m <= 0)
        throw UsageError(std::string(who), "bandwidth must be > 0 m (got " + t + ")");
    return s;
}

std::string BandwidthSpec::text() const {
    return rule ? "auto:" + std::string(bandwidth_method_key(*rule)) : util::num(fixed_m);
}

void KdeStepOptions::validate() const {
    if (bandwidth.empty()) throw UsageError(unit, "give a bandwidth: metres, or auto:<rule>");
    if (!bandwidth.rule && !(std::isfinite(bandwidth.fixed_m) && bandwidth.fixed_m > 0))
        throw UsageError(unit, "bandwidth must be > 0 m (got " + util::num(bandwidth.fixed_m) + ")");
    if (!std::isfinite(cell_size_m) || cell_size_m < 0)
        throw UsageError(unit, "cell size must be > 0 m, or 0 for the default (got " + util::num(cell_size_m) + ")");
    KdeOptions k;
    k.kernel = kernel;
    k.bandwidth_m = bandwidth.rule ? 1 : bandwidth.fixed_m;
    k.cell_size_m = cell_size_m;
    k.units = units;
    k.compat = compat;
    k.edge = edge;
    k.validate();  // the kernel/units/compat contradictions
    heat.validate();
    if (extent) {
        const Bounds& e = *extent;
        if (!(std::isfinite(e.xmin) && std::isfinite(e.ymin) && std::isfinite(e.xmax) && std::isfinite(e.ymax) &&
              e.xmin < e.xmax && e.ymin < e.ymax))
            throw UsageError(unit, "--extent must be xmin,ymin,xmax,ymax in metres with xmin < xmax and ymin < ymax");
        if (cell_size_m <= 0)
            throw UsageError(unit, "--extent needs a fixed --cell (the default cell depends on the extent, so tiles "
                                   "would not share one grid)");
        if (compat != KdeCompat::none)
            throw UsageError(unit, "--extent works with --compat none only (the other tools' grids have their own origin)");
    }
}

Grid extent_grid(const Bounds& e, double c, std::int64_t max_cells) {
    Grid g = Grid::aligned(e, c, max_cells);  // the checks (cell, empty, cell limit) and the origin
    g.cols = std::max<std::int64_t>(1, std::int64_t(std::ceil(e.xmax / c)) - std::int64_t(std::floor(e.xmin / c)));
    g.rows = std::max<std::int64_t>(1, std::int64_t(std::ceil(e.ymax / c)) - std::int64_t(std::floor(e.ymin / c)));
    return g;
}

Bounds parse_extent(std::string_view text, std::string_view who) {
    double v[4];
    std::size_t start = 0;
    for (int i = 0; i < 4; ++i) {
        const std::size_t comma = i < 3 ? text.find(',', start) : text.size();
        const std::string part(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        std::size_t used = 0;
        bool ok = comma != std::string_view::npos && !part.empty();
        if (ok) try {
                v[i] = std::stod(part, &used);
                ok = used == part.size() && std::isfinite(v[i]);
            } catch (const std::logic_error&) {
                ok = false;
            }
        if (!ok || (i == 3 && comma != text.size()))
            throw UsageError(std::string(who), "--extent '" + std::string(text) +
                                                   "' is not xmin,ymin,xmax,ymax (four numbers in metres)");
        start = comma + 1;
    }
    return Bounds{v[0], v[1], v[2], v[3]};
}

nlohmann::ordered_json KdeManifestNode::to_json() const {
    nlohmann::ordered_json j = {
        {"file", file},
        {"options", options},
        {"kernel", kernel},
        {"bandwidth_m", bandwidth_m},
        {"bandwidth_method", bandwidth_method},
        {"support_radius_m", support_radius_m},
        {"cell_size_m", cell_size_m},
        {"units", units},
        {"grid", {{"origin_x", grid.origin_x}, {"origin_y", grid.origin_y}, {"cols", grid.cols}, {"rows", grid.rows}}},
        {"incidents", incidents},
        {"distinct_points", distinct_points},
        {"class_breaks", class_breaks},
        {"heat_classes", heat_classes},
        {"change_file", change_file}};
    if (!publish.is_null()) j["publish"] = publish;
    j["warnings"] = warnings;
    if (std::isfinite(postcode_centroid_share)) j["postcode_centroid_share"] = postcode_centroid_share;
    if (!change_surface.is_null()) j["change_surface"] = change_surface;
    if (!tiles.is_null()) j["tiles"] = tiles;
    return j;
}

KdeManifestNode KdeManifestNode::from_json(const nlohmann::ordered_json& node) {
    KdeManifestNode n;
    n.file = json_value_or(node, "file", std::string());
    n.options = json_value_or(node, "options", nlohmann::ordered_json());
    n.kernel = json_value_or(node, "kernel", std::string());
    n.bandwidth_m = json_value_or(node, "bandwidth_m", double(NAN));
    n.bandwidth_method = json_value_or(node, "bandwidth_method", std::string());
    n.support_radius_m = json_value_or(node, "support_radius_m", double(NAN));
    n.cell_size_m = json_value_or(node, "cell_size_m", double(NAN));
    n.units = json_value_or(node, "units", std::string());
    const nlohmann::ordered_json g = json_value_or(node, "grid", nlohmann::ordered_json::object());
    n.grid.origin_x = json_value_or(g, "origin_x", 0.0);
    n.grid.origin_y = json_value_or(g, "origin_y", 0.0);
    n.grid.cols = json_value_or(g, "cols", std::int64_t(0));
    n.grid.rows = json_value_or(g, "rows", std::int64_t(0));
    if (std::isfinite(n.cell_size_m)) n.grid.cell_size_m = n.cell_size_m;
    n.incidents = json_value_or(node, "incidents", std::uint64_t(0));
    n.distinct_points = json_value_or(node, "distinct_points", std::uint64_t(0));
    n.class_breaks = json_value_or(node, "class_breaks", std::vector<double>());
    n.heat_classes = json_value_or(node, "heat_classes", nlohmann::ordered_json());
    n.change_file = json_value_or(node, "change_file", std::string());
    n.publish = json_value_or(node, "publish", nlohmann::ordered_json());
    n.warnings = json_value_or(node, "warnings", std::vector<std::string>());
    n.change_surface = json_value_or(node, "change_surface", nlohmann::ordered_json());
    n.postcode_centroid_share = json_value_or(node, "postcode_centroid_share", double(NAN));
    n.tiles = json_value_or(node, "tiles", nlohmann::ordered_json());
    return n;
}

std::string backtest_snap_statement(const KdeBacktestRecord& b) {
    std::string shares;
    for (std::size_t i = 0; i < b.shares.size(); ++i) {
        if (i) shares += i + 1 == b.shares.size() ? " and " : ", ";
        shares += util::num(b.shares[i] * 100, 3);
    }
    return "kde: " + b.setting + " is finer than the spacing of the police.uk snap points, but it was chosen on " +
           "out-of-sample prediction: over the last " + std::to_string(b.months) + " months maps drawn this way caught " +
           util::num(b.hit_rate * 100, 3) + "% of " + b.tested_on + " " + b.what + " in " + util::num(b.share * 100, 3) +
           "% of the area (PAI " + util::num(b.pai, 3) + "); the map's classes are the densest " + shares +
           "% of the area, the shares the backtest measured";
}

std::vector<std::string> kde_step_warnings(const KdeResult& surface, const KdeStepOptions& o) {
    std::vector<std::string> out = surface.warnings;
    if (o.bandwidth_chosen_by_backtest && surface.snap_warning && *surface.snap_warning < out.size())
        out[*surface.snap_warning] = backtest_snap_statement(*o.bandwidth_chosen_by_backtest);
    return out;
}

nlohmann::ordered_json KdeStepOptions::to_json() const {
    nlohmann::ordered_json j = {{"kernel", std::string(kernel_name(kernel))},
            {"bandwidth", bandwidth.text()},
            {"cell_size_m", cell_size_m},
            {"units", std::string(units_name(units))},
            {"compat", std::string(compat_name(compat))},
            {"edge_correction", edge == EdgeCorrection::diggle ? "diggle" : "none"},
            {"weight", weight},
            {"heat_min_incidents", heat.min_incidents}};
    // Only when set, so manifests of untiled runs keep their bytes.
    if (extent) j["extent"] = {extent->xmin, extent->ymin, extent->xmax, extent->ymax};
    return j;
}

ChangeSurfaceTest change_significance_of(const std::string& from, const std::string& to, const std::string& compare_from,
                                         const std::string& compare_to) {
    const auto months = [](const std::string& a, const std::string& b) {
        if (a.size() < 7 || b.size() < 7) return 1.0;
        return double(parse_month(b.substr(0, 7), "to") - parse_month(a.substr(0, 7), "from") + 1);
    };
    ChangeSurfaceTest t;
    t.e1 = months(from, to);
    t.e2 = months(compare_from, compare_to);
    return t;
}

const std::vector<std::uint8_t>& StudyMasks::of(const Grid& g) {
    // One lock over look-up and rasterising: a second profile wanting the same grid waits for
    // the first's mask rather than making its own.
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto& [grid, mask] : m_cache)
        if (grid.origin_x == g.origin_x && grid.origin_y == g.origin_y && grid.cell_size_m == g.cell_size_m &&
            grid.cols == g.cols && grid.rows == g.rows)
            return mask;
    m_cache.emplace_back(g, rasterize_areas(g, m_study));
    return m_cache.back().second;
}

KdeStepResult run_kde_step(const KdeStepInput& in, const KdeStepOptions& o, const KdeStepOutput& out,
                           const Progress& progress) {
    o.validate();
    const detail::StepRows step_rows(in.incidents, in.rows, unit);
    const IncidentTable& inc = step_rows.inc;
    const std::vector<std::uint32_t>& rows = step_rows.rows;
    if (rows.empty()) throw InputError(unit, inc.source_files.empty() ? "" : inc.source_files.front(),
                                       "no incident has a usable location; check --x/--y/--crs");
    check_can_write(out.path, out.overwrite, unit);
    if (!out.change_path.empty()) check_can_write(out.change_path, out.overwrite, unit);

    KdeStepResult r;
    std::vector<double> x(rows.size()), y(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) x[k] = inc.x[rows[k]], y[k] = inc.y[rows[k]];
    const std::vector<double> weights = o.weight.empty() ? std::vector<double>() : incident_weights(inc, rows, o.weight);

    // ---- the bandwidth: the one place a rule's σ becomes the kernel's radius
    KdeOptions& k = r.kde;
    k.kernel = o.kernel;
    k.units = o.units;
    k.compat = o.compat;
    k.edge = o.edge;
    k.cell_size_m = o.cell_size_m;
    k.threads = o.threads;
    Bandwidth& bw = r.bandwidth;
    if (o.bandwidth.rule) {
        bw = select_bandwidth(*o.bandwidth.rule, x, y, weights);
        // A rule's σ becomes the chosen kernel's radius; a radius is used as is; the gaussian
        // kernel and spatstat mode take σ itself.
        const bool takes_sigma = k.kernel == Kernel::gaussian || k.compat == KdeCompat::spatstat;
        k.bandwidth_m = bw.is_sigma && !takes_sigma ? bw.radius_for(k.kernel) : bw.value_m;
    } else {
        k.bandwidth_m = o.bandwidth.fixed_m;
        bw.method_name = "fixed";
        bw.value_m = k.bandwidth_m;
    }
    const bool publish = out.publish_min_count > 0;
    const bool floored = publish && k.bandwidth_m < out.publish_min_bandwidth_m;
    if (floored) k.bandwidth_m = out.publish_min_bandwidth_m, bw.method_name += " (raised to the publish-mode floor)";
    k.validate();

    // ---- grid and study mask
    Bounds study;
    if (in.study) {
        for (const auto& mp : *in.study) study.add(bounds_of(mp));
        if (study.empty())
            throw InputError(unit, out.study_area, "no area of the study layer has a polygon; give a layer with at "
                                                   "least one non-empty polygon");
    } else {
        for (std::size_t i = 0; i < x.size(); ++i) study.add(x[i], y[i]);
    }
    const bool tiled = is_tiled(out.path);
    check_tiled_output(o, out);
    // counted without a limit first (nothing is allocated), then refused with the remedy that fits
    const std::int64_t no_limit = std::numeric_limits<std::int64_t>::max();
    r.grid = o.extent ? extent_grid(*o.extent, k.cell_size_m, no_limit) : kde_grid(study, k, no_limit);
    if (r.grid.size() > (tiled ? tiled_max_cells : Grid::default_max_cells)) {
        // Grid::aligned's words, with the remedy of tiles where they would hold it
        const bool tiles_would = out.may_tile && !tiled && r.grid.size() <= tiled_max_cells;
        char text[500];
        std::snprintf(text, sizeof text, "a %g m grid over %.0f x %.0f km would have %.3g cells (limit %.3g %s); use a larger "
                      "cell size or a smaller extent%s",
                      r.grid.cell_size_m, r.grid.bounds().width() / 1000, r.grid.bounds().height() / 1000,
                      double(r.grid.size()), double(tiled ? tiled_max_cells : Grid::default_max_cells),
                      tiled ? "for a surface in tiles" : "for one GeoTIFF",
                      tiles_would ? ", or write it in tiles with an output ending in .vrt (a mosaic of tiled GeoTIFFs)" : "");
        throw UsageError(unit, text);
    }
    std::vector<std::uint8_t> own_mask;
    std::span<const std::uint8_t> mask;
    if (in.study && !tiled) {
        if (in.masks) mask = in.masks->of(r.grid);
        else own_mask = rasterize_areas(r.grid, *in.study), mask = own_mask;
    }
    if (tiled) {
        // the whole set's counts and warnings (distinct points, snap points, radius) from a
        // one-cell grid on the same cell size; the cells come tile by tile below
        Grid one = r.grid;
        one.cols = one.rows = 1;
        r.surface = kernel_density(x, y, weights, one, k);
        r.surface.values = {};
        r.surface.grid = r.grid;
    } else {
        r.surface = kernel_density(x, y, weights, r.grid, k, mask, progress);
    }
    r.warnings = kde_step_warnings(r.surface, o);
    std::size_t zeroed = 0;
    if (publish && !tiled) zeroed = mask_density(r.surface.values, r.grid, x, y, r.surface.radius_m, out.publish_min_count);
    if (auto w = postcode_share_warning(*in.incidents, in.rows, "kde"); !w.empty()) r.warnings.push_back(w);

    // ---- write: every tag key of the density surface is spelled here, once
    GeoTiffOptions g;
    g.crs = out.crs;
    g.threads = out.tiff_threads ? out.tiff_threads : o.threads;
    g.overwrite = out.overwrite;
    g.write_png = out.png;
    g.band_description = out.band_description;
    g.legend_label = legend_label(k.effective_units());
    g.metadata = {
        {kde_tag::hotspot_version, version},
        {kde_tag::surface, "kernel density"},
        {kde_tag::profile, out.profile},
        {kde_tag::period, period_of(inc, rows)},
        {kde_tag::kernel, std::string(kernel_name(k.kernel))},
        {kde_tag::bandwidth_m, util::num(k.bandwidth_m)},
        {kde_tag::bandwidth_method, bw.method_name},
        {kde_tag::support_radius_m, util::num(r.surface.radius_m)},
        {kde_tag::cell_size_m, util::num(r.grid.cell_size_m)},
        {kde_tag::units, std::string(units_name(r.surface.units))},
        {kde_tag::compat, std::string(compat_name(k.compat))},
        {kde_tag::edge_correction, k.edge == EdgeCorrection::diggle ? "diggle" : "none"},
        {kde_tag::weight, o.weight.empty() ? "none" : o.weight},
        {kde_tag::incidents, std::to_string(r.surface.incidents)},
        {kde_tag::distinct_points, std::to_string(r.surface.distinct_points)},
        {kde_tag::study_area, out.study_area},
    };
    // ---- the heat map's classes: the one computation of kde, run, the style, PNG and report
    HeatClassOptions ho = o.heat;
    ho.units = legend_units(k.effective_units());
    ho.period = period_months(inc, rows);
    g.metadata.push_back({kde_tag::heat_min_incidents, std::to_string(ho.min_incidents)});
    RasterWriteResult w;
    TiledSurface t;
    if (tiled) {
        const TiledDensity td{r.grid, out.tile_cells, x, y, weights, k, r.surface.radius_m,
                              in.study, out.publish_min_count, ho};
        t = write_tiled_surface(out.path, td, g, progress, r.warnings);
        r.heat = std::move(t.heat);
        zeroed = t.zeroed;
        g.heat = &r.heat;
        w = write_vrt_mosaic(out.path, r.grid, t.tiles, g);
        r.files = t.tiles;
    } else {
        r.heat = heat_classes(r.grid, r.surface.values, x, y, r.surface.radius_m, ho);
        g.heat = &r.heat;
        w = write_geotiff(out.path, r.grid, r.surface.values, g);
    }
    for (const auto& m : w.warnings) r.warnings.push_back("raster: " + m);
    r.class_breaks = w.class_breaks;
    for (const auto* f : {&w.path, &w.qml_path, &w.png_path})
        if (!f->empty()) r.files.push_back(*f);

    KdeManifestNode node;
    node.file = fs::path(out.path).filename().string();
    node.options = o.to_json();
    node.kernel = std::string(kernel_name(k.kernel));
    node.bandwidth_m = k.bandwidth_m;
    node.bandwidth_method = bw.method_name;
    node.support_radius_m = r.surface.radius_m;
    node.cell_size_m = r.grid.cell_size_m;
    node.units = std::string(units_name(r.surface.units));
    node.grid = r.grid;
    node.incidents = r.surface.incidents;
    node.distinct_points = r.surface.distinct_points;
    node.class_breaks = r.class_breaks;
    node.heat_classes = heat_json(r.heat);
    if (tiled) node.tiles = {{"folder", t.folder}, {"tile_cells", out.tile_cells}, {"written", t.tiles.size()},
                             {"of", t.of}};

    // ---- change surface against the comparison incidents, same grid and options
    std::size_t change_zeroed = 0;  // change cells set to 0 in publish mode (either period under the threshold)
    if (!out.change_path.empty()) {
        static const std::vector<std::uint32_t> none;
        const auto& crows = in.comparison_rows ? *in.comparison_rows : none;
        std::vector<double> cx(crows.size()), cy(crows.size());
        for (std::size_t i = 0; i < crows.size(); ++i) cx[i] = inc.x[crows[i]], cy[i] = inc.y[crows[i]];
        const std::vector<double> cw = o.weight.empty() ? std::vector<double>() : incident_weights(inc, crows, o.weight);
        KdeResult c = kernel_density(cx, cy, cw, r.grid, k, mask, progress);
        if (publish) zeroed += mask_density(c.values, r.grid, cx, cy, r.surface.radius_m, out.publish_min_count);
        std::vector<double> diff(r.surface.values.size());
        double limit = 0;
        for (std::size_t i = 0; i < diff.size(); ++i) {
            diff[i] = r.surface.values[i] - c.values[i];
            if (std::isfinite(diff[i])) limit = std::max(limit, std::abs(diff[i]));
        }
        GeoTiffOptions dg = g;
        dg.write_qml = false;
        dg.write_png = false;
        dg.band_description = out.band_description + " change";
        dg.metadata.push_back({kde_tag::comparison, out.comparison});
        std::string style = detail::diverging_raster_qml(limit, "Density change", false);
        std::size_t blanked = 0;
        std::string rule;
        if (out.change_significance) {
            // The screen and the classes see the values as written (Float32).
            for (double& v : diff)
                if (std::isfinite(v)) v = double(float(v));
            ChangeSurfaceTest test = *out.change_significance;
            test.radius_m = k.radius_m();
            blanked = blank_insignificant_change(diff, r.grid, x, y, cx, cy, test);
            rule = "cells whose change is not significant are blank: exact Poisson test (p < 0.05, uncorrected) of the "
                   "incidents within " + std::to_string(int(std::lround(test.radius_m))) + " m (the kernel's radius) in " +
                   std::to_string(int(test.e1)) + " months against " + std::to_string(int(test.e2)) + " months";
            dg.metadata.push_back({change_significance_tag, rule});
        }
        if (publish) {  // a change published only where both periods rest on the threshold's incidents (disclosure.hpp)
            change_zeroed = mask_density(diff, r.grid, x, y, r.surface.radius_m, out.publish_min_count) +
                            mask_density(diff, r.grid, cx, cy, r.surface.radius_m, out.publish_min_count);
            dg.metadata.push_back({kde_tag::publish, "cells resting on fewer than " + std::to_string(out.publish_min_count) +
                                                  " incidents of either period are 0"});
        }
        if (out.change_significance) {
            const ChangeSurfaceClasses classes = change_surface_classes(diff);
            style = change_surface_qml(classes, out.band_description + " change, incidents per km\u00b2", rule);
            node.change_surface = {{"rule", rule}, {"cells_blanked", blanked}, {"class_breaks_per_km2", {classes.a, classes.b}},
                      {"labels", classes.labels}};
        }
        write_geotiff(out.change_path, r.grid, diff, dg);
        const std::string qml = fs::path(out.change_path).replace_extension(".qml").string();
        write_text_atomic(qml, style, out.overwrite, unit);
        r.files.push_back(out.change_path);
        r.files.push_back(qml);
        node.change_file = fs::path(out.change_path).filename().string();
    }
    if (publish)
        node.publish = {{"min_incidents", out.publish_min_count},
                           {"bandwidth_floor_m", out.publish_min_bandwidth_m},
                           {"bandwidth_raised", floored},
                           {"cells_zeroed", zeroed},
                           {"change_cells_zeroed", change_zeroed},
                           {"rule", "every written cell (period and change) is 0 where fewer than min_incidents incidents lie "
                                    "within the support radius"}};
    node.warnings = r.warnings;
    node.postcode_centroid_share = postcode_centroid_share(*in.incidents, in.rows);
    r.manifest = node.to_json();
    return r;
}

} // namespace hotspot
