//! QR rendering for credit codes. The qrcode crate's own SVG renderer
//! emits one element per module (~2 ms a code); this draws each row's dark
//! runs as one path, which is a few microseconds.

use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write as _;

/// Modules of light border on each side, as the QR standard asks.
const QUIET_ZONE: usize = 4;
/// Pixels per module in the PNG.
const PNG_SCALE: usize = 8;

pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Error-correction level Q, as the credit-code format assumes.
    pub fn encode(text: &str) -> Result<QrMatrix, qrcode::types::QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q)?;
        Ok(QrMatrix { width: code.width(), dark: code.to_colors().into_iter().map(|c| c == Color::Dark).collect() })
    }

    pub fn to_svg(&self) -> String {
        let size = self.width + 2 * QUIET_ZONE;
        let mut path = String::with_capacity(self.width * self.width * 4);
        for y in 0..self.width {
            let row = &self.dark[y * self.width..(y + 1) * self.width];
            let mut x = 0;
            while x < self.width {
                if !row[x] {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && row[x] {
                    x += 1;
                }
                let _ = write!(path, "M{} {}h{}v1h-{}z", start + QUIET_ZONE, y + QUIET_ZONE, x - start, x - start);
            }
        }
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
        )
    }

    /// A 1-bit greyscale PNG, 8 pixels a module.
    pub fn to_png(&self) -> Vec<u8> {
        let side = (self.width + 2 * QUIET_ZONE) * PNG_SCALE;
        let row_bytes = side.div_ceil(8);
        let mut pixels = vec![0xffu8; row_bytes * side];
        for y in 0..self.width {
            for x in 0..self.width {
                if !self.dark[y * self.width + x] {
                    continue;
                }
                for py in 0..PNG_SCALE {
                    let row = (y + QUIET_ZONE) * PNG_SCALE + py;
                    for px in 0..PNG_SCALE {
                        let col = (x + QUIET_ZONE) * PNG_SCALE + px;
                        pixels[row * row_bytes + col / 8] &= !(0x80 >> (col % 8));
                    }
                }
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder.write_header().expect("writing a PNG header to memory");
        writer.write_image_data(&pixels).expect("writing PNG data to memory");
        writer.finish().expect("finishing a PNG in memory");
        out
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_draws_exactly_the_dark_modules() {
        let matrix = QrMatrix::encode("XY:HELLO").unwrap();
        let svg = matrix.to_svg();
        let drawn: usize = svg
            .split('M')
            .skip(1)
            .map(|run| run.split('h').nth(1).unwrap().split('v').next().unwrap().parse::<usize>().unwrap())
            .sum();
        let dark = (0..matrix.width())
            .flat_map(|y| (0..matrix.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| matrix.is_dark(x, y))
            .count();
        assert_eq!(drawn, dark);
    }

    #[test]
    fn the_png_is_a_png_of_the_expected_size() {
        let matrix = QrMatrix::encode("XY:HELLO").unwrap();
        let png = matrix.to_png();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        let side = ((matrix.width() + 8) * 8) as u32;
        assert_eq!((reader.info().width, reader.info().height), (side, side));
    }
}
