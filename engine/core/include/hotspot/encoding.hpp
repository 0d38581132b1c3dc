#pragma once
/// @file encoding.hpp
/// Text encoding of input fields. Every output (GeoPackage, GeoJSON, manifest) holds UTF-8;
/// records systems and spreadsheets still export Windows-1252 ("ANSI", a superset of the
/// printable Latin-1), so text that is not valid UTF-8 is read as Windows-1252 and converted.
/// Pure (no I/O).

#include <string>
#include <string_view>

namespace hotspot {

/// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF). ASCII is valid UTF-8.
bool is_utf8(std::string_view text) noexcept;

/// Converts Windows-1252 (bytes 0xA0-0xFF as Latin-1, 0x80-0x9F as Windows-1252's
/// punctuation: € ‘ ’ “ ” – — ...) to UTF-8. The five bytes Windows-1252 leaves undefined
/// (0x81, 0x8D, 0x8F, 0x90, 0x9D) become U+FFFD. ASCII is unchanged.
std::string cp1252_to_utf8(std::string_view text);

} // namespace hotspot
