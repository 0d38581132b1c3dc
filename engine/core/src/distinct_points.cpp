#include "hotspot/distinct_points.hpp"

#include <algorithm>
#include <cstring>

#include "hotspot/error.hpp"

namespace hotspot {

namespace {
std::uint64_t mix(std::uint64_t h) {
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}
} // namespace

DistinctPoints distinct_points(std::span<const double> x, std::span<const double> y, bool with_index) {
    if (x.size() != y.size()) throw UsageError("distinct_points", "x and y differ in length");
    if (x.size() >= std::size_t(UINT32_MAX)) throw UsageError("distinct_points", "too many points (2^32 - 1 or more)");
    constexpr std::uint32_t empty = ~std::uint32_t(0);
    const std::size_t n = x.size();
    std::size_t size = 16;
    unsigned bits = 4;
    while (size < 2 * n) size *= 2, ++bits;
    std::vector<std::uint32_t> slots(size, empty);
    DistinctPoints d;
    if (with_index) d.of.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t bx = 0, by = 0;
        std::memcpy(&bx, &x[i], 8);
        std::memcpy(&by, &y[i], 8);
        // splitmix64's finaliser on x, then on that and y, the slot from the top bits:
        // coordinates with many trailing zero bits (whole metres, powers of two) still spread
        const std::uint64_t h = mix(mix(bx) ^ by);
        for (std::size_t s = std::size_t(h >> (64 - bits));; s = (s + 1) & (size - 1)) {
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
    if (x.size() >= std::size_t(UINT32_MAX)) return true;  // beyond distinct_points(): point by point
    const std::size_t probe = std::min<std::size_t>(x.size(), std::size_t(1) << 16);
    return distinct_points(x.first(probe), y.first(probe), false).x.size() * 10 >= probe * 9;
}

} // namespace hotspot
