#pragma once
/// @file format.hpp
/// Numbers as every command and page prints them, for code outside the engine (the CLI): the
/// engine's own text helpers are internal (src/util/text.hpp); this is their public face.

#include <cstdint>
#include <string>

namespace hotspot {

/// A count with thousands separators: 10008 -> "10,008", -5332 -> "-5,332".
std::string format_count(std::int64_t n);

} // namespace hotspot
