#pragma once
/// @file steps/layer_schema.hpp
/// A layer's fields, declared once by the step that writes the layer and set by name, never
/// by position (issue 13: a field name is spelled once in the source).

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/vector_out.hpp"

namespace hotspot {

/// The named, typed fields of one output layer, in their order in the layer.
struct LayerSchema {
    std::vector<FieldDef> fields;

    /// The position of `name`. @throws std::logic_error (a programming error) when absent.
    int at(std::string_view name) const {
        for (std::size_t i = 0; i < fields.size(); ++i)
            if (fields[i].name == name) return int(i);
        throw std::logic_error("layer schema: no field " + std::string(name));
    }
    /// The position of `name`, or -1 (an optional field this layer leaves out).
    int find(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < fields.size(); ++i)
            if (fields[i].name == name) return int(i);
        return -1;
    }
};

} // namespace hotspot
