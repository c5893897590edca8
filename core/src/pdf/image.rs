//! PNG signature images as image XObjects, with their transparency as a soft
//! mask (ISO 32000-2 §8.9.5, §11.6.5.3).

use lopdf::{Dictionary, Object, ObjectId};

use super::incremental::IncrementalUpdate;
use super::object::name;
use crate::image::DecodedImage;

/// Writes the image (and its soft mask) into `update`.
pub(crate) fn embed_image(
    update: &mut IncrementalUpdate<'_, '_>,
    image: &DecodedImage,
) -> ObjectId {
    let base = |color_space: &str| {
        let mut dict = Dictionary::new();
        dict.set("Type", name("XObject"));
        dict.set("Subtype", name("Image"));
        dict.set("Width", Object::Integer(i64::from(image.width)));
        dict.set("Height", Object::Integer(i64::from(image.height)));
        dict.set("ColorSpace", name(color_space));
        dict.set("BitsPerComponent", Object::Integer(8));
        dict
    };
    let mut dict = base("DeviceRGB");
    if let Some(alpha) = &image.alpha {
        let mask = update.add_stream(base("DeviceGray"), alpha);
        dict.set("SMask", Object::Reference(mask));
    }
    update.add_stream(dict, &image.rgb)
}
