#pragma once
/// @file kde.hpp
/// Kernel density estimation of incidents on an aligned Grid (the pure core: no GDAL).
///
/// Every cell value is an exact sum over incidents evaluated at the cell centre, in double
/// precision (no binning, no FFT):
///
///     value(c) = S · Σ_i w_i · K(d_ic)          d_ic = distance from incident i to cell centre c
///
/// Kernels, with u = d / r and r the support radius (metres), normalised so ∫∫ K dA = 1:
///
///   | kernel        | shape k(u), u < 1 | normalising constant | spatstat σ → r   |
///   |---------------|-------------------|----------------------|------------------|
///   | quartic       | (1 − u²)²         | 3 / (π r²)           | r = √8  · σ      |
///   | triweight     | (1 − u²)³         | 4 / (π r²)           | r = √10 · σ      |
///   | epanechnikov  | 1 − u²            | 2 / (π r²)           | r = √6  · σ      |
///   | triangular    | 1 − u             | 3 / (π r²)           | r = √(20/3) · σ  |
///   | uniform       | 1                 | 1 / (π r²)           | r = 2   · σ      |
///   | gaussian      | exp(−d² / 2σ²)    | 1 / (2π σ² (1 − e⁻⁸))| bandwidth is σ   |
///
/// (σ → r: σ is the per-axis standard deviation of the 2-D kernel, as spatstat's
/// density.ppp uses it; E[d²] = 2σ², e.g. quartic E[d²] = r²/4.)
/// The Gaussian is truncated at d = 4σ (the support radius, r = 4σ) and renormalised by
/// 1/(1 − e⁻⁸) so it still has unit mass; a brute-force reference must truncate alike.
///
/// Units (S above):
///  - per_km2 (default): incidents per km², i.e. the normalised kernel × 10⁶; then
///    Σ cells × cell area (km²) = Σ w − (mass falling outside the grid), up to the
///    discretisation of the kernel on cell centres (< 1e-3 when r ≥ 5 cells).
///  - per_m2: incidents per m² (spatstat's intensity).
///  - raw: the kernel shape alone, Σ w k(u) with no constant (QGIS "raw" output).
///  - relative: per_km2 divided by the surface's maximum, 0..1.
///
/// Compatibility modes adjust the interpretation to match another tool:
///  - qgis_raw: QGIS heat map raw output (Σ k(u)); use qgis_grid() for its grid.
///  - qgis_scaled: QGIS "scaled" output = normalised kernel per map unit² (per m²).
///  - qgis_scaled_legacy: QGIS ≤ 3.40 scaled output, whose quartic constant is
///    21.75 / (π r²) = 7.25 × the true 3/(π r²) (QGIS issue #60616, fixed by PR #60631).
///  - arcgis: ArcGIS Pro Kernel Density (planar, quartic per Silverman 1986, per km²);
///    kde_grid() uses ArcGIS's default cell (shorter side of the extent / 250) and extent.
///  - spatstat: bandwidth_m is spatstat's σ (mapped to r by the table), per m².
///
/// Edge correction (diggle): each incident's contribution is divided by the share of its
/// kernel's (discretised) mass that falls on in-window cells, so incidents near the study
/// boundary are not under-counted (Diggle 1985; spatstat's `diggle = TRUE`).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

enum class Kernel { quartic, triweight, epanechnikov, triangular, uniform, gaussian };
enum class KdeUnits { per_km2, per_m2, raw, relative };
enum class KdeCompat { none, qgis_raw, qgis_scaled, qgis_scaled_legacy, arcgis, spatstat };
enum class EdgeCorrection { none, diggle };

/// Name used on the command line and in metadata ("quartic"...).
std::string_view kernel_name(Kernel k) noexcept;
std::string_view units_name(KdeUnits u) noexcept;
std::string_view compat_name(KdeCompat c) noexcept;
/// Every accepted name, in table order (for help text, --json-usage and the profile check).
std::vector<std::string_view> kernel_choices();
std::vector<std::string_view> units_choices();
std::vector<std::string_view> compat_choices();
/// @throws UsageError naming the accepted choices when `name` is unknown.
Kernel parse_kernel(std::string_view name);
KdeUnits parse_units(std::string_view name);  ///< accepts "per-km2" and "per_km2"
KdeCompat parse_compat(std::string_view name);

struct KdeOptions {
    Kernel kernel = Kernel::quartic;
    /// Support radius in metres for compact kernels; σ for the Gaussian; σ of every
    /// kernel in spatstat mode. Must be finite and > 0.
    double bandwidth_m = 0;
    /// Cell size in metres for kde_grid(); 0 picks the default (see kde_grid()).
    double cell_size_m = 0;
    KdeUnits units = KdeUnits::per_km2;
    KdeCompat compat = KdeCompat::none;
    EdgeCorrection edge = EdgeCorrection::none;
    /// Worker threads; 0: all cores. The output does not depend on it (byte for byte).
    unsigned threads = 0;

    /// @throws UsageError ("kde: bandwidth must be > 0 m (got 0)") for unusable values, or a
    ///         compat mode that contradicts the kernel/units chosen (e.g. arcgis + gaussian).
    void validate() const;
    /// The support radius in metres implied by kernel, bandwidth and compat (4σ for Gaussian).
    double radius_m() const;
    /// The units actually produced once compat is applied.
    KdeUnits effective_units() const;
};

/// The support radius r of `kernel` whose per-axis standard deviation is `sigma_m`
/// (the table above; 4σ for the truncated Gaussian).
double radius_from_sigma(Kernel kernel, double sigma_m);

/// The default grid for `study` (the bounds of the incidents or of the study areas):
/// cell = options.cell_size_m, or the shorter side of `study` / 150 rounded to a whole metre
/// (at least 1 m); extent = study grown by the support radius, snapped by Grid::aligned.
/// In arcgis mode the default cell is the shorter side / 250 and the extent is not grown.
/// In qgis modes the grid is qgis_grid(). `max_cells` is Grid::aligned's limit (the tiled
/// density step passes its own). @throws UsageError from validate()/Grid::aligned.
Grid kde_grid(const Bounds& study, const KdeOptions& options, std::int64_t max_cells = Grid::default_max_cells);

/// QGIS heat map's grid convention (3.22): origin (xmin − r, ymax + r),
/// cols = ceil(w / cell) + 1, rows = ceil(h / cell) + 1 with w, h the width and height of the
/// extent grown by r. Not aligned to multiples of the cell size.
Grid qgis_grid(const Bounds& points, double radius_m, double cell_size_m);

struct KdeResult {
    Grid grid;
    /// Row-major (row 0 = north), grid.size() values; NaN on cells outside `window`.
    std::vector<double> values;
    std::size_t incidents = 0;        ///< incidents given
    std::size_t distinct_points = 0;  ///< distinct locations after merging coincident ones
    double total_weight = 0;          ///< Σ w (= incidents when unweighted)
    double radius_m = 0;              ///< support radius used
    KdeUnits units = KdeUnits::per_km2;
    std::vector<std::string> warnings;  ///< "kde: ..." sentences for the user
    /// Index in `warnings` of the snap-point warning ("the bandwidth ... is finer than the
    /// spacing of the snap points": more than half the distinct points of a data set with
    /// coincident incidents have no other point within the radius); unset when not raised.
    std::optional<std::size_t> snap_warning;
};

/// Kernel density of the incidents (x[i], y[i]) on `grid`.
/// @param weights empty (every incident weighs 1) or one finite weight ≥ 0 per incident.
/// @param window empty, or grid.size() flags (row-major): cells with 0 are outside the study
///        area (NaN in the result) and, with EdgeCorrection::diggle, the window of the
///        correction.
/// Coincident incidents (identical x and y) are merged first; the order of the input does not
/// change the result beyond the order of adding their weights.
/// @param storage memory for the result's values, its contents ignored: a caller drawing many
///        surfaces on one grid (backtests) passes the previous result's values back, so each
///        surface reuses pages already in memory instead of faulting in fresh ones.
/// @throws UsageError (bad options, sizes that disagree, non-finite coordinates or weights),
///         Cancelled when `progress` returns false.
KdeResult kernel_density(std::span<const double> x, std::span<const double> y,
                         std::span<const double> weights, const Grid& grid,
                         const KdeOptions& options, std::span<const std::uint8_t> window = {},
                         const Progress& progress = no_progress(), std::vector<double> storage = {});

namespace detail {
/// The kernel shape k(d²) (unnormalised; 0 at and beyond the support), for tests.
double kernel_shape(Kernel k, double d2, double radius_m) noexcept;
/// The constant turning k into a unit-mass kernel per m², for the given compat mode.
double kernel_constant(Kernel k, double radius_m, KdeCompat compat) noexcept;
} // namespace detail

} // namespace hotspot
