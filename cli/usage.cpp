#include "usage.hpp"

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace hotspot::cli {

namespace {

std::map<const CLI::Option*, OptionNotes>& registry() {
    static std::map<const CLI::Option*, OptionNotes> notes;
    return notes;
}

bool is_flag(const CLI::Option& o) {
    return o.get_expected_max() == 0 || o.get_type_size_max() == 0;
}

std::string type_of(const CLI::Option& o) {
    if (is_flag(o)) return "bool";
    const std::string t = o.get_type_name();
    if (t == "FLOAT") return "number";
    if (t == "INT" || t == "UINT") return "integer";
    return "string";
}

nlohmann::json option_json(const CLI::Option& o) {
    nlohmann::json j;
    std::vector<std::string> names;
    for (const auto& n : o.get_snames()) names.push_back("-" + n);
    for (const auto& n : o.get_lnames()) names.push_back("--" + n);
    if (names.empty()) names.push_back(o.get_name());  // a positional
    const OptionNotes* notes = nullptr;
    if (auto it = registry().find(&o); it != registry().end()) notes = &it->second;
    j["flag"] = o.get_lnames().empty() ? names.front() : "--" + o.get_lnames().front();
    j["names"] = names;
    j["positional"] = o.get_lnames().empty() && o.get_snames().empty();
    j["toml_key"] = notes && !notes->toml_key.empty() ? nlohmann::json(notes->toml_key) : nlohmann::json();
    j["type"] = type_of(o);
    j["default"] = is_flag(o) || o.get_default_str().empty() ? nlohmann::json() : nlohmann::json(o.get_default_str());
    j["choices"] = notes ? notes->choices : std::vector<std::string>{};
    j["units"] = notes && !notes->units.empty() ? nlohmann::json(notes->units) : nlohmann::json();
    j["help"] = o.get_description();
    j["required"] = o.get_required();
    j["repeatable"] = !is_flag(o) && o.get_items_expected_max() > 1;
    return j;
}

} // namespace

CLI::Option* note(CLI::Option* opt, OptionNotes notes) {
    registry()[opt] = std::move(notes);
    return opt;
}

std::vector<std::string> choice_list(const std::vector<std::string_view>& names) {
    return {names.begin(), names.end()};
}

std::string choice_text(const std::vector<std::string>& choices) {
    std::string s;
    for (std::size_t i = 0; i < choices.size(); ++i)
        s += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    return s;
}

std::string json_usage(const CLI::App& app) {
    nlohmann::json j;
    j["command"] = app.get_parent() ? app.get_name() : "";
    j["description"] = app.get_description();
    j["options"] = nlohmann::json::array();
    for (const CLI::Option* o : app.get_options()) j["options"].push_back(option_json(*o));
    if (!app.get_parent()) {
        j["commands"] = nlohmann::json::array();
        for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
            j["commands"].push_back({{"command", sub->get_name()}, {"description", sub->get_description()}});
    }
    return j.dump(2) + "\n";
}

void add_json_usage(CLI::App& app) {
    const CLI::App* self = &app;
    app.add_flag_callback(
           "--json-usage",
           [self]() {
               std::cout << json_usage(*self);
               throw CLI::Success();
           },
           "Print this command's options as JSON (flag, TOML key, type, default, choices, units, help) and exit")
        ->trigger_on_parse();
}

} // namespace hotspot::cli
