#include "hotspot/svg_style.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "hotspot/error.hpp"
#include "svg_num.hpp"

namespace hotspot::svg {

namespace {
constexpr const char* unit = "svg_map";
}

using detail::num;

std::string Rgba::hex() const {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
    return buf;
}

std::span<const Rgba> heat_ramp() noexcept {
    // Keep in step with styles/kde.qml.in; the GeoTIFF's QML and PNG take theirs from here.
    static constexpr std::array<Rgba, 6> ramp{{{255, 255, 178, 0},
                                               {254, 204, 92, 255},
                                               {253, 141, 60, 255},
                                               {240, 59, 32, 255},
                                               {220, 20, 35, 255},
                                               {189, 0, 38, 255}}};
    return ramp;
}

std::size_t class_of(double v, std::span<const double> breaks) noexcept {
    if (breaks.empty())
        return 0;
    const auto i = std::size_t(std::lower_bound(breaks.begin(), breaks.end(), v) - breaks.begin());
    return std::min(i, breaks.size() - 1);
}

Rgba heat_class_colour(std::size_t k, std::size_t n_breaks) noexcept {
    const auto ramp = heat_ramp();
    if (k == 0 || n_breaks < 2)
        return ramp[0];
    const std::size_t shaded = n_breaks - 1;
    const std::size_t first = ramp.size() - std::min(shaded, ramp.size() - 1);
    return ramp[std::min(first + k - 1, ramp.size() - 1)];
}

std::string format_value(double v) {
    if (!std::isfinite(v))
        return "-";
    const double a = std::abs(v);
    if (a >= 1000) {
        std::string digits = num(std::round(v), 0), out;
        const bool neg = digits[0] == '-';
        if (neg)
            digits.erase(0, 1);
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i > 0 && (digits.size() - i) % 3 == 0)
                out += ',';
            out += digits[i];
        }
        return (neg ? "-" : "") + out;
    }
    int decimals = a >= 100  ? 0
                   : a >= 10 ? 1
                   : a >= 1  ? 2
                   : a > 0   ? std::max(0, 2 - int(std::floor(std::log10(a))))
                             : 0;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 8), v);
    return buf;
}

std::vector<LegendClass> legend_classes(std::span<const double> breaks) {
    std::vector<LegendClass> out;
    double lower = 0;
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        LegendClass c;
        c.lower = lower;
        c.upper = breaks[i];
        c.colour = heat_class_colour(i, breaks.size());
        c.transparent = c.colour.a == 0;
        c.label = format_value(c.lower) + " \u2013 " + format_value(c.upper);
        out.push_back(c);
        lower = breaks[i];
    }
    return out;
}

double round_scale_length(double max_m) {
    if (!(max_m > 0) || !std::isfinite(max_m))
        throw UsageError(unit, "scale bar needs a positive length");
    const double p = std::pow(10.0, std::floor(std::log10(max_m)));
    for (double f : {5.0, 2.0, 1.0})
        if (f * p <= max_m * (1 + 1e-12))
            return f * p;
    return p;
}

std::string format_length(double m) {
    if (m >= 1000)
        return num(m / 1000, 2) + " km";
    return num(m, m >= 1 ? 0 : 2) + " m";
}

std::string xml_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text)
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    return out;
}

} // namespace hotspot::svg
