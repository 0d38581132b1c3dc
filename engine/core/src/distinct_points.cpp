#include "hotspot/distinct_points.hpp"

#include <algorithm>
#include <cstring>

#include "hotspot/error.hpp"

namespace hotspot {

DistinctPoints distinct_points(std::span<const double> x, std::span<const double> y, bool with_index) {
    if (x.size() != y.size()) throw UsageError("distinct_points", "x and y differ in length");
    if (x.size() >= std::size_t(UINT32_MAX)) throw UsageError("distinct_points", "too many points (2^32 or more)");
    constexpr std::uint32_t empty = ~std::uint32_t(0);
    const std::size_t n = x.size();
    std::size_t size = 16;
    while (size < 2 * n) size *= 2;
    std::vector<std::uint32_t> slots(size, empty);
    DistinctPoints d;
    if (with_index) d.of.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t bx = 0, by = 0;
        std::memcpy(&bx, &x[i], 8);
        std::memcpy(&by, &y[i], 8);
        std::uint64_t h = (bx ^ (by * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        for (std::size_t s = std::size_t(h) & (size - 1);; s = (s + 1) & (size - 1)) {
            const std::uint32_t u = slots[s];
            if (u == empty) {
                slots[s] = std::uint32_t(d.x.size());
                if (with_index) d.of[i] = std::uint32_t(d.x.size());
                d.x.push_back(x[i]);
                d.y.push_back(y[i]);
                d.count.push_back(1);
                break;
            }
            std::uint64_t ex = 0, ey = 0;
            std::memcpy(&ex, &d.x[u], 8);
            std::memcpy(&ey, &d.y[u], 8);
            if (ex == bx && ey == by) {
                if (with_index) d.of[i] = u;
                ++d.count[u];
                break;
            }
        }
    }
    return d;
}

bool mostly_distinct(std::span<const double> x, std::span<const double> y) {
    const std::size_t probe = std::min<std::size_t>(x.size(), std::size_t(1) << 16);
    return distinct_points(x.first(probe), y.first(probe), false).x.size() * 10 >= probe * 9;
}

} // namespace hotspot
