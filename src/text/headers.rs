//! Mail and news headers at the top of a document: kept, reduced to the subject, or dropped.
//!
//! A header block is recognised only when the text starts with at least two `Name: value`
//! lines (continuation lines that start with white space are allowed) followed by a blank
//! line or the end of the text; anything else is left as it is, so prose that happens to
//! start with "Note: …" keeps its first line.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What the tokenizer does with a leading header block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Headers {
    /// Headers are text like any other.
    #[default]
    Keep,
    /// Only the `Subject:` value is kept (without `Re:` prefixes), then the body.
    Subject,
    /// The whole block is dropped.
    Drop,
}

impl Headers {
    /// Every mode, as named on the command line.
    pub const ALL: [Headers; 3] = [Headers::Keep, Headers::Subject, Headers::Drop];

    pub fn name(self) -> &'static str {
        match self {
            Headers::Keep => "keep",
            Headers::Subject => "subject",
            Headers::Drop => "drop",
        }
    }

    /// `text` with its header block handled as this mode says.
    ///
    /// ```
    /// use topics::text::Headers;
    /// let post = "From: ann@example.org\nSubject: Re: Re: Engines\n\nMine runs on diesel.";
    /// assert_eq!(Headers::Subject.apply(post), "Engines\nMine runs on diesel.");
    /// assert_eq!(Headers::Drop.apply(post), "Mine runs on diesel.");
    /// assert_eq!(Headers::Keep.apply(post), post);
    /// ```
    pub fn apply(self, text: &str) -> Cow<'_, str> {
        if self == Headers::Keep {
            return Cow::Borrowed(text);
        }
        let Some(block) = header_block(text) else {
            return Cow::Borrowed(text);
        };
        let body = &text[block.body_start..];
        match (self, block.subject) {
            (Headers::Subject, Some(subject)) => Cow::Owned(format!("{subject}\n{body}")),
            _ => Cow::Borrowed(body),
        }
    }
}

impl fmt::Display for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Headers {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Headers::ALL
            .into_iter()
            .find(|mode| mode.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown header mode {s:?}; choose keep, subject or drop"))
    }
}

struct Block<'a> {
    body_start: usize,
    subject: Option<&'a str>,
}

/// The leading header block of `text`, if it has one.
fn header_block(text: &str) -> Option<Block<'_>> {
    let mut fields = 0;
    let mut subject = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        offset += line.len();
        if content.trim().is_empty() {
            return (fields >= 2).then_some(Block {
                body_start: offset,
                subject,
            });
        }
        if content.starts_with([' ', '\t']) && fields > 0 {
            continue;
        }
        let (name, value) = content.split_once(':')?;
        let is_name = !name.is_empty()
            && name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !is_name {
            return None;
        }
        fields += 1;
        if name.eq_ignore_ascii_case("subject") {
            subject = Some(strip_replies(value.trim()));
        }
    }
    (fields >= 2).then_some(Block {
        body_start: text.len(),
        subject,
    })
}

/// `subject` without any leading "Re:" markers.
fn strip_replies(mut subject: &str) -> &str {
    // `get` rather than slicing: the third byte may fall inside a character ("Да", "abé").
    while subject
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("re:"))
    {
        subject = subject[3..].trim_start();
    }
    subject
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST: &str = "From: bob@example.com (Bob)\r\nSubject: RE: re: Clipper chip\r\n\
        Organization: Example\r\nLines: 3\r\n  folded continuation\r\n\r\nThe chip is weak.\n";

    #[test]
    fn a_news_post_loses_its_headers() {
        assert_eq!(Headers::Drop.apply(POST), "The chip is weak.\n");
        assert_eq!(
            Headers::Subject.apply(POST),
            "Clipper chip\nThe chip is weak.\n"
        );
    }

    #[test]
    fn prose_is_left_alone() {
        for text in [
            "Note: this is a sentence.\n\nAnd a paragraph.",
            "Plain text without any header.",
            "Dear reader: hello\nSecond: line\n\nbody",
            "",
        ] {
            assert_eq!(Headers::Drop.apply(text), text);
            assert_eq!(Headers::Subject.apply(text), text);
        }
    }

    #[test]
    fn headers_without_a_body_leave_the_subject() {
        assert_eq!(Headers::Subject.apply("Subject: Hi\nFrom: x"), "Hi\n");
        assert_eq!(Headers::Drop.apply("Subject: Hi\nFrom: x"), "");
    }

    #[test]
    fn modes_parse_by_name() {
        assert_eq!("SUBJECT".parse::<Headers>(), Ok(Headers::Subject));
        assert!("strip".parse::<Headers>().unwrap_err().contains("keep"));
    }
}
