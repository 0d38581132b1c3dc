#pragma once
/// @file progress.hpp
/// Progress reporting: a callback passed into long operations. It receives the fraction done
/// (0..1) and a short stage label; returning false cancels (the operation throws Cancelled).
/// The engine never writes to stdout/stderr itself.

#include <functional>
#include <string_view>

namespace hotspot {

using Progress = std::function<bool(double fraction, std::string_view stage)>;

/// A callback that never cancels and reports nothing.
inline Progress no_progress() {
    return [](double, std::string_view) { return true; };
}

} // namespace hotspot
