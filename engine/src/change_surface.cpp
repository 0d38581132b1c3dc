// The density change surface's significance blanking and symmetric classes (change_surface.hpp).

#include "hotspot/change_surface.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "hotspot/change.hpp"
#include "hotspot/error.hpp"
#include "hotspot/heat_classes.hpp"

namespace hotspot {

namespace {

std::vector<std::int64_t> cell_counts(const Grid& g, std::span<const double> x, std::span<const double> y) {
    std::vector<std::int64_t> n(std::size_t(g.size()), 0);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::int64_t c = g.col_of(x[i]), r = g.row_of(y[i]);
        if (g.in_grid(c, r)) ++n[std::size_t(r * g.cols + c)];
    }
    return n;
}

} // namespace

std::size_t blank_insignificant_change(std::vector<double>& diff, const Grid& g, std::span<const double> x1,
                                       std::span<const double> y1, std::span<const double> x2, std::span<const double> y2,
                                       const ChangeSurfaceTest& t) {
    if (diff.size() != std::size_t(g.size())) throw UsageError("change", "the change surface does not match its grid");
    if (!(t.radius_m > 0) || !(t.e1 > 0) || !(t.e2 > 0) || !(t.alpha > 0 && t.alpha < 1))
        throw UsageError("change", "the change surface test needs a radius > 0, exposures > 0 and alpha in (0, 1)");
    const std::vector<std::int64_t> n1 = cell_counts(g, x1, y1), n2 = cell_counts(g, x2, y2);
    // The cells whose centres lie within the radius: per row offset dr, the columns -w[dr]..w[dr];
    // sums over each such run from per-row prefix sums (O(cells x rows of the disk)).
    const std::int64_t k = std::int64_t(std::floor(t.radius_m / g.cell_size_m));
    std::vector<std::int64_t> half(std::size_t(2 * k + 1));
    for (std::int64_t dr = -k; dr <= k; ++dr) {
        std::int64_t w = 0;
        while (w + 1 <= k && double(dr * dr + (w + 1) * (w + 1)) * g.cell_size_m * g.cell_size_m <= t.radius_m * t.radius_m) ++w;
        half[std::size_t(dr + k)] = w;
    }
    const auto prefix = [&](const std::vector<std::int64_t>& n) {
        std::vector<std::int64_t> p(std::size_t(g.rows * (g.cols + 1)), 0);
        for (std::int64_t r = 0; r < g.rows; ++r)
            for (std::int64_t c = 0; c < g.cols; ++c)
                p[std::size_t(r * (g.cols + 1) + c + 1)] = p[std::size_t(r * (g.cols + 1) + c)] + n[std::size_t(r * g.cols + c)];
        return p;
    };
    const std::vector<std::int64_t> p1 = prefix(n1), p2 = prefix(n2);
    const auto disk_sum = [&](const std::vector<std::int64_t>& p, std::int64_t r, std::int64_t c) {
        std::int64_t sum = 0;
        for (std::int64_t dr = -k; dr <= k; ++dr) {
            const std::int64_t rr = r + dr;
            if (rr < 0 || rr >= g.rows) continue;
            const std::int64_t w = half[std::size_t(dr + k)];
            const std::int64_t c0 = std::max<std::int64_t>(0, c - w), c1 = std::min<std::int64_t>(g.cols, c + w + 1);
            sum += p[std::size_t(rr * (g.cols + 1) + c1)] - p[std::size_t(rr * (g.cols + 1) + c0)];
        }
        return sum;
    };
    std::size_t blanked = 0;
    std::unordered_map<std::uint64_t, bool> significant;  // by (n1, n2): most cells repeat a few small pairs
    for (std::int64_t r = 0; r < g.rows; ++r)
        for (std::int64_t c = 0; c < g.cols; ++c) {
            double& v = diff[std::size_t(r * g.cols + c)];
            if (!std::isfinite(v)) continue;
            const std::int64_t a = disk_sum(p1, r, c), b = disk_sum(p2, r, c);
            bool keep = false;
            if (a + b > 0) {
                const std::uint64_t key = (std::uint64_t(a) << 32) | std::uint64_t(b);
                const auto it = significant.find(key);
                keep = it != significant.end() ? it->second
                                                : (significant[key] = poisson_change_test(a, b, t.e1, t.e2).p < t.alpha);
            }
            if (!keep) {
                v = std::numeric_limits<double>::quiet_NaN();
                ++blanked;
            }
        }
    return blanked;
}

ChangeSurfaceClasses change_surface_classes(std::span<const double> diff) {
    double m = 0;
    for (double v : diff)
        if (std::isfinite(v)) m = std::max(m, std::abs(v));
    ChangeSurfaceClasses k;
    k.a = m > 0 ? round_significant(m / 4, 2) : 1;
    k.b = m > 0 ? round_significant(m / 2, 2) : 2;
    if (!(k.b > k.a)) k.b = 2 * k.a;
    const std::string a = format_break(k.a), b = format_break(k.b);
    k.upper = {-k.b, -k.a, 0, k.a, k.b, std::numeric_limits<double>::infinity()};
    k.labels = {"fall of over " + b + " per km\u00b2", "fall of " + a + "\u2013" + b + " per km\u00b2",
                "fall of under " + a + " per km\u00b2", "rise of under " + a + " per km\u00b2",
                "rise of " + a + "\u2013" + b + " per km\u00b2", "rise of over " + b + " per km\u00b2"};
    return k;
}

std::string change_surface_qml(const ChangeSurfaceClasses& k, const std::string& title, const std::string& note) {
    static const char* colours[] = {"#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b"};
    std::ostringstream items;
    for (std::size_t i = 0; i < k.upper.size(); ++i) {
        std::ostringstream v;
        v.precision(12);
        v << k.upper[i];
        items << "            <item alpha=\"255\" value=\"" << (std::isinf(k.upper[i]) ? std::string("inf") : v.str())
              << "\" label=\"" << k.labels[i] << "\" color=\"" << colours[i] << "\"/>\n";
    }
    std::ostringstream q;
    q << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
      << "<!-- " << title << " written by hotspot: " << note << " -->\n"
      << "<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\">\n  <pipe>\n"
      << "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"0.85\" alphaBand=\"-1\" "
         "classificationMin=\"" << -2 * k.b << "\" classificationMax=\"" << 2 * k.b << "\" nodataColor=\"\">\n"
      << "      <rasterTransparency/>\n      <rastershader>\n"
      << "        <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"2\" clip=\"0\" minimumValue=\""
      << -2 * k.b << "\" maximumValue=\"" << 2 * k.b << "\" labelPrecision=\"2\">\n"
      << items.str() << "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n"
      << "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
      << "    <huesaturation colorizeOn=\"0\" saturation=\"0\" grayscaleMode=\"0\"/>\n"
      << "    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n";
    return q.str();
}

} // namespace hotspot
