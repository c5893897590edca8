//! Page geometry: from rectangles as a user sees the page (points from the
//! top-left corner of the page as displayed) to PDF user space, through the
//! crop box and the page rotation (ISO 32000-2 §7.7.3.3, §14.11.2).

use serde::{Deserialize, Serialize};

use super::object::PdfRect;
use crate::error::{Error, ErrorCode, Result};
use crate::geometry::Rect;

/// How far a rectangle may overhang the page, in points, before it is
/// refused (rounding in editors).
const OVERHANG_TOLERANCE: f64 = 0.5;

/// A page rotation, clockwise, as `/Rotate` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Rotation {
    /// Upright.
    #[default]
    #[serde(rename = "0")]
    None,
    /// 90° clockwise.
    #[serde(rename = "90")]
    Quarter,
    /// 180°.
    #[serde(rename = "180")]
    Half,
    /// 270° clockwise (90° anticlockwise).
    #[serde(rename = "270")]
    ThreeQuarters,
}

impl Rotation {
    /// From a `/Rotate` value: any multiple of 90, negative ones included.
    /// Other values are read as 0, as viewers do.
    pub fn from_degrees(degrees: i64) -> Self {
        match degrees.rem_euclid(360) {
            90 => Self::Quarter,
            180 => Self::Half,
            270 => Self::ThreeQuarters,
            _ => Self::None,
        }
    }

    /// Degrees clockwise: 0, 90, 180 or 270.
    pub fn degrees(self) -> u16 {
        match self {
            Self::None => 0,
            Self::Quarter => 90,
            Self::Half => 180,
            Self::ThreeQuarters => 270,
        }
    }

    fn is_sideways(self) -> bool {
        matches!(self, Self::Quarter | Self::ThreeQuarters)
    }
}

/// Where a page is and how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageGeometry {
    /// The media box, in user space.
    pub media_box: PdfRect,
    /// The crop box (the visible region), in user space, within the media box.
    pub crop_box: PdfRect,
    /// The rotation applied when the page is shown.
    pub rotation: Rotation,
}

impl PageGeometry {
    /// Width and height of the page as displayed, in points.
    pub fn displayed_size(&self) -> (f64, f64) {
        let (w, h) = (self.crop_box.width(), self.crop_box.height());
        if self.rotation.is_sideways() {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// A point of the displayed page (from its top-left corner, y down) in
    /// user space.
    fn user_point(self, dx: f64, dy: f64) -> (f64, f64) {
        let c = &self.crop_box;
        match self.rotation {
            Rotation::None => (c.llx + dx, c.ury - dy),
            Rotation::Quarter => (c.llx + dy, c.lly + dx),
            Rotation::Half => (c.urx - dx, c.lly + dy),
            Rotation::ThreeQuarters => (c.urx - dy, c.ury - dx),
        }
    }

    /// A point of user space on the displayed page (inverse of `user_point`).
    fn displayed_point(self, ux: f64, uy: f64) -> (f64, f64) {
        let c = &self.crop_box;
        match self.rotation {
            Rotation::None => (ux - c.llx, c.ury - uy),
            Rotation::Quarter => (uy - c.lly, ux - c.llx),
            Rotation::Half => (c.urx - ux, uy - c.lly),
            Rotation::ThreeQuarters => (c.ury - uy, c.urx - ux),
        }
    }

    /// Maps a rectangle given from the top-left of the displayed page to user
    /// space. It must lie on the page (`PDF_FIELD_OUTSIDE_PAGE` otherwise).
    pub fn to_user_rect(&self, rect: &Rect) -> Result<PdfRect> {
        let (width, height) = self.displayed_size();
        let fits = rect.is_well_formed()
            && rect.x + rect.width <= width + OVERHANG_TOLERANCE
            && rect.y + rect.height <= height + OVERHANG_TOLERANCE;
        if !fits {
            return Err(Error::new(
                ErrorCode::PdfFieldOutsidePage,
                format!(
                    "rectangle x={} y={} width={} height={} does not fit the displayed page of {width:.1} x {height:.1} pt",
                    crate::geometry::points(rect.x),
                    crate::geometry::points(rect.y),
                    crate::geometry::points(rect.width),
                    crate::geometry::points(rect.height)
                ),
            ));
        }
        let (x1, y1) = self.user_point(rect.x, rect.y);
        let (x2, y2) = self.user_point(rect.x + rect.width, rect.y + rect.height);
        Ok(PdfRect {
            llx: x1.min(x2),
            lly: y1.min(y2),
            urx: x1.max(x2),
            ury: y1.max(y2),
        })
    }

    /// Maps a user-space rectangle (an annotation's `/Rect`) to the displayed
    /// page, from its top-left corner.
    pub fn to_displayed_rect(&self, rect: &PdfRect) -> Rect {
        let (x1, y1) = self.displayed_point(rect.llx, rect.lly);
        let (x2, y2) = self.displayed_point(rect.urx, rect.ury);
        Rect::new(x1.min(x2), y1.min(y2), (x2 - x1).abs(), (y2 - y1).abs())
    }

    /// The `/Matrix` of an appearance stream drawn upright on the displayed
    /// page: a rotation by the page's rotation, anticlockwise, so that the
    /// viewer's clockwise page rotation cancels it (ISO 32000-2 §12.5.5).
    pub fn appearance_matrix(&self) -> [f64; 6] {
        match self.rotation {
            Rotation::None => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            Rotation::Quarter => [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
            Rotation::Half => [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
            Rotation::ThreeQuarters => [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rotation: Rotation) -> PageGeometry {
        let crop = PdfRect {
            llx: 100.0,
            lly: 50.0,
            urx: 700.0,
            ury: 850.0,
        };
        PageGeometry {
            media_box: crop,
            crop_box: crop,
            rotation,
        }
    }

    #[test]
    fn displayed_size_swaps_for_sideways_pages() {
        assert_eq!(page(Rotation::None).displayed_size(), (600.0, 800.0));
        assert_eq!(page(Rotation::Quarter).displayed_size(), (800.0, 600.0));
        assert_eq!(page(Rotation::Half).displayed_size(), (600.0, 800.0));
        assert_eq!(
            page(Rotation::ThreeQuarters).displayed_size(),
            (800.0, 600.0)
        );
    }

    #[test]
    fn top_left_corner_maps_to_the_expected_user_corner() {
        let r = Rect::new(0.0, 0.0, 10.0, 20.0);
        let upright = page(Rotation::None).to_user_rect(&r).expect("fits");
        assert_eq!((upright.llx, upright.ury), (100.0, 850.0));
        // Rotated 90° clockwise: the user bottom-left corner is shown top-left.
        let quarter = page(Rotation::Quarter).to_user_rect(&r).expect("fits");
        assert_eq!(
            (quarter.llx, quarter.lly, quarter.urx, quarter.ury),
            (100.0, 50.0, 120.0, 60.0)
        );
        let half = page(Rotation::Half).to_user_rect(&r).expect("fits");
        assert_eq!((half.urx, half.lly), (700.0, 50.0));
        let three = page(Rotation::ThreeQuarters)
            .to_user_rect(&r)
            .expect("fits");
        assert_eq!((three.urx, three.ury), (700.0, 850.0));
    }

    #[test]
    fn displayed_and_user_rectangles_round_trip() {
        let r = Rect::new(33.0, 120.0, 150.0, 45.0);
        for rotation in [
            Rotation::None,
            Rotation::Quarter,
            Rotation::Half,
            Rotation::ThreeQuarters,
        ] {
            let p = page(rotation);
            let back = p.to_displayed_rect(&p.to_user_rect(&r).expect("fits"));
            assert_eq!(back, r, "{rotation:?}");
        }
    }

    #[test]
    fn rectangles_off_the_page_are_refused() {
        let p = page(Rotation::Quarter);
        assert!(p.to_user_rect(&Rect::new(700.0, 10.0, 100.0, 10.0)).is_ok());
        assert_eq!(
            p.to_user_rect(&Rect::new(701.0, 10.0, 100.0, 10.0))
                .expect_err("overhangs")
                .code(),
            ErrorCode::PdfFieldOutsidePage
        );
        assert!(p.to_user_rect(&Rect::new(0.0, 0.0, 0.0, 10.0)).is_err());
    }

    #[test]
    fn rotate_values_are_normalised() {
        assert_eq!(Rotation::from_degrees(-90), Rotation::ThreeQuarters);
        assert_eq!(Rotation::from_degrees(450), Rotation::Quarter);
        assert_eq!(Rotation::from_degrees(45), Rotation::None);
    }
}
