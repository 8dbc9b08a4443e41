//! Figures: precision–recall curves of every method, and maps of the codes in two dimensions.
//!
//! PNG files drawn with plotters, written to a temporary name beside the destination and
//! renamed into place. Codes wider than two numbers are projected on their two principal
//! components.

use std::path::Path;

use ndarray::{Array2, ArrayView2, Axis};
use plotters::prelude::*;

use crate::eval::CurvePoint;
use crate::search::lsa::symmetric_eigen;
use crate::{Error, Result};

/// Most labels a map gives their own colour; the rest are drawn grey as "other".
pub const MAP_LABELS: usize = 20;

/// The rows of `codes` (shape `(n, d)`) on their two principal components, shape `(n, 2)`;
/// codes of width 2 are returned as they are, and width 1 gets a zero second axis.
pub fn project_2d(codes: ArrayView2<f32>) -> Array2<f32> {
    let (n, d) = codes.dim();
    if d == 2 {
        return codes.to_owned();
    }
    let mut out = Array2::zeros((n, 2));
    if d < 2 || n == 0 {
        if d == 1 {
            out.column_mut(0).assign(&codes.column(0));
        }
        return out;
    }
    let mean = codes
        .mean_axis(Axis(0))
        .unwrap_or_else(|| ndarray::Array1::zeros(d));
    let centred = &codes - &mean;
    let wide = centred.mapv(f64::from);
    let covariance = wide.t().dot(&wide) / n.max(2) as f64;
    let (_, vectors) = symmetric_eigen(covariance.view());
    let axes = vectors.slice(ndarray::s![.., 0..2]).mapv(|v| v as f32);
    centred.dot(&axes)
}

/// Draws into a temporary PNG beside `path`, then renames it into place.
fn draw_png(
    path: &Path,
    draw: impl FnOnce(&Path) -> std::result::Result<(), String>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".topics-plot-")
        .suffix(".png")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    draw(temp.path()).map_err(|e| Error::input(path, format!("cannot draw the figure: {e}")))?;
    crate::files::make_readable(temp.path()).map_err(|e| Error::io(temp.path(), e))?;
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes grey intensities in [0,1] (shape (height, width), values clamped) to a PNG at `path`,
/// atomically: a temporary file beside it renamed into place.
///
/// 0 is black and 1 white; a value that is NaN is drawn black.
///
/// # Errors
/// When `pixels` is empty or more than `u32::MAX` wide or tall, and when the file cannot be
/// written.
pub fn write_grey_png(path: &Path, pixels: ArrayView2<f32>) -> Result<()> {
    let (height, width) = pixels.dim();
    let side = |n: usize| u32::try_from(n).ok().filter(|&n| n > 0);
    let (Some(w), Some(h)) = (side(width), side(height)) else {
        return Err(Error::input(
            path,
            format!("cannot draw a picture of {height} × {width} pixels; it needs at least one"),
        ));
    };
    // Rows in order, whatever the layout of the view.
    let bytes: Vec<u8> = pixels
        .rows()
        .into_iter()
        .flat_map(|row| {
            row.into_iter()
                .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
        })
        .collect();
    let picture = image::GrayImage::from_raw(w, h, bytes)
        .expect("one byte for each of the height × width pixels");
    draw_png(path, |file| {
        picture
            .save_with_format(file, image::ImageFormat::Png)
            .map_err(|e| e.to_string())
    })
}

/// Precision against recall (on a log scale) of each named method, as the papers draw it.
pub fn curves_png(path: &Path, title: &str, curves: &[(String, Vec<CurvePoint>)]) -> Result<()> {
    draw_png(path, |file| {
        let root = BitMapBackend::new(file, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let smallest = curves
            .iter()
            .flat_map(|(_, points)| points.iter().map(|p| p.recall))
            .filter(|&r| r > 0.0)
            .fold(1.0f64, f64::min)
            .max(1e-5);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 24))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d((smallest..1.0f64).log_scale(), 0.0f64..1.0f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("recall")
            .y_desc("precision")
            .x_labels(8)
            .x_label_formatter(&|v| {
                if *v < 0.01 {
                    format!("{v:.0e}")
                } else {
                    format!("{v:.2}")
                }
            })
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, (name, points)) in curves.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let line: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.recall > 0.0)
                .map(|p| (p.recall, p.precision))
                .collect();
            chart
                .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            chart
                .draw_series(line.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })
}

/// Every document as a point of its 2-D code, coloured by its first label.
pub fn map_png(path: &Path, title: &str, points: ArrayView2<f32>, labels: &[String]) -> Result<()> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for label in labels {
        *counts.entry(label.as_str()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let named: Vec<&str> = ranked.iter().take(MAP_LABELS).map(|(l, _)| *l).collect();
    let bounds = |axis: usize| {
        let column = points.column(axis);
        let lo = column.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = column.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        if lo.is_finite() && hi > lo {
            (lo as f64, hi as f64)
        } else {
            (-1.0, 1.0)
        }
    };
    let ((x0, x1), (y0, y1)) = (bounds(0), bounds(1));
    draw_png(path, |file| {
        let root = BitMapBackend::new(file, (1000, 800)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 24))
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| e.to_string())?;
        chart.configure_mesh().draw().map_err(|e| e.to_string())?;
        let other: Vec<(f64, f64)> = points
            .rows()
            .into_iter()
            .zip(labels)
            .filter(|(_, l)| !named.contains(&l.as_str()))
            .map(|(p, _)| (p[0] as f64, p[1] as f64))
            .collect();
        if !other.is_empty() {
            let grey = RGBColor(170, 170, 170);
            chart
                .draw_series(other.into_iter().map(|p| Circle::new(p, 2, grey.filled())))
                .map_err(|e| e.to_string())?
                .label("other")
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, grey.filled()));
        }
        for (i, name) in named.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let mine: Vec<(f64, f64)> = points
                .rows()
                .into_iter()
                .zip(labels)
                .filter(|(_, l)| l.as_str() == *name)
                .map(|(p, _)| (p[0] as f64, p[1] as f64))
                .collect();
            chart
                .draw_series(mine.into_iter().map(|p| Circle::new(p, 2, color.filled())))
                .map_err(|e| e.to_string())?
                .label(if name.is_empty() { "(no label)" } else { name })
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })
}

/// Images side by side: each of `rows` (shape `(images, height·width)`, intensities in
/// [0, 1]) becomes one row of the picture, with a grey line between images. Small images are
/// enlarged (nearest neighbour) to about 56 pixels, so that the picture is easy to look at.
pub fn image_grid(rows: &[ArrayView2<f32>], (height, width): (usize, usize)) -> Array2<f32> {
    const GAP: usize = 2;
    let scale = (56 / height.max(1)).max(1);
    let columns = rows.iter().map(|r| r.nrows()).max().unwrap_or(0);
    let (cell_h, cell_w) = (height * scale + GAP, width * scale + GAP);
    let mut grid = Array2::from_elem((rows.len() * cell_h + GAP, columns * cell_w + GAP), 0.5f32);
    for (r, images) in rows.iter().enumerate() {
        for (c, image) in images.rows().into_iter().enumerate() {
            for y in 0..height * scale {
                for x in 0..width * scale {
                    let value = image.get((y / scale) * width + x / scale).copied();
                    grid[[GAP + r * cell_h + y, GAP + c * cell_w + x]] =
                        value.unwrap_or(0.0).clamp(0.0, 1.0);
                }
            }
        }
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn projection_keeps_the_main_direction() {
        let codes = array![
            [0.0f32, 0.0, 1.0],
            [2.0, 2.0, 1.0],
            [4.0, 4.0, 1.0],
            [6.0, 6.1, 1.0]
        ];
        let flat = project_2d(codes.view());
        assert_eq!(flat.dim(), (4, 2));
        let spread: Vec<f32> = flat.column(0).to_vec();
        assert!((spread[3] - spread[0]).abs() > 8.0, "{spread:?}");
        assert!(flat.column(1).iter().all(|v| v.abs() < 0.2));
    }

    #[test]
    fn draws_pngs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let points = array![[0.0f32, 1.0], [1.0, 0.5], [0.3, 0.2]];
        let labels = ["a".to_string(), "b".to_string(), "a".to_string()];
        let map = dir.path().join("map.png");
        map_png(&map, "map", points.view(), &labels).expect("drawn");
        let curve = vec![
            CurvePoint {
                retrieved: 1,
                precision: 0.9,
                recall: 0.01,
            },
            CurvePoint {
                retrieved: 10,
                precision: 0.5,
                recall: 0.5,
            },
        ];
        let curves = dir.path().join("curves.png");
        curves_png(&curves, "curves", &[("codes".to_string(), curve)]).expect("drawn");
        for path in [map, curves] {
            let bytes = std::fs::read(&path).expect("written");
            assert_eq!(&bytes[1..4], b"PNG");
        }
    }

    #[test]
    fn grey_pictures_round_trip_clamped() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("digit.png");
        // Stored column by column, to show that the layout of the view does not matter.
        let columns = array![[0.0f32, -1.0], [0.5, 2.0], [1.0, f32::NAN]];
        write_grey_png(&path, columns.t())?;
        let read = crate::corpus::items::read_picture(&path, (2, 3))?;
        let expected = [0.0, 128.0 / 255.0, 1.0, 0.0, 1.0, 0.0];
        for (value, expected) in read.iter().zip(expected) {
            assert!((value - expected).abs() < 1e-6, "{read:?}");
        }
        let leftovers = std::fs::read_dir(dir.path()).map_err(|e| Error::io(dir.path(), e))?;
        assert_eq!(leftovers.count(), 1, "no temporary file is left behind");

        let empty = ndarray::Array2::<f32>::zeros((0, 3));
        assert!(write_grey_png(&path, empty.view()).is_err());
        Ok(())
    }
}
