//! PNG images, decoded under limits: the one place both the envelope (drawn
//! signatures) and the PDF engine (stamps) read them, so that what one
//! accepts the other can draw.

use crate::error::{Error, ErrorCode, Result};

/// Widest or tallest signature image accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 4096;
/// Largest PNG file accepted, in bytes.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;

/// A decoded PNG: 8-bit RGB pixels and, when the image has transparency, an
/// 8-bit alpha channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodedImage {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
    pub alpha: Option<Vec<u8>>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::PdfImageInvalid, message)
}

/// Decodes a PNG of any colour type and depth into 8-bit RGB (+ alpha).
pub(crate) fn decode_png(bytes: &[u8]) -> Result<DecodedImage> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(invalid(format!(
            "the image has {} bytes; the limit is {MAX_IMAGE_BYTES}",
            bytes.len()
        )));
    }
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|e| invalid(format!("the image is not a readable PNG: {e}")))?;
    let (width, height) = {
        let info = reader.info();
        (info.width, info.height)
    };
    if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(invalid(format!(
            "the image is {width} x {height} pixels; each side must be 1 to {MAX_IMAGE_SIDE}"
        )));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| invalid("the image is too large to decode"))?;
    let mut buffer = vec![0; size];
    let frame = reader
        .next_frame(&mut buffer)
        .map_err(|e| invalid(format!("the PNG data is damaged: {e}")))?;
    let pixels = &buffer[..frame.buffer_size()];
    let count = (width as usize) * (height as usize);
    let (rgb, alpha) = match frame.color_type {
        png::ColorType::Rgb => (pixels.to_vec(), None),
        png::ColorType::Rgba => {
            let mut rgb = Vec::with_capacity(count * 3);
            let mut alpha = Vec::with_capacity(count);
            for px in pixels.chunks_exact(4) {
                rgb.extend_from_slice(&px[..3]);
                alpha.push(px[3]);
            }
            (rgb, Some(alpha))
        }
        png::ColorType::Grayscale => (pixels.iter().flat_map(|&g| [g, g, g]).collect(), None),
        png::ColorType::GrayscaleAlpha => {
            let mut rgb = Vec::with_capacity(count * 3);
            let mut alpha = Vec::with_capacity(count);
            for px in pixels.chunks_exact(2) {
                rgb.extend_from_slice(&[px[0], px[0], px[0]]);
                alpha.push(px[1]);
            }
            (rgb, Some(alpha))
        }
        png::ColorType::Indexed => {
            return Err(invalid("the palette of the PNG could not be expanded"));
        }
    };
    if rgb.len() != count * 3 {
        return Err(invalid("the PNG data is shorter than its size"));
    }
    // An alpha channel that is opaque everywhere needs no mask.
    let alpha = alpha.filter(|a| a.iter().any(|&v| v != 255));
    Ok(DecodedImage {
        width,
        height,
        rgb,
        alpha,
    })
}

/// The size of a PNG, once it has been decoded in full under the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PngInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Whether some pixel is not fully opaque.
    pub has_transparency: bool,
}

/// Decodes `bytes` as a PNG under [`MAX_IMAGE_BYTES`] and [`MAX_IMAGE_SIDE`]
/// and returns its size (`PDF_IMAGE_INVALID` when it cannot be drawn).
pub fn inspect_png(bytes: &[u8]) -> Result<PngInfo> {
    let image = decode_png(bytes)?;
    Ok(PngInfo {
        width: image.width,
        height: image.height,
        has_transparency: image.alpha.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(color);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().expect("header");
            writer.write_image_data(data).expect("data");
        }
        out
    }

    #[test]
    fn rgba_images_keep_their_transparency_as_a_mask() {
        let data = [255, 0, 0, 0, 0, 0, 255, 255];
        let image = decode_png(&png(2, 1, png::ColorType::Rgba, &data)).expect("decodes");
        assert_eq!(image.rgb, [255, 0, 0, 0, 0, 255]);
        assert_eq!(image.alpha, Some(vec![0, 255]));
    }

    #[test]
    fn opaque_and_gray_images_need_no_mask() {
        let image = decode_png(&png(
            2,
            1,
            png::ColorType::GrayscaleAlpha,
            &[10, 255, 20, 255],
        ))
        .expect("decodes");
        assert_eq!(image.rgb, [10, 10, 10, 20, 20, 20]);
        assert_eq!(image.alpha, None);
    }

    #[test]
    fn broken_and_huge_images_are_refused() {
        assert_eq!(
            decode_png(b"not a png").expect_err("broken").code(),
            ErrorCode::PdfImageInvalid
        );
        let mut truncated = png(4, 4, png::ColorType::Rgb, &[7; 48]);
        truncated.truncate(truncated.len() - 20);
        assert_eq!(
            decode_png(&truncated).expect_err("truncated").code(),
            ErrorCode::PdfImageInvalid
        );
        let wide = png(
            MAX_IMAGE_SIDE + 1,
            1,
            png::ColorType::Grayscale,
            &vec![0; 4097],
        );
        assert_eq!(
            decode_png(&wide).expect_err("too wide").code(),
            ErrorCode::PdfImageInvalid
        );
    }
}
