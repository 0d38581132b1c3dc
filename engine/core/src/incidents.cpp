#include "hotspot/incidents.hpp"

namespace hotspot {

std::string_view reason_name(RejectReason r) noexcept {
    switch (r) {
    case RejectReason::missing_coordinate: return "missing_coordinate";
    case RejectReason::unparsable_coordinate: return "unparsable_coordinate";
    case RejectReason::non_finite_coordinate: return "non_finite_coordinate";
    case RejectReason::zero_zero: return "zero_zero";
    case RejectReason::swapped_lat_lon: return "swapped_lat_lon";
    case RejectReason::looks_like_lon_lat: return "looks_like_lon_lat";
    case RejectReason::outside_crs_area: return "outside_crs_area";
    case RejectReason::duplicate_id: return "duplicate_id";
    case RejectReason::bad_geometry: return "bad_geometry";
    case RejectReason::bad_date: return "bad_date";
    case RejectReason::wrong_field_count: return "wrong_field_count";
    case RejectReason::transform_failed: return "transform_failed";
    case RejectReason::multipart_point: return "multipart_point";
    case RejectReason::location_outlier: return "location_outlier";
    case RejectReason::unknown_postcode: return "unknown_postcode";
    }
    return "unknown";
}

std::string_view reason_text(RejectReason r) noexcept {
    switch (r) {
    case RejectReason::missing_coordinate:
        return "no location: the coordinate fields are blank (police.uk publishes some crimes "
               "without a location)";
    case RejectReason::unparsable_coordinate:
        return "a coordinate is not a number; correct it in the source";
    case RejectReason::non_finite_coordinate:
        return "a coordinate is NaN or infinite; correct it in the source";
    case RejectReason::zero_zero:
        return "the coordinate is (0, 0), a placeholder for an unknown location";
    case RejectReason::swapped_lat_lon:
        return "latitude and longitude appear swapped: the point falls in the CRS's area of use "
               "only with x and y exchanged; check the --x/--y columns";
    case RejectReason::looks_like_lon_lat:
        return "metres were expected but the values look like longitude/latitude degrees; give "
               "--crs EPSG:4326 or check the --x/--y columns";
    case RejectReason::outside_crs_area:
        return "the coordinate lies outside the area of use of its CRS; check --crs and the "
               "coordinate columns";
    case RejectReason::duplicate_id:
        return "the incident id repeats an earlier row's; the first row was kept";
    case RejectReason::bad_geometry:
        return "the feature's geometry is not a point (a line or a polygon); give a point layer";
    case RejectReason::bad_date:
        return "the date cannot be read; use YYYY-MM-DD or DD/MM/YYYY";
    case RejectReason::wrong_field_count:
        return "the row has a different number of fields from the header (a truncated line, "
               "an unquoted delimiter or a stray quote); correct the row in the source";
    case RejectReason::transform_failed:
        return "the coordinate could not be transformed to the working CRS; check --crs";
    case RejectReason::multipart_point:
        return "the feature is a MultiPoint of several points, not one place; split it into "
               "points (ogr2ogr -explodecollections) or keep the first point";
    case RejectReason::location_outlier:
        return "the location lies far outside the bulk of the incidents (beyond 3 interquartile "
               "ranges of easting or northing, and over 5 km from any chain of incidents reaching "
               "the bulk): a mistyped coordinate? Correct it, or give --keep-outliers to keep it";
    case RejectReason::unknown_postcode:
        return "the row is placed by its postcode, and the postcode is blank, not a postcode, or "
               "not in the --postcodes lookup (the detail says which); correct it, or give a lookup "
               "that covers it";
    }
    return "unknown";
}

} // namespace hotspot
