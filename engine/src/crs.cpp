#include "hotspot/crs.hpp"

#include <cmath>
#include <limits>
#include <proj.h>
#include <thread>
#include <vector>

#include "hotspot/distinct_points.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"

namespace hotspot {

namespace {

PJ_CONTEXT* offline_context() {
    PJ_CONTEXT* ctx = proj_context_create();
    proj_context_set_enable_network(ctx, 0);  // never fetch grids: the engine works offline
    proj_log_level(ctx, PJ_LOG_NONE);
    return ctx;
}

std::string proj_error(PJ_CONTEXT* ctx) {
    const int e = proj_context_errno(ctx);
    const char* s = proj_context_errno_string(ctx, e);
    return s ? s : "unknown PROJ error";
}

} // namespace

struct CrsTransform::Impl {
    PJ_CONTEXT* ctx = nullptr;
    PJ* src = nullptr;
    PJ* tgt = nullptr;
    PJ* op = nullptr;  // normalised for visualisation: x = lon/easting, y = lat/northing
    bool identity = false;
    bool geographic = false;
    std::string op_name;
    std::string src_name;
    double accuracy = -1;
    Bounds area;
    Bounds common;
    ~Impl() {
        if (op) proj_destroy(op);
        if (src) proj_destroy(src);
        if (tgt) proj_destroy(tgt);
        if (ctx) proj_context_destroy(ctx);
    }
};

CrsTransform::CrsTransform(const std::string& source, const std::string& target)
    : m_impl(std::make_unique<Impl>()) {
    Impl& m = *m_impl;
    m.ctx = offline_context();
    m.src = proj_create(m.ctx, source.c_str());
    if (!m.src)
        throw UsageError("crs", "unknown CRS '" + source + "' (" + proj_error(m.ctx) +
                                    "); give an EPSG code such as EPSG:27700 or EPSG:4326");
    m.tgt = proj_create(m.ctx, target.c_str());
    if (!m.tgt)
        throw UsageError("crs", "unknown working CRS '" + target + "' (" + proj_error(m.ctx) + ")");
    if (const char* n = proj_get_name(m.src)) m.src_name = n;
    const PJ_TYPE t = proj_get_type(m.src);
    m.geographic = t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
                   t == PJ_TYPE_GEOGRAPHIC_CRS;

    double w = 0, s = 0, e = 0, n = 0;
    if (proj_get_area_of_use(m.ctx, m.src, &w, &s, &e, &n, nullptr) && w > -1000) {
        if (m.geographic) {
            m.area = {w, s, e, n};
        } else {
            PJ* to_src = proj_create_crs_to_crs(m.ctx, "EPSG:4326", source.c_str(), nullptr);
            if (to_src) {
                PJ* norm = proj_normalize_for_visualization(m.ctx, to_src);
                double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
                if (norm && proj_trans_bounds(m.ctx, norm, PJ_FWD, w, s, e, n, &xmin, &ymin, &xmax,
                                              &ymax, 21))
                    m.area = {xmin, ymin, xmax, ymax};
                if (norm) proj_destroy(norm);
                proj_destroy(to_src);
            }
        }
    }

    double tw = 0, ts = 0, te = 0, tn = 0;
    m.common = {-180, -90, 180, 90};
    if (proj_get_area_of_use(m.ctx, m.src, &w, &s, &e, &n, nullptr) && w > -1000 && w <= e)
        m.common = {w, s, e, n};
    if (proj_get_area_of_use(m.ctx, m.tgt, &tw, &ts, &te, &tn, nullptr) && tw > -1000 && tw <= te)
        m.common = {std::max(m.common.xmin, tw), std::max(m.common.ymin, ts),
                    std::min(m.common.xmax, te), std::min(m.common.ymax, tn)};

    if (proj_is_equivalent_to(m.src, m.tgt, PJ_COMP_EQUIVALENT)) {
        m.identity = true;
        m.op_name = "none (source and working CRS are the same)";
        m.accuracy = 0;
        return;
    }
    PJ_OPERATION_FACTORY_CONTEXT* f = proj_create_operation_factory_context(m.ctx, nullptr);
    proj_operation_factory_context_set_spatial_criterion(
        m.ctx, f, PROJ_SPATIAL_CRITERION_PARTIAL_INTERSECTION);
    proj_operation_factory_context_set_grid_availability_use(
        m.ctx, f, PROJ_GRID_AVAILABILITY_DISCARD_OPERATION_IF_MISSING_GRID);
    PJ_OBJ_LIST* ops = proj_create_operations(m.ctx, m.src, m.tgt, f);
    proj_operation_factory_context_destroy(f);
    if (!ops || proj_list_get_count(ops) == 0) {
        if (ops) proj_list_destroy(ops);
        throw UsageError("crs", "PROJ offers no operation from " + source + " to " + target);
    }
    PJ* op = proj_list_get(m.ctx, ops, 0);
    proj_list_destroy(ops);
    m.op = proj_normalize_for_visualization(m.ctx, op);
    if (const char* nm = proj_get_name(op)) m.op_name = nm;
    m.accuracy = proj_coordoperation_get_accuracy(m.ctx, op);
    proj_destroy(op);
    if (!m.op) throw UsageError("crs", "cannot use the operation " + m.op_name);
}

CrsTransform::~CrsTransform() = default;

namespace {

// Transforms the points of [x, x + n) each distinct location once (distinct_points.hpp: PROJ's
// transform was a third of a police.uk read's CPU), in blocks of at most 2^20 points to bound
// the memory (~30 MB); a block whose first 65,536 points are 90% distinct (points not snapped)
// is transformed directly.
void transform_distinct(PJ* p, double* x, double* y, std::size_t n) {
    constexpr std::size_t block = std::size_t(1) << 20;
    for (std::size_t lo = 0; lo < n; lo += block) {
        const std::size_t m = std::min(block, n - lo);
        double* bx = x + lo;
        double* by = y + lo;
        if (mostly_distinct({bx, m}, {by, m})) {
            proj_trans_generic(p, PJ_FWD, bx, sizeof(double), m, by, sizeof(double), m, nullptr, 0, 0, nullptr, 0, 0);
            continue;
        }
        DistinctPoints d = distinct_points({bx, m}, {by, m}, true);
        proj_trans_generic(p, PJ_FWD, d.x.data(), sizeof(double), d.x.size(), d.y.data(), sizeof(double), d.y.size(),
                           nullptr, 0, 0, nullptr, 0, 0);
        for (std::size_t i = 0; i < m; ++i) {
            bx[i] = d.x[d.of[i]];
            by[i] = d.y[d.of[i]];
        }
    }
}

} // namespace

void CrsTransform::transform(std::span<double> x, std::span<double> y, unsigned threads) const {
    if (m_impl->identity || x.empty()) return;
    const std::size_t n = x.size();
    const unsigned nt = std::max(1u, std::min<unsigned>(resolve_threads(threads), unsigned(n / 50000 + 1)));
    auto work = [&](unsigned t) {
        const std::size_t lo = n * t / nt, hi = n * (t + 1) / nt;
        if (hi <= lo) return;
        PJ_CONTEXT* ctx = offline_context();
        PJ* p = proj_clone(ctx, m_impl->op);
        transform_distinct(p, x.data() + lo, y.data() + lo, hi - lo);
        proj_destroy(p);
        proj_context_destroy(ctx);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < nt; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    for (std::size_t i = 0; i < n; ++i)
        if (x[i] == HUGE_VAL || y[i] == HUGE_VAL) x[i] = y[i] = std::numeric_limits<double>::quiet_NaN();
}

bool CrsTransform::identity() const noexcept { return m_impl->identity; }
const std::string& CrsTransform::operation_name() const noexcept { return m_impl->op_name; }
double CrsTransform::accuracy_m() const noexcept { return m_impl->accuracy; }
bool CrsTransform::source_geographic() const noexcept { return m_impl->geographic; }
const Bounds& CrsTransform::source_area_of_use() const noexcept { return m_impl->area; }
const Bounds& CrsTransform::common_area_lonlat() const noexcept { return m_impl->common; }
const std::string& CrsTransform::source_name() const noexcept { return m_impl->src_name; }

bool crs_is_valid(const std::string& crs) {
    PJ_CONTEXT* ctx = offline_context();
    PJ* p = proj_create(ctx, crs.c_str());
    const bool ok = p != nullptr;
    if (p) proj_destroy(p);
    proj_context_destroy(ctx);
    return ok;
}

std::string crs_wkt(const std::string& crs) {
    PJ_CONTEXT* ctx = offline_context();
    PJ* p = proj_create(ctx, crs.c_str());
    if (!p) {
        proj_context_destroy(ctx);
        throw UsageError("crs", "unknown CRS '" + crs + "'");
    }
    const char* w = proj_as_wkt(ctx, p, PJ_WKT2_2019, nullptr);
    std::string out = w ? w : "";
    proj_destroy(p);
    proj_context_destroy(ctx);
    return out;
}

} // namespace hotspot
