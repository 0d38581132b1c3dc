// The shared options of a permutation test (steps/permutation_options.hpp).

#include "hotspot/steps/permutation_options.hpp"

#include <string>

#include "hotspot/error.hpp"

namespace hotspot {

void PermutationOptions::validate(const char* unit) const {
    if (permutations < 0 || permutations > max_permutations)
        throw UsageError(unit, "--permutations must be between 0 and " + std::to_string(max_permutations) +
                                   " (got " + std::to_string(permutations) + ")");
}

void PermutationOptions::add_to_json(nlohmann::ordered_json& node) const {
    node["permutations"] = permutations;
    node["seed"] = seed;
    node["correction"] = std::string(to_string(correction));
}

} // namespace hotspot
