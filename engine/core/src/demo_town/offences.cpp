// The demo town's offences: the background mix, hours of the day, MO texts.

#include "demo_town/parts.hpp"

namespace hotspot::demo_detail {

// Relative weight of each hour of the day, per pattern.
const std::array<double, 24>& hour_weights(Hours h) {
    static const std::array<double, 24> general = {3, 2, 2, 1, 1, 1, 2, 3, 5, 6, 6, 7,
                                                   7, 7, 7, 8, 8, 8, 8, 7, 6, 5, 5, 4};
    static const std::array<double, 24> shop = {0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 8, 9,
                                                9, 9, 9, 9, 9, 8, 7, 5, 3, 0, 0, 0};
    static const std::array<double, 24> night = {8, 9, 9, 8, 6, 4, 2, 1, 1, 1, 1, 1,
                                                 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5, 6};
    static const std::array<double, 24> evening = {6, 5, 4, 2, 1, 1, 1, 1, 2, 3, 3, 4,
                                                   4, 4, 5, 6, 7, 7, 8, 8, 8, 8, 8, 7};
    static const std::array<double, 24> office = {1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7,
                                                  7, 7, 7, 7, 6, 5, 3, 2, 2, 1, 1, 1};
    switch (h) {
    case Hours::shop:
        return shop;
    case Hours::night:
        return night;
    case Hours::evening:
        return evening;
    case Hours::office:
        return office;
    case Hours::general:
        break;
    }
    return general;
}

const DemoOffence burglary_dwelling{"28E", "Burglary", "Burglary - residential (dwelling)"};
const DemoOffence assault_injury{"8N", "Violence and sexual offences", "Assault with injury"};
const DemoOffence common_assault{"105A", "Violence and sexual offences",
                                 "Assault without injury (common assault)"};
const DemoOffence possession_cannabis{"92D", "Drugs", "Possession of cannabis"};
const DemoOffence possession_other{"92E", "Drugs",
                                   "Possession of controlled drugs (excluding cannabis)"};

const std::vector<const char*> ckb_mo = {
    "Entry via rear door, car keys taken from hallway, vehicle driven away",
    "Front door lock snapped, keys to Audi A4 taken from kitchen, vehicle driven away from "
    "driveway",
    "Letterbox fishing, car keys hooked from hall table, vehicle driven away",
    "Insecure rear door, vehicle keys taken from kitchen drawer, Range Rover driven away "
    "overnight",
    "Patio door forced, handbag and car keys taken, BMW X5 driven away from driveway",
};

const std::vector<OffenceSpec>& offence_specs() {
    static const std::vector<OffenceSpec> specs = {
        {{"ASB", "Anti-social behaviour", "Anti-social behaviour"},
         22,
         {4, 1, 0.5},
         Hours::evening,
         {"Street", "Public open space", "Street", "Dwelling"},
         {"Group of youths shouting and throwing stones at passing cars",
          "Neighbour playing loud music late at night",
          "Off-road motorbikes riding across playing fields",
          "Youths congregating in shop doorway, verbally abusive to staff"}},
        {assault_injury,
         7,
         {4, 1, 0.4},
         Hours::general,
         {"Dwelling", "Dwelling", "Street", "Public open space"},
         {"Victim punched to face, cut to lip, offender known to victim",
          "Victim assaulted with bottle, laceration to head",
          "Domestic, victim grabbed by throat and pushed into wall"}},
        {common_assault,
         10,
         {4, 1, 0.4},
         Hours::general,
         {"Dwelling", "Dwelling", "Street", "Shop"},
         {"Victim pushed and slapped during argument",
          "Victim shoved to ground, offender shouted \"what are you looking at\"",
          "Offender spat at victim during dispute over parking"}},
        {burglary_dwelling,
         5,
         {0.8, 1, 0.8},
         Hours::general,
         {"Dwelling"},
         {"Entry via rear window, jewellery and cash taken from bedroom",
          "Rear door forced with tool, laptop and handbag taken",
          "Insecure front door, purse taken from kitchen worktop",
          "Patio door lock snapped, television and games console taken",
          "Attempted entry, scratch marks to rear door lock, no entry gained"}},
        // A few car key burglaries happen everywhere: the background the hot spots stand above.
        {burglary_dwelling, 0.5, {0.5, 1, 1}, Hours::night, {"Dwelling"}, ckb_mo},
        {{"30C", "Burglary", "Burglary - business and community"},
         2,
         {4, 1, 0.5},
         Hours::night,
         {"Shop", "Commercial premises"},
         {"Rear door of premises forced, cash and stock taken",
          "Roller shutter pried open, cigarettes taken",
          "Entry via roof skylight, tools taken from workshop"}},
        {{"45", "Vehicle crime", "Theft from a motor vehicle"},
         5,
         {2, 1, 1},
         Hours::night,
         {"Street", "Car park", "Street"},
         {"Nearside window smashed, bag taken from passenger seat",
          "Vehicle left insecure, sat nav taken from glovebox",
          "Catalytic converter cut from underneath vehicle"}},
        {{"48", "Vehicle crime", "Theft or unauthorised taking of a motor vehicle"},
         2,
         {2, 1, 1},
         Hours::night,
         {"Street", "Car park"},
         {"Vehicle taken from street overnight, no keys taken, suspected relay attack",
          "Motorcycle taken from outside address, steering lock broken"}},
        {{"46", "Shoplifting", "Shoplifting"},
         8,
         {15, 1, 0.3},
         Hours::shop,
         {"Shop"},
         {"Offender concealed meat products in bag, left without paying",
          "Alcohol taken from shelves, offender decamped on foot",
          "Razor blades concealed, detained by store security"}},
        {{"58A", "Criminal damage and arson", "Criminal damage to a dwelling"},
         4,
         {2, 1, 0.6},
         Hours::evening,
         {"Dwelling"},
         {"Front window of dwelling smashed with brick", "Door damaged by kicking, no entry"}},
        {{"58C", "Criminal damage and arson", "Criminal damage to a vehicle"},
         4,
         {2, 1, 0.6},
         Hours::night,
         {"Street", "Car park"},
         {"Vehicle keyed along offside panels", "Tyres slashed on vehicle parked outside address"}},
        {possession_cannabis,
         1.5,
         {3, 1, 0.3},
         Hours::evening,
         {"Street", "Public open space", "Dwelling"},
         {"Stop and search, small quantity of cannabis found in jacket pocket",
          "Smell of cannabis from vehicle, herbal cannabis found, street warning"}},
        {possession_other,
         0.5,
         {3, 1, 0.3},
         Hours::evening,
         {"Street", "Dwelling"},
         {"Stop and search, wrap of cocaine found in wallet"}},
        {{"92A", "Drugs", "Trafficking in controlled drugs"},
         0.6,
         {3, 1, 0.3},
         Hours::office,
         {"Dwelling", "Street"},
         {"Warrant executed, cannabis plants and cash seized, intent to supply",
          "Subject seen handing packages to others, 12 wraps of heroin recovered"}},
        {{"49", "Other theft", "Other theft"},
         8,
         {4, 1, 0.6},
         Hours::general,
         {"Street", "Shop", "Public open space", "Dwelling"},
         {"Mobile phone taken from table while victim distracted", "Wallet taken from open handbag",
          "Parcel taken from doorstep after delivery"}},
        {{"44", "Bicycle theft", "Theft of a pedal cycle"},
         3,
         {3, 1, 0.5},
         Hours::general,
         {"Street", "Dwelling"},
         {"Pedal cycle taken from rack, lock cut", "Unlocked bicycle taken from front garden"}},
        {{"9A", "Public order", "Public fear, alarm or distress"},
         5,
         {4, 1, 0.3},
         Hours::evening,
         {"Street", "Shop", "Licensed premises"},
         {"Offender shouting and swearing in street, causing alarm to passers by",
          "Threats made to shop staff, no assault"}},
    };
    return specs;
}

const std::vector<const char*> ppv_mo = {
    "Fight outside bar at closing time, victim punched, offender left on foot",
    "Victim headbutted in taxi queue, cut above eye",
    "Group disorder outside nightclub, victim kicked while on ground",
    "Door staff assaulted while refusing entry, offender shouted \"you're barred\"",
    "Glass thrown in beer garden, victim cut to hand",
};
const std::vector<const char*> possession_mo = {
    "Stop and search, small quantity of cannabis found in jacket pocket",
    "Smell of cannabis, herbal cannabis found in bum bag, community resolution",
    "Stop and search in alleyway, wrap of cocaine found in sock",
    "Seen smoking cannabis in car park, remainder seized",
};

} // namespace hotspot::demo_detail
