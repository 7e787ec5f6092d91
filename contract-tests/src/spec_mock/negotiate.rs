//! What a request asks of the mock's answer: Prism's `Prefer` header (`code=404`,
//! `example=name`, `dynamic=true`) and content negotiation by `Accept`.

/// The preferences of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefer {
    /// `code=N`: answer with this documented status.
    pub code: Option<u16>,
    /// `example=name`: answer with this named example.
    pub example: Option<String>,
    /// `dynamic=true|false`: random data (overrides the mock's `--dynamic`).
    pub dynamic: Option<bool>,
}

impl Prefer {
    /// Reads `Prefer` header values (`code=404, example=bad`; `;` separates too; values may
    /// be quoted). Unknown or malformed preferences are ignored, as RFC 7240 asks.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Prefer {
        let mut out = Prefer::default();
        for token in values.into_iter().flat_map(|v| v.split([',', ';'])) {
            let Some((key, value)) = token.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "code" => out.code = value.parse().ok().filter(|c| (100..600).contains(c)),
                "example" if !value.is_empty() => out.example = Some(value.to_owned()),
                "dynamic" => out.dynamic = value.parse().ok(),
                _ => {}
            }
        }
        out
    }
}

/// One media range of an `Accept` header.
#[derive(Clone, Debug, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    q: f32,
}

/// An `Accept` header, read (no header: anything is acceptable).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Accept {
    ranges: Vec<Range>,
}

impl Accept {
    /// Reads `Accept` header values; ranges that do not parse are ignored.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Accept {
        let mut ranges = Vec::new();
        for item in values.into_iter().flat_map(|v| v.split(',')) {
            let mut parts = item.split(';');
            let Some((kind, subtype)) = parts.next().and_then(|m| m.trim().split_once('/')) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            ranges.push(Range {
                kind: kind.trim().to_ascii_lowercase(),
                subtype: subtype.trim().to_ascii_lowercase(),
                q,
            });
        }
        Accept { ranges }
    }

    /// Whether the request said nothing (everything is acceptable).
    pub fn is_any(&self) -> bool {
        self.ranges.is_empty()
    }

    /// How much the request wants `media` (`type/subtype`, parameters ignored): the q of
    /// the most specific range that matches; 0 when none does (or it is refused with q=0).
    pub fn quality(&self, media: &str) -> f32 {
        if self.ranges.is_empty() {
            return 1.0;
        }
        let essence = media
            .split(';')
            .next()
            .unwrap_or(media)
            .trim()
            .to_ascii_lowercase();
        let (kind, subtype) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
        let mut best: Option<(u8, f32)> = None;
        for r in &self.ranges {
            let specificity = match (r.kind.as_str(), r.subtype.as_str()) {
                (k, s) if k == kind && s == subtype => 3,
                (k, "*") if k == kind => 2,
                ("*", "*") => 1,
                // A documented wildcard (`image/*`) is served when the client takes any
                // member of it.
                (k, _) if k == kind && subtype == "*" => 2,
                (_, _) if kind == "*" => 1,
                _ => continue,
            };
            if best.is_none_or(|(s, _)| specificity > s) {
                best = Some((specificity, r.q));
            }
        }
        best.map_or(0.0, |(_, q)| q)
    }

    /// The index of the media type to answer with among `documented`: the most wanted,
    /// the first documented on a tie; `None` when none is acceptable.
    pub fn choose<'m>(&self, documented: impl IntoIterator<Item = &'m str>) -> Option<usize> {
        let mut best: Option<(usize, f32)> = None;
        for (i, media) in documented.into_iter().enumerate() {
            let q = self.quality(media);
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((i, q));
            }
        }
        best.map(|(i, _)| i)
    }

    /// A concrete media type for a documented range (`application/*`, `*/*`): the first
    /// concrete type the request accepts inside it, else JSON for `*/*` and
    /// `application/*`, else the range's type with `octet-stream`.
    pub fn concrete(&self, documented: &str) -> String {
        let essence = documented.split(';').next().unwrap_or(documented).trim();
        let Some((kind, subtype)) = essence.split_once('/') else {
            return documented.to_owned();
        };
        if kind != "*" && subtype != "*" {
            return documented.to_owned();
        }
        let accepted = self
            .ranges
            .iter()
            .filter(|r| r.q > 0.0 && r.kind != "*" && r.subtype != "*");
        for r in accepted {
            if kind == "*" || r.kind == kind {
                return format!("{}/{}", r.kind, r.subtype);
            }
        }
        match kind {
            "*" | "application" => "application/json".into(),
            "text" => "text/plain".into(),
            other => format!("{other}/octet-stream"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefer_reads_prism_preferences_and_ignores_the_rest() {
        let p = Prefer::parse([
            "code=404, example=\"not found\"",
            "dynamic=true; respond-async",
        ]);
        assert_eq!(p.code, Some(404));
        assert_eq!(p.example.as_deref(), Some("not found"));
        assert_eq!(p.dynamic, Some(true));
        assert_eq!(Prefer::parse(["code=abc,code=99"]), Prefer::default());
    }

    #[test]
    fn accept_picks_the_most_wanted_documented_type() {
        let a = Accept::parse(["text/html;q=0.5, application/json, */*;q=0.1"]);
        assert_eq!(a.choose(["text/html", "application/json"]), Some(1));
        assert_eq!(a.choose(["image/png"]), Some(0));
        let strict = Accept::parse(["application/xml"]);
        assert_eq!(strict.choose(["application/json"]), None);
        assert_eq!(Accept::parse([]).choose(["a/b", "c/d"]), Some(0));
        let refused = Accept::parse(["application/json;q=0, */*"]);
        assert_eq!(refused.choose(["application/json", "text/plain"]), Some(1));
    }

    #[test]
    fn documented_ranges_become_concrete_types() {
        let a = Accept::parse(["image/png"]);
        assert_eq!(a.choose(["image/*"]), Some(0));
        assert_eq!(a.concrete("image/*"), "image/png");
        assert_eq!(Accept::parse([]).concrete("*/*"), "application/json");
        assert_eq!(
            Accept::parse([]).concrete("application/json; charset=utf-8"),
            "application/json; charset=utf-8"
        );
    }
}
