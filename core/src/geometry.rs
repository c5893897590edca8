//! Rectangles as a person sees a page: the one unit of placement shared by
//! the envelope (where a field goes) and the PDF engine (where it is drawn).

use serde::{Deserialize, Serialize};

/// A rectangle in PDF points (1/72 inch), from the top-left corner of the
/// page as displayed (after rotation and crop), y growing downwards: what a
/// user sees in a viewer or a drag-and-drop editor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rect {
    /// Distance from the left edge.
    pub x: f64,
    /// Distance from the top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// A rectangle at `(x, y)` from the top-left corner.
    pub fn new(x: f64, y: f64, width: f64, height: f64) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    /// Finite coordinates, non-negative origin and a positive size.
    pub fn is_well_formed(&self) -> bool {
        [self.x, self.y, self.width, self.height]
            .iter()
            .all(|v| v.is_finite())
            && self.x >= 0.0
            && self.y >= 0.0
            && self.width > 0.0
            && self.height > 0.0
    }
}

/// A length in points for a message: one decimal, or scientific notation
/// for magnitudes no page has (`1e308` rather than 309 digits).
pub fn points(value: f64) -> String {
    if !value.is_finite() {
        format!("{value}")
    } else if value.abs() >= 1.0e7 {
        format!("{value:.3e}")
    } else {
        let text = format!("{value:.1}");
        text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
    }
}
