//! The results chart (DESIGN §6): one bar per project, its length the project's score, green
//! when funded, grey when not, red when excluded; under it, the pot as a line with the funded
//! projects' costs stacked against it. Shapes are drawn with plotters, text with the shipped
//! NanumGothic font (SIL Open Font License, `assets/fonts/OFL.txt`) so Korean renders on any
//! machine, and the image is encoded as PNG.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::*;

static FONT: &[u8] = include_bytes!("../assets/fonts/NanumGothic.ttf");

/// The most projects drawn; the rest are counted in a last line.
pub const MAX_ROWS: usize = 30;

/// One project's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// The score, and its text (`12 votes`, `30점`).
    pub score: f64,
    pub score_text: String,
    pub cost: f64,
    pub state: BarState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarState {
    Funded,
    NotFunded,
    Excluded,
}

/// What the chart shows; every text already in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsChart {
    pub title: String,
    pub bars: Vec<Bar>,
    pub pot: f64,
    /// The caption of the pot strip (`pot ₩40,000,000 · used ₩30,000,000`).
    pub pot_text: String,
    /// The legend: funded, not funded, excluded.
    pub legend: [String; 3],
    /// `… and 4 more` when there are more than [`MAX_ROWS`] projects.
    pub more_text: Option<String>,
}

const WIDTH: u32 = 1000;
const ROW: u32 = 40;
const LABEL_WIDTH: u32 = 380;
const GREEN: RGBColor = RGBColor(46, 160, 90);
const GREY: RGBColor = RGBColor(180, 184, 190);
const RED: RGBColor = RGBColor(210, 80, 70);
const INK: RGBColor = RGBColor(30, 30, 36);

fn color(state: BarState) -> RGBColor {
    match state {
        BarState::Funded => GREEN,
        BarState::NotFunded => GREY,
        BarState::Excluded => RED,
    }
}

/// The chart as a PNG image.
pub fn png(chart: &ResultsChart) -> Vec<u8> {
    let rows = chart.bars.len().min(MAX_ROWS) as u32;
    let top = 90;
    let strip = top + rows * ROW + if chart.more_text.is_some() { ROW } else { 0 } + 30;
    let height = strip + 130;
    let mut pixels = vec![255u8; (WIDTH * height * 3) as usize];
    let plot_left = LABEL_WIDTH as i32 + 10;
    let plot_width = (WIDTH as i32 - plot_left - 130).max(100);
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (WIDTH, height)).into_drawing_area();
        let max_score = chart.bars.iter().map(|b| b.score).fold(0.0, f64::max).max(1.0);
        for (i, bar) in chart.bars.iter().take(MAX_ROWS).enumerate() {
            let y = (top + i as u32 * ROW) as i32;
            let length = ((bar.score / max_score) * f64::from(plot_width)).round() as i32;
            let _ = area.draw(&Rectangle::new(
                [(plot_left, y + 8), (plot_left + length.max(2), y + ROW as i32 - 8)],
                color(bar.state).filled(),
            ));
        }
        // The pot strip: funded costs stacked left to right, the pot as a line.
        let total = chart.bars.iter().filter(|b| b.state == BarState::Funded).map(|b| b.cost).sum::<f64>();
        let scale = f64::from(WIDTH as i32 - 80) / chart.pot.max(total).max(1.0);
        let y = strip as i32 + 40;
        let pot_x = 40 + (chart.pot * scale) as i32;
        let _ = area.draw(&Rectangle::new([(40, y), (pot_x, y + 30)], RGBColor(232, 234, 237).filled()));
        let mut x = 40.0;
        for bar in chart.bars.iter().filter(|b| b.state == BarState::Funded) {
            let w = bar.cost * scale;
            let _ = area.draw(&Rectangle::new([(x as i32, y), ((x + w) as i32, y + 30)], GREEN.filled()));
            let _ = area.draw(&Rectangle::new([(x as i32, y), ((x + w) as i32, y + 30)], WHITE.stroke_width(1)));
            x += w;
        }
        let _ = area.draw(&PathElement::new(vec![(pot_x, y - 12), (pot_x, y + 42)], INK.stroke_width(3)));
        let _ = area.present();
    }
    let font = FontRef::try_from_slice(FONT).expect("the shipped font is valid");
    let mut text = |x: i32, y: i32, size: f32, s: &str, color: RGBColor| {
        draw_text(&mut pixels, (WIDTH, height), &font, (x, y), size, s, color);
    };
    text(24, 24, 30.0, &chart.title, INK);
    let legend_y = 62;
    let mut lx = 24;
    for (label, c) in chart.legend.iter().zip([GREEN, GREY, RED]) {
        text(lx, legend_y, 18.0, "■", c);
        text(lx + 22, legend_y, 18.0, label, INK);
        lx += 40 + (label.chars().count() as i32) * 12;
    }
    for (i, bar) in chart.bars.iter().take(MAX_ROWS).enumerate() {
        let y = (top + i as u32 * ROW) as i32 + 10;
        text(24, y, 19.0, &fit_label(&bar.label, 26), INK);
        let max_score = chart.bars.iter().map(|b| b.score).fold(0.0, f64::max).max(1.0);
        let end = plot_left + ((bar.score / max_score) * f64::from(plot_width)).round() as i32;
        text(end + 8, y, 17.0, &bar.score_text, INK);
    }
    if let Some(more) = &chart.more_text {
        text(24, (top + rows * ROW) as i32 + 10, 18.0, more, INK);
    }
    text(40, strip as i32, 20.0, &chart.pot_text, INK);
    encode(&pixels, WIDTH, height)
}

/// A label cut to `max` characters with an ellipsis.
fn fit_label(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>())
    }
}

/// Draws `s` with its top-left corner at `at`, blending glyph coverage into the RGB buffer.
fn draw_text(
    pixels: &mut [u8],
    (width, height): (u32, u32),
    font: &FontRef,
    at: (i32, i32),
    size: f32,
    s: &str,
    color: RGBColor,
) {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut caret = at.0 as f32;
    let baseline = at.1 as f32 + scaled.ascent();
    let mut previous = None;
    for c in s.chars() {
        let id = scaled.glyph_id(c);
        if let Some(prev) = previous {
            caret += scaled.kern(prev, id);
        }
        let glyph = id.with_scale_and_position(size, ab_glyph::point(caret, baseline));
        caret += scaled.h_advance(id);
        previous = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else { continue };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let x = bounds.min.x as i32 + gx as i32;
            let y = bounds.min.y as i32 + gy as i32;
            if x < 0 || y < 0 || x >= width as i32 || y >= height as i32 {
                return;
            }
            let i = ((y as u32 * width + x as u32) * 3) as usize;
            for (k, channel) in [color.0, color.1, color.2].into_iter().enumerate() {
                let old = f32::from(pixels[i + k]);
                pixels[i + k] = (old + (f32::from(channel) - old) * coverage.clamp(0.0, 1.0)).round() as u8;
            }
        });
    }
}

fn encode(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("PNG header in memory");
        writer.write_image_data(pixels).expect("PNG data in memory");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(bars: usize) -> ResultsChart {
        ResultsChart {
            title: "🏁 신촌동 투표 결과".into(),
            bars: (0..bars)
                .map(|i| Bar {
                    label: format!("#{i} 어린이 놀이터 그늘막 설치 사업 {i}"),
                    score: (bars - i) as f64,
                    score_text: format!("{}표", bars - i),
                    cost: 10_000_000.0,
                    state: match i % 3 {
                        0 => BarState::Funded,
                        1 => BarState::NotFunded,
                        _ => BarState::Excluded,
                    },
                })
                .collect(),
            pot: 40_000_000.0,
            pot_text: "예산 4,000만 원 중 3,000만 원 배정".into(),
            legend: ["선정".into(), "미선정".into(), "제외".into()],
            more_text: (bars > MAX_ROWS).then(|| format!("외 {}건", bars - MAX_ROWS)),
        }
    }

    #[test]
    fn the_chart_is_a_png_with_korean_text_drawn() {
        let image = png(&chart(5));
        assert_eq!(&image[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(&image));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.width, WIDTH);
        // The title's Hangul is drawn: dark pixels in its band, left of any bar.
        let dark = |y0: u32, y1: u32, x1: u32| {
            (y0..y1)
                .flat_map(|y| (0..x1).map(move |x| (x, y)))
                .filter(|(x, y)| {
                    let i = ((y * info.width + x) * 3) as usize;
                    buf[i] < 100 && buf[i + 1] < 100 && buf[i + 2] < 100
                })
                .count()
        };
        assert!(dark(24, 56, 400) > 200, "the title is drawn");
        // A funded bar is green.
        let i = (((90 + 20) * info.width + LABEL_WIDTH + 15) * 3) as usize;
        assert_eq!((buf[i], buf[i + 1], buf[i + 2]), (GREEN.0, GREEN.1, GREEN.2));
    }

    #[test]
    fn many_projects_fit_with_a_count_of_the_rest() {
        let image = png(&chart(45));
        let decoder = png::Decoder::new(std::io::Cursor::new(&image));
        let reader = decoder.read_info().unwrap();
        assert!(reader.info().height < 90 + 32 * ROW + 200);
    }
}
