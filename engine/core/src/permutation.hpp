#pragma once
// Conditional permutation inference shared by Gi* and local Moran's I (internal).

#include <cstdint>
#include <span>
#include <vector>

#include "hotspot/progress.hpp"
#include "hotspot/weights.hpp"

namespace hotspot::detail {

/// splitmix64: turns (seed, observation) into an independent stream seed, so each
/// observation's draws do not depend on which thread ran it.
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// xoshiro256++ (Blackman & Vigna), seeded from splitmix64.
class Xoshiro256 {
public:
    explicit Xoshiro256(std::uint64_t seed) noexcept {
        for (auto& v : m_s) v = splitmix64(seed);
    }
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(m_s[0] + m_s[3], 23) + m_s[0];
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    /// Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject).
    std::uint32_t below(std::uint32_t bound) noexcept {
        std::uint64_t m = (next() >> 32) * std::uint64_t(bound);
        auto low = std::uint32_t(m);
        if (low < bound) {
            const std::uint32_t threshold = std::uint32_t(-bound) % bound;
            while (low < threshold) {
                m = (next() >> 32) * std::uint64_t(bound);
                low = std::uint32_t(m);
            }
        }
        return std::uint32_t(m >> 32);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t m_s[4];
};

/// The seed of observation i's stream.
inline std::uint64_t observation_seed(std::uint64_t seed, std::uint64_t i) noexcept {
    std::uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (i + 1));
    return splitmix64(s);
}

/// Folded two-sided pseudo p-values of the weighted lag Σ_j w_ij x_j of every observation i
/// under conditional permutation: x_i stays at i (its self weight, if any, keeps it), the other
/// neighbours receive values drawn without replacement from the other n − 1 observations.
/// p = min(1, 2·min(#{lag* ≥ lag} + 1, #{lag* ≤ lag} + 1) / (R + 1)).
/// `skip[i]` != 0 (optional) gives p = 1 without drawing (local Moran's I with z_i = 0).
/// `stop_after` h > 0: Besag & Clifford's (1991) sequential Monte Carlo p-value, folded: an
/// observation stops drawing as soon as h permuted lags lie on each side of its own (both
/// #{lag* >= lag} and #{lag* <= lag} reach h), after l draws, with p = min(1, 2h/l); one that
/// never stops gets the fixed-R p above, from the same draws. A valid p-value (Besag &
/// Clifford, Biometrika 78(2), 301-304): small p values are exactly those of the fixed R,
/// large ones are found in a few hundred draws instead of R.
/// Identical output for any thread count (each observation has its own stream).
/// @throws UsageError when an observation has more neighbours than n − 1 other values.
/// @throws Cancelled when `progress` returns false.
std::vector<double> permutation_p_values(std::span<const double> x, const SpatialWeights& w,
                                         int permutations, std::uint64_t seed, unsigned threads,
                                         const Progress& progress, const char* unit,
                                         std::span<const std::uint8_t> skip = {}, int stop_after = 0);

/// Number of worker threads to use for `requested` (0 = hardware concurrency, at least 1).
unsigned resolve_threads(unsigned requested) noexcept;

} // namespace hotspot::detail
