#pragma once
// Fixed-point text for SVG output (internal to the svg_* files): it must not depend on the
// locale or stream state.

#include <cstdio>
#include <string>

namespace hotspot::svg::detail {

// Fixed-point text: SVG output must not depend on the locale or stream state.
inline std::string num(double v, int decimals = 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s(buf);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.')
            s.pop_back();
    }
    if (s == "-0")
        s = "0";
    return s;
}

} // namespace hotspot::svg::detail
