//! The fixed vocabulary the engine puts in a diagnosis as ids (a step's
//! role and link, the confidence level), in the reader's language. The JSON
//! document keeps the ids; only the text, Markdown and HTML sinks say them
//! in words.

use rootline_diagnose::Lang;

/// `id` in `lang`; an id this table does not know is shown as it is.
pub fn word(lang: Lang, id: &str) -> &str {
    let pair = match id {
        "root" => ("root", "원인"),
        "effect" => ("effect", "영향"),
        "symptom" => ("symptom", "증상"),
        "identity" => ("same object", "같은 대상"),
        "host" => ("same host", "같은 호스트"),
        "high" => ("high", "높음"),
        "medium" => ("medium", "보통"),
        "low" => ("low", "낮음"),
        _ => return id,
    };
    lang.pick(pair.0, pair.1)
}

/// What a report shows where an event has no time.
pub(crate) fn no_time(lang: Lang) -> &'static str {
    lang.pick("(no time)", "(시각 없음)")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id the engine emits has both words, and no Korean word is the
    /// English one.
    #[test]
    fn every_engine_id_has_a_korean_word() {
        for id in [
            "root", "effect", "symptom", "identity", "host", "high", "medium", "low",
        ] {
            assert_ne!(word(Lang::Ko, id), id, "{id}");
            assert_ne!(word(Lang::Ko, id), word(Lang::En, id), "{id}");
        }
        assert_ne!(no_time(Lang::Ko), no_time(Lang::En));
    }
}
