//! QR rendering for credit codes: the `qrcode` crate's encoder with one
//! fixed mask, and each row's dark runs drawn as one SVG path, which keeps
//! the markup small.
//!
//! An encoder may choose any of the eight masks, and every reader decodes
//! them all; the usual search for the mask with the lowest penalty exists
//! to break up runs and blocks in structured data. A credit code is a
//! signature and a sealed handle in Base45, as good as random already, so
//! the search (a third of issuing a code with `fast_qr`, most of it with
//! `qrcode`'s own `QrCode::new`) bought nothing.

use qrcode::bits::encode_auto;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, QrResult};
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
    /// Error-correction level Q, as the credit-code format assumes, in the
    /// smallest version that holds `text`.
    pub fn encode(text: &str) -> QrResult<QrMatrix> {
        let bits = encode_auto(text.as_bytes(), EcLevel::Q)?;
        let version = bits.version();
        let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::Q)?;
        let mut canvas = Canvas::new(version, EcLevel::Q);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        canvas.apply_mask(MaskPattern::Checkerboard);
        let dark: Vec<bool> = canvas.into_colors().into_iter().map(|c| c == Color::Dark).collect();
        let width = version.width() as usize;
        assert_eq!(dark.len(), width * width, "a QR matrix is square");
        Ok(QrMatrix { width, dark })
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
    fn a_png_decodes_back_to_the_text_with_a_real_qr_reader() {
        let text = "XY:+80WVVX8W$IMG+C.ND3KH020100KB0*M0DY0W016C1PN1:Y1F+AU9808816KGLGC.T-O3:Y8RM0SCREHH2$RQ:TGB49BQ2OULSFXSF8%BFCU0847+0JEUX3CPQV6*F-7RVLR1 18ZHKVL XL";
        assert_eq!(decode_png(&QrMatrix::encode(text).unwrap().to_png()), text);
    }

    /// Reads a 1-bit PNG's QR code with rqrr, as a phone camera would.
    pub(crate) fn decode_png(png_bytes: &[u8]) -> String {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buffer).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            let bit = buffer[y * info.line_size + x / 8] & (0x80 >> (x % 8));
            if bit == 0 { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn credit_codes_drawn_with_the_fixed_mask_decode_with_a_real_qr_reader() {
        use rand::{Rng, SeedableRng};
        const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        let mut rng = rand::rngs::StdRng::seed_from_u64(45);
        for _ in 0..60 {
            let body: String = (0..144).map(|_| BASE45[rng.gen_range(0..BASE45.len())] as char).collect();
            let text = format!("XY:{}", body.trim());
            assert_eq!(decode_png(&QrMatrix::encode(&text).unwrap().to_png()), text);
        }
    }

    #[test]
    fn a_credit_code_is_drawn_as_a_version_8_qr() {
        let code = format!("XY:{}", "A1 %".repeat(36));
        assert_eq!(code.len(), 147);
        assert_eq!(QrMatrix::encode(&code).unwrap().width(), 49, "version 8 is 49 modules wide");
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
