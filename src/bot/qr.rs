//! A QR image of a link (the check-in link shown at a meeting's door), as PNG.

/// Pixels per QR module; a 29-module code with its quiet zone comes out near 300 px.
const SCALE: usize = 8;
/// The blank border QR readers need, in modules.
const QUIET: usize = 4;

/// The link as a black-on-white PNG.
pub fn png(text: &str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let code = qrcode::QrCode::new(text.as_bytes())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = ((i % modules + QUIET) * SCALE, (i / modules + QUIET) * SCALE);
            for row in y..y + SCALE {
                pixels[row * side + x..row * side + x + SCALE].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let side = u32::try_from(side)?;
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header()?.write_image_data(&pixels)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_a_square_png_with_a_white_border() {
        let bytes = super::png("https://t.me/pb_bot?start=checkin-AB3XYZ").unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.width, info.height);
        assert_eq!(info.width % super::SCALE as u32, 0);
        let side = info.width as usize;
        assert!(buf[..side * super::QUIET * super::SCALE].iter().all(|p| *p == 255), "quiet zone");
        assert!(buf.contains(&0), "dark modules");
    }
}
