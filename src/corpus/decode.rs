//! Turning a file's bytes into text, leniently.
//!
//! Every reader and the query command decode through [`decode`], so a file means the same text
//! wherever it is read. The rules, in order: nothing or only whitespace is [`Decoded::Empty`]; a
//! UTF-16 byte-order mark selects UTF-16; a UTF-8 byte-order mark is dropped; NUL bytes or a
//! large share of control bytes near the start make the file [`Decoded::Binary`]; valid UTF-8 is
//! taken as it is; anything else is read as Windows-1252 when it has bytes in 0x80–0x9F (where
//! that code page puts curly quotes, dashes and the euro sign, and Latin-1 only rare control
//! characters), else as Latin-1. Both never fail, and the text is marked lenient.

/// How many leading bytes are inspected to tell text from binary.
const SNIFF_LEN: usize = 8 * 1024;

/// The share of control bytes in the sniffed prefix above which a file is taken as binary.
const MAX_CONTROL_SHARE: f64 = 0.30;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";

/// The encoding a text was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16, little-endian, announced by a byte-order mark.
    Utf16Le,
    /// UTF-16, big-endian, announced by a byte-order mark.
    Utf16Be,
    /// Latin-1 (ISO 8859-1): each byte is the character of the same code point.
    Latin1,
    /// Windows-1252: Latin-1 but for 0x80–0x9F, which hold `€`, `‘ ’ “ ”`, `–` and the like.
    Windows1252,
}

/// What [`decode`] made of some bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// Text, and how it was decoded.
    Text {
        /// The decoded text, without a byte-order mark.
        text: String,
        /// The encoding the bytes were read as.
        encoding: Encoding,
        /// True when the bytes were not valid in the encoding they announced (or in UTF-8, when
        /// they announced none), so the text may not be what the author wrote.
        lenient: bool,
    },
    /// No bytes, or only whitespace.
    Empty,
    /// Bytes that are not text.
    Binary {
        /// What gave the file away, such as `"binary file: NUL bytes"`.
        reason: String,
    },
}

impl Decoded {
    /// The reason a document with these bytes is passed over, or `None` for text.
    pub fn skip_reason(&self) -> Option<&str> {
        match self {
            Decoded::Text { .. } => None,
            Decoded::Empty => Some("empty"),
            Decoded::Binary { reason } => Some(reason),
        }
    }
}

/// Decodes a file's bytes to text without ever failing.
///
/// # Example
/// ```
/// use topics::corpus::{Decoded, Encoding, decode};
///
/// let decoded = decode(b"caf\xE9");
/// assert_eq!(
///     decoded,
///     Decoded::Text { text: "café".to_string(), encoding: Encoding::Latin1, lenient: true }
/// );
/// assert_eq!(decode(b" \n\t"), Decoded::Empty);
/// ```
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(UTF16_LE_BOM) {
        return utf16(rest, Encoding::Utf16Le, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_BE_BOM) {
        return utf16(rest, Encoding::Utf16Be, u16::from_be_bytes);
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);

    if let Some(reason) = binary_reason(bytes) {
        return Decoded::Binary { reason };
    }

    let (text, encoding, lenient) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), Encoding::Utf8, false),
        Err(_) if bytes.iter().any(|b| (0x80..0xA0).contains(b)) => (
            bytes.iter().map(|&b| windows_1252(b)).collect(),
            Encoding::Windows1252,
            true,
        ),
        Err(_) => (
            bytes.iter().map(|&b| char::from(b)).collect(),
            Encoding::Latin1,
            true,
        ),
    };
    text_or_empty(text, encoding, lenient)
}

/// What Windows-1252 makes of 0x80–0x9F, in order; the five bytes it leaves undefined stay the
/// control characters of Latin-1, as web browsers read them.
const WINDOWS_1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The character of byte `b` in Windows-1252.
fn windows_1252(b: u8) -> char {
    match b {
        0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Decodes UTF-16 code units made from byte pairs by `unit`; unpaired surrogates and an odd
/// trailing byte make the result lenient.
fn utf16(bytes: &[u8], encoding: Encoding, unit: fn([u8; 2]) -> u16) -> Decoded {
    let pairs = bytes.chunks_exact(2);
    let mut lenient = !pairs.remainder().is_empty();
    let units = pairs.map(|pair| unit([pair[0], pair[1]]));
    let text: String = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                lenient = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    if text.contains('\0') {
        return Decoded::Binary {
            reason: "binary file: NUL characters in UTF-16 text".to_string(),
        };
    }
    text_or_empty(text, encoding, lenient)
}

fn text_or_empty(text: String, encoding: Encoding, lenient: bool) -> Decoded {
    if text.trim().is_empty() {
        Decoded::Empty
    } else {
        Decoded::Text {
            text,
            encoding,
            lenient,
        }
    }
}

/// Why the start of `bytes` looks binary, if it does.
fn binary_reason(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    if head.is_empty() {
        return None;
    }
    if head.contains(&0) {
        return Some("binary file: NUL bytes".to_string());
    }
    let control = head.iter().filter(|&&b| is_binary_control(b)).count();
    let share = control as f64 / head.len() as f64;
    (share > MAX_CONTROL_SHARE).then(|| {
        format!(
            "binary file: {:.0}% control bytes in the first {} bytes",
            share * 100.0,
            head.len()
        )
    })
}

/// Control bytes that plain text does not use: all C0 controls but tab, line feed, form feed and
/// carriage return, and DEL.
fn is_binary_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(decoded: Decoded) -> (String, Encoding, bool) {
        match decoded {
            Decoded::Text {
                text,
                encoding,
                lenient,
            } => (text, encoding, lenient),
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[test]
    fn utf8_is_taken_as_is() {
        assert_eq!(
            text(decode("naïve café\n".as_bytes())),
            ("naïve café\n".to_string(), Encoding::Utf8, false)
        );
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let bytes = [UTF8_BOM, "héllo".as_bytes()].concat();
        assert_eq!(
            text(decode(&bytes)),
            ("héllo".to_string(), Encoding::Utf8, false)
        );
    }

    #[test]
    fn invalid_utf8_falls_back_to_latin1() {
        let (text, encoding, lenient) = text(decode(b"na\xEFve \xA9 1993"));
        assert_eq!(text, "naïve © 1993");
        assert_eq!(encoding, Encoding::Latin1);
        assert!(lenient);
    }

    #[test]
    fn windows_1252_has_curly_quotes_and_the_euro() {
        let (text, encoding, lenient) = text(decode(b"\x93caf\xE9\x94 \x96 5 \x80 \x81"));
        assert_eq!(text, "“café” – 5 € \u{81}");
        assert_eq!(encoding, Encoding::Windows1252);
        assert!(lenient);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let words = "grüße 😀";
        let le: Vec<u8> = UTF16_LE_BOM
            .iter()
            .copied()
            .chain(words.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = UTF16_BE_BOM
            .iter()
            .copied()
            .chain(words.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(
            text(decode(&le)),
            (words.to_string(), Encoding::Utf16Le, false)
        );
        assert_eq!(
            text(decode(&be)),
            (words.to_string(), Encoding::Utf16Be, false)
        );
    }

    #[test]
    fn damaged_utf16_is_lenient() {
        // An unpaired high surrogate, then an odd trailing byte.
        let bytes = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, b'c'];
        let (text, encoding, lenient) = text(decode(&bytes));
        assert_eq!(text, "a\u{FFFD}b");
        assert_eq!(encoding, Encoding::Utf16Le);
        assert!(lenient);
    }

    #[test]
    fn nul_bytes_are_binary() {
        let decoded = decode(b"GIF89a\0\0\x01");
        assert_eq!(decoded.skip_reason(), Some("binary file: NUL bytes"));
    }

    #[test]
    fn many_control_bytes_are_binary() {
        let bytes: Vec<u8> = (0..100)
            .map(|i| if i % 2 == 0 { 0x01 } else { b'a' })
            .collect();
        let reason = decode(&bytes).skip_reason().map(str::to_string);
        assert_eq!(
            reason.as_deref(),
            Some("binary file: 50% control bytes in the first 100 bytes")
        );
    }

    #[test]
    fn a_few_control_bytes_are_still_text() {
        let (text, _, lenient) = text(decode(b"\x1b[1mbold\x1b[0m and plain words here"));
        assert!(text.contains("bold"));
        assert!(!lenient);
    }

    #[test]
    fn nothing_or_whitespace_is_empty() {
        assert_eq!(decode(b""), Decoded::Empty);
        assert_eq!(decode(b" \r\n\t\x0c "), Decoded::Empty);
        assert_eq!(decode(UTF8_BOM), Decoded::Empty);
        assert_eq!(decode(UTF16_LE_BOM), Decoded::Empty);
        assert_eq!(Decoded::Empty.skip_reason(), Some("empty"));
    }
}
