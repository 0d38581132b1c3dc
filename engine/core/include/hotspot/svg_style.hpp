#pragma once
/// @file svg_style.hpp
/// The look of the report's maps, as a pure core: the heat ramp shared with QGIS, legend classes
/// from the density class breaks with rounded labels, numbers for legends, round scale-bar
/// lengths, and XML escaping.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hotspot::svg {

/// An RGBA colour.
struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
    std::string hex() const; ///< "#rrggbb"
};

/// The heat ramp of styles/kde.qml.in (6 colours, the first transparent), so that the report,
/// the quick-look PNG and QGIS show the same classes.
std::span<const Rgba> heat_ramp() noexcept;

/// Class index of `v` for ascending `breaks` (the class i holds values <= breaks[i]; values
/// above the last break fall in the last class), the same rule as the QGIS discrete ramp.
std::size_t class_of(double v, std::span<const double> breaks) noexcept;

/// The colour of class `k` (class_of()) among `n_breaks` breaks: class 0 is transparent; the
/// shaded classes 1..n_breaks-1 take the darkest end of the ramp, so the densest class is the
/// darkest colour whatever the number of classes (the density style and PNG use it through
/// heat_classes.hpp).
Rgba heat_class_colour(std::size_t k, std::size_t n_breaks) noexcept;

/// One legend entry: the class (lower, upper], its colour, and whether it is drawn.
struct LegendClass {
    double lower = 0, upper = 0;
    Rgba colour;
    bool transparent = false;
    std::string label; ///< "12.0 – 23.0"
};

/// Legend classes from the class breaks (as in the manifest's kde.class_breaks): the first
/// class is 0..breaks[0] and transparent (not drawn on the map), colours from heat_ramp().
std::vector<LegendClass> legend_classes(std::span<const double> breaks);

/// Formats a number for a legend with 3 significant figures ("0.647", "12.0", "113", "1,250").
std::string format_value(double v);

/// The longest round length (1, 2 or 5 x 10^k metres) not longer than `max_m`.
/// @throws UsageError when max_m <= 0 or not finite.
double round_scale_length(double max_m);
/// "500 m", "1 km", "2.5 km".
std::string format_length(double metres);

/// Escapes text for XML/HTML (& < > " ').
std::string xml_escape(const std::string& text);

} // namespace hotspot::svg
