//! HTML bodies to readable text, with the quoted history that mail clients wrap in markup
//! (Gmail's `gmail_quote`, Outlook's `divRplyFwdMsg`, Thunderbird's `moz-cite-prefix`,
//! `<blockquote>`) cut off first, since the text form loses those markers.

/// Where quoted history starts in the HTML of the common clients (matched case-insensitively).
const QUOTE_MARKERS: &[&str] = &[
    "<div class=\"gmail_quote",
    "<div class=gmail_quote",
    "<blockquote",
    "<div id=\"divrplyfwdmsg\"",
    "<div id=\"appendonsend\"",
    "<hr id=\"stopspelling\"",
    "<div class=\"moz-cite-prefix\"",
    "<div class=\"yahoo_quoted\"",
    "<div id=\"mail-editor-reference-message-container\"",
    "<div style=\"border:none;border-top:solid #e1e1e1",
    "<div style=\"border:none; border-top:solid #e1e1e1",
];

/// The text of an HTML body up to its quoted history.
pub fn to_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let cut = QUOTE_MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(html.len());
    // `lower` has the same byte offsets as `html`: ASCII lower-casing keeps lengths.
    let text = mail_parser::decoders::html::html_to_text(&html[..cut]);
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_outlook_reply_block() {
        let t = to_text(
            "<p>Charged twice!</p><div id=\"divRplyFwdMsg\"><b>From:</b> Support</div><p>old</p>",
        );
        assert!(t.contains("Charged twice!"));
        assert!(!t.contains("old"));
    }

    #[test]
    fn non_ascii_before_marker_is_kept() {
        let t = to_text("<p>ログインできません</p><blockquote>古い</blockquote>");
        assert!(t.contains("ログインできません"));
        assert!(!t.contains("古い"));
    }
}
