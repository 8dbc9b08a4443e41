//! Reading a folder of pictures: one item per PNG or JPEG file, labelled by its folder.
//!
//! The folder is walked as a document tree is (see `tree`): in sorted order, hidden files and
//! folders passed over, links followed but loops and broken links skipped with a reason. An id
//! is the path below the folder with `/` between components, a label the name of the folder
//! that holds the file (`""` at the top). Files named `.png`, `.jpg` or `.jpeg` in any case are
//! pictures; other files are passed over. Each picture becomes grey (luma), is resized to the size
//! asked for unless it has that size already (the aspect ratio is not kept), and its pixels,
//! row by row, become intensities in `[0, 1]` where 1 is white. A picture that cannot be decoded
//! is skipped with a warning and a reason, so one bad file does not stop a read of thousands.
//! Decoding is limited in width, height and memory, so a crafted header cannot exhaust memory.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use ndarray::{Array2, Axis};
use rayon::prelude::*;

use super::Skipped;
use super::items::{Items, Source};
use super::tree::{self, Found};
use crate::{Error, Result};

/// The file extensions of pictures, compared without regard to case.
const EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// The widest and tallest picture decoded, in pixels.
const MAX_SIDE: u32 = 20_000;

/// The most memory one decoder may allocate: 256 MiB.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// The most pixels a picture may be resized to: 4096 × 4096.
const MAX_PIXELS: usize = 1 << 24;

/// One image file as grey intensities in [0, 1], resized to `size` (height, width): length h*w,
/// row-major.
///
/// # Errors
/// When `size` has a zero or more than 4096 × 4096 pixels, and when the file cannot be read or
/// decoded as an image (the message says why).
pub fn read_picture(path: &Path, size: (usize, usize)) -> Result<Vec<f32>> {
    check_size(size)?;
    decode(path, size).map_err(|reason| Error::input(path, reason))
}

/// Whether `path` is named like a picture.
pub(crate) fn is_picture_name(path: &Path) -> bool {
    path.extension().is_some_and(|extension| {
        EXTENSIONS
            .iter()
            .any(|known| extension.eq_ignore_ascii_case(known))
    })
}

/// Whether the file at `path` starts like a PNG or a JPEG, whatever its name.
pub(crate) fn has_picture_magic(path: &Path) -> Result<bool> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut start = Vec::with_capacity(8);
    file.take(8)
        .read_to_end(&mut start)
        .map_err(|e| Error::io(path, e))?;
    Ok(start.starts_with(b"\x89PNG\r\n\x1a\n") || start.starts_with(&[0xFF, 0xD8, 0xFF]))
}

/// A picture found by the walk, to be decoded.
struct Candidate {
    id: String,
    label: String,
    path: PathBuf,
}

/// Reads every picture under `root`, resized to `size` (height, width).
pub(crate) fn read(root: &Path, size: (usize, usize)) -> Result<Items> {
    check_size(size)?;
    if !root.is_dir() {
        return Err(Error::input(
            root,
            "is not a folder; pictures are read from a folder of .png / .jpg files, one \
             subfolder per label",
        ));
    }
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    for found in tree::walk(root)? {
        match found {
            Found::File { id, labels, entry } if is_picture_name(entry.path()) => {
                let label = labels.into_iter().next().unwrap_or_default();
                let path = entry.into_path();
                candidates.push(Candidate { id, label, path });
            }
            Found::File { entry, .. } => {
                tracing::debug!(path = %entry.path().display(), "passed over: not a picture");
            }
            Found::Unreachable { id, reason, origin } if is_picture_name(Path::new(&id)) => {
                tracing::warn!("skipped {origin}: {reason}");
                skipped.push(Skipped { id, reason });
            }
            Found::Unreachable { origin, reason, .. } => {
                tracing::debug!("passed over {origin}: {reason}");
            }
        }
    }

    // Names that are not valid UTF-8 get lossy ids, which may meet.
    let mut seen = HashSet::new();
    if let Some(twice) = candidates.iter().find(|c| !seen.insert(c.id.as_str())) {
        return Err(Error::input(
            root,
            format!(
                "the id {:?} occurs twice, as file names that are not valid UTF-8 became the \
                 same; ids must be unique, so rename one of the files",
                twice.id
            ),
        ));
    }

    // Each picture is decoded straight into its row; the order of rows is the walk's whatever
    // the threads do.
    let mut values = Array2::<f32>::zeros((candidates.len(), size.0 * size.1));
    let results: Vec<Result<(), String>> = values
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(candidates.par_iter())
        .map(|(mut row, candidate)| {
            let pixels = decode(&candidate.path, size)?;
            row.assign(&ndarray::ArrayView1::from(&pixels));
            Ok(())
        })
        .collect();

    let (mut ids, mut labels, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    for (row, (candidate, result)) in candidates.into_iter().zip(results).enumerate() {
        match result {
            Ok(()) => {
                ids.push(candidate.id);
                labels.push(candidate.label);
                kept.push(row);
            }
            Err(reason) => {
                tracing::warn!("skipped {:?}: {reason}", candidate.path);
                skipped.push(Skipped {
                    id: candidate.id,
                    reason,
                });
            }
        }
    }
    if ids.is_empty() {
        let reasons: Vec<String> = skipped
            .iter()
            .take(3)
            .map(|s| format!("{}: {}", s.id, s.reason))
            .collect();
        let because = if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({} skipped; {})", skipped.len(), reasons.join("; "))
        };
        return Err(Error::input(
            root,
            format!(
                "holds no PNG or JPEG picture that could be decoded{because}; give a folder of \
                 .png / .jpg files, one subfolder per label"
            ),
        ));
    }
    if kept.len() < values.nrows() {
        values = values.select(Axis(0), &kept);
    }
    Ok(Items {
        ids,
        labels,
        values,
        shape: Some(size),
        skipped,
        source: Source::Pictures,
    })
}

/// An error unless `size` (height, width) is a size pictures can be resized to.
fn check_size((height, width): (usize, usize)) -> Result<()> {
    if height == 0 || width == 0 || height.saturating_mul(width) > MAX_PIXELS {
        return Err(Error::setting(
            "size",
            format!("{height}x{width}"),
            format!(
                "pictures need a height and width of at least 1 and at most {MAX_PIXELS} pixels"
            ),
        ));
    }
    Ok(())
}

/// Decodes the picture at `path` into grey intensities of `size`, or says why it cannot.
fn decode(path: &Path, (height, width): (usize, usize)) -> Result<Vec<f32>, String> {
    let unreadable = |e: std::io::Error| format!("cannot be read: {e}");
    let mut reader = image::io::Reader::open(path)
        .map_err(unreadable)?
        .with_guessed_format()
        .map_err(unreadable)?;
    let mut limits = image::io::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let picture = reader
        .decode()
        .map_err(|e| format!("cannot be decoded as a picture: {e}"))?;

    // `check_size` keeps both sides far below `u32::MAX`.
    let (width, height) = (width as u32, height as u32);
    let mut grey = picture.into_luma8();
    if grey.dimensions() != (width, height) {
        grey = image::imageops::resize(&grey, width, height, FilterType::Triangle);
    }
    Ok(grey
        .into_raw()
        .into_iter()
        .map(|pixel| f32::from(pixel) / 255.0)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::items::tests::{encoded, input_message, png, put, scratch};
    use crate::corpus::items::{ReadOptions, read as read_items};

    fn read_pictures(root: &Path, size: (usize, usize)) -> Result<Items> {
        let options = ReadOptions {
            size,
            ..ReadOptions::default()
        };
        read_items(root, Source::Pictures, &options)
    }

    fn jpeg(width: u32, height: u32, value: u8) -> Vec<u8> {
        encoded(image::ImageFormat::Jpeg, width, height, value)
    }

    #[test]
    fn folders_are_labels_and_pictures_are_resized() -> Result<()> {
        let dir = scratch()?;
        put(dir.path(), "seven/b.png", &png(28, 28, 255))?;
        put(dir.path(), "seven/a.PNG", &png(56, 14, 0))?;
        put(dir.path(), "one/c.jpeg", &jpeg(10, 10, 128))?;
        put(dir.path(), "top.jpg", &jpeg(3, 5, 64))?;
        put(dir.path(), "one/notes.txt", b"not a picture")?;
        put(dir.path(), ".hidden/d.png", &png(4, 4, 1))?;

        let items = read_pictures(dir.path(), (28, 28))?;
        assert_eq!(
            items.ids,
            ["one/c.jpeg", "seven/a.PNG", "seven/b.png", "top.jpg"]
        );
        assert_eq!(items.labels, ["one", "seven", "seven", ""]);
        assert_eq!(items.values.dim(), (4, 784));
        assert_eq!(items.shape, Some((28, 28)));
        assert_eq!(items.source, Source::Pictures);
        assert!(items.skipped.is_empty());

        let row = |i: usize| items.values.row(i);
        assert!(row(1).iter().all(|v| v.abs() < 1e-6), "black stays black");
        assert!(
            row(2).iter().all(|v| (v - 1.0).abs() < 1e-6),
            "white stays white"
        );
        assert!(
            row(0).iter().all(|v| (v - 128.0 / 255.0).abs() < 0.03),
            "JPEG grey"
        );
        Ok(())
    }

    #[test]
    fn a_picture_that_cannot_be_decoded_is_skipped_with_a_reason() -> Result<()> {
        let dir = scratch()?;
        put(dir.path(), "a/good.png", &png(2, 3, 10))?;
        let mut corrupt = png(2, 3, 10);
        corrupt.truncate(corrupt.len() / 2);
        put(dir.path(), "a/corrupt.png", &corrupt)?;
        put(dir.path(), "a/text.jpg", b"just words, despite the name")?;

        let items = read_pictures(dir.path(), (3, 2))?;
        assert_eq!(items.ids, ["a/good.png"]);
        assert_eq!(items.values.dim(), (1, 6));
        let skipped: Vec<&str> = items.skipped.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(skipped, ["a/corrupt.png", "a/text.jpg"]);
        for skip in &items.skipped {
            assert!(
                skip.reason.starts_with("cannot be decoded"),
                "{}",
                skip.reason
            );
        }
        Ok(())
    }

    #[test]
    fn a_folder_without_pictures_is_an_error_naming_it() -> Result<()> {
        let dir = scratch()?;
        put(dir.path(), "a/notes.txt", b"words")?;
        let message = input_message(read_pictures(dir.path(), (28, 28)));
        assert!(
            message.contains("holds no PNG or JPEG picture"),
            "{message}"
        );

        put(dir.path(), "a/bad.png", b"not a png")?;
        let Err(error) = read_pictures(dir.path(), (28, 28)) else {
            panic!("a folder of one bad picture must fail");
        };
        let message = error.to_string();
        assert!(
            message.starts_with(&dir.path().display().to_string()),
            "{message}"
        );
        assert!(
            message.contains("1 skipped; a/bad.png: cannot be decoded"),
            "{message}"
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn lossy_ids_that_collide_are_an_error() -> Result<()> {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;

        let dir = scratch()?;
        for name in [&b"a\xFC.png"[..], &b"a\xFD.png"[..]] {
            let path = dir.path().join(OsStr::from_bytes(name));
            std::fs::write(&path, png(1, 1, 0)).map_err(|e| Error::io(&path, e))?;
        }
        let message = input_message(read_pictures(dir.path(), (1, 1)));
        assert!(message.contains("occurs twice"), "{message}");
        Ok(())
    }

    #[test]
    fn one_picture_is_read_row_by_row() -> Result<()> {
        let dir = scratch()?;
        let mut picture = image::GrayImage::new(2, 1);
        picture.put_pixel(1, 0, image::Luma([255]));
        let path = dir.path().join("p.png");
        picture
            .save(&path)
            .map_err(|e| Error::input(&path, e.to_string()))?;
        let pixels = read_picture(&path, (1, 2))?;
        assert_eq!(pixels.len(), 2);
        assert!(
            pixels[0].abs() < 1e-6 && (pixels[1] - 1.0).abs() < 1e-6,
            "{pixels:?}"
        );
        Ok(())
    }

    #[test]
    fn sizes_are_checked() {
        for size in [(0, 28), (28, 0), (5000, 5000)] {
            let result = read_picture(Path::new("unused.png"), size);
            assert!(
                matches!(result, Err(Error::Setting { .. })),
                "{size:?}: {result:?}"
            );
        }
    }

    #[test]
    fn a_huge_header_is_refused_without_decoding() -> Result<()> {
        // A valid PNG header that claims 100000 × 100000 pixels, with no data after it.
        let mut header = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let ihdr = [
            &100_000u32.to_be_bytes()[..],
            &100_000u32.to_be_bytes(),
            &[8, 0, 0, 0, 0],
        ];
        let body: Vec<u8> = ihdr.concat();
        header.extend(&body);
        let mut crc = flate2::Crc::new();
        crc.update(b"IHDR");
        crc.update(&body);
        header.extend(crc.sum().to_be_bytes());
        let dir = scratch()?;
        let path = put(dir.path(), "huge.png", &header)?;
        let message = input_message(read_picture(&path, (28, 28)));
        assert!(message.contains("cannot be decoded"), "{message}");
        assert!(message.to_lowercase().contains("limit"), "{message}");
        Ok(())
    }
}
