//! Where a merchant is: a WGS-84 point, kept in millionths of a degree so it
//! compares and stores exactly.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A WGS-84 point as the API shows and takes it, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Location {
    /// Latitude, −90 to 90.
    #[schema(minimum = -90, maximum = 90, example = 39.9042)]
    pub lat: f64,
    /// Longitude, −180 to 180.
    #[schema(minimum = -180, maximum = 180, example = 116.4074)]
    pub lon: f64,
}

/// A point in millionths of a degree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeoPoint {
    pub lat_e6: i64,
    pub lon_e6: i64,
}

impl GeoPoint {
    /// The point, if `location` is on the globe.
    pub fn parse(location: Location) -> Result<GeoPoint, String> {
        let Location { lat, lon } = location;
        let on_globe =
            lat.is_finite() && (-90.0..=90.0).contains(&lat) && lon.is_finite() && (-180.0..=180.0).contains(&lon);
        if !on_globe {
            return Err(
                "纬度须在 −90 到 90 之间,经度须在 −180 到 180 之间 / lat must be −90 to 90 and lon −180 to 180".into(),
            );
        }
        Ok(GeoPoint { lat_e6: (lat * 1e6).round() as i64, lon_e6: (lon * 1e6).round() as i64 })
    }

    pub fn location(self) -> Location {
        Location { lat: self.lat_e6 as f64 / 1e6, lon: self.lon_e6 as f64 / 1e6 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_reads_back_as_written_to_the_millionth() {
        let p = GeoPoint::parse(Location { lat: 39.904_211, lon: 116.407_395 }).unwrap();
        assert_eq!(p, GeoPoint { lat_e6: 39_904_211, lon_e6: 116_407_395 });
        assert_eq!(p.location(), Location { lat: 39.904_211, lon: 116.407_395 });
        assert!(GeoPoint::parse(Location { lat: 91.0, lon: 0.0 }).is_err());
        assert!(GeoPoint::parse(Location { lat: 0.0, lon: f64::NAN }).is_err());
    }
}
