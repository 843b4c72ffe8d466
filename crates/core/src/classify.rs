//! A category classifier learned from a street's own closed cases.
//!
//! Multinomial naive Bayes over the Chinese character pairs (bigrams) of a case's title and
//! description — no word segmenter needed, and it learns the street's own words (a village's
//! name for its rubbish point, a shop's name that keeps coming up). It is trained only when a
//! street has enough closed cases ([`MIN_EXAMPLES`]), and every guess says which character pairs
//! weighed most for it, so the dispatcher can judge it as they judge the keyword rules.

use std::collections::HashMap;

/// The fewest closed cases worth learning from.
pub const MIN_EXAMPLES: usize = 50;

/// A trained model.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Per category: its number of examples, its bigram counts and their sum.
    classes: HashMap<String, Class>,
    vocabulary: usize,
    examples: usize,
}

#[derive(Clone, Debug, Default)]
struct Class {
    examples: usize,
    counts: HashMap<String, u32>,
    total: u64,
}

/// A guess with its evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Guess {
    /// The category code.
    pub code: String,
    /// The model's probability for it among the categories it knows (0 to 1).
    pub probability: f64,
    /// The character pairs that spoke most for it.
    pub evidence: Vec<String>,
}

/// The character pairs of a text, skipping punctuation, digits and Latin letters.
pub fn bigrams(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in text.split(|c: char| !is_cjk(c)) {
        let cs: Vec<char> = run.chars().collect();
        for w in cs.windows(2) {
            out.push(w.iter().collect());
        }
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

impl Model {
    /// Learns from `(category code, text)` pairs; `None` when there are fewer than
    /// [`MIN_EXAMPLES`] or fewer than two categories.
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Model> {
        let mut m = Model::default();
        let mut vocab = std::collections::HashSet::new();
        for (code, text) in examples {
            let c = m.classes.entry(code.to_owned()).or_default();
            c.examples += 1;
            m.examples += 1;
            for b in bigrams(text) {
                c.total += 1;
                vocab.insert(b.clone());
                *c.counts.entry(b).or_default() += 1;
            }
        }
        m.vocabulary = vocab.len();
        (m.examples >= MIN_EXAMPLES && m.classes.len() >= 2).then_some(m)
    }

    /// How many cases it learned from.
    pub fn examples(&self) -> usize {
        self.examples
    }

    fn log_p(&self, c: &Class, b: &str) -> f64 {
        let n = f64::from(c.counts.get(b).copied().unwrap_or(0));
        ((n + 1.0) / (c.total as f64 + self.vocabulary as f64 + 1.0)).ln()
    }

    /// The best `limit` guesses for a text; empty when the text has no pair the model knows.
    pub fn predict(&self, text: &str, limit: usize) -> Vec<Guess> {
        let grams: Vec<String> = bigrams(text)
            .into_iter()
            .filter(|b| self.classes.values().any(|c| c.counts.contains_key(b)))
            .collect();
        if grams.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(&String, f64, &Class)> = self
            .classes
            .iter()
            .map(|(code, c)| {
                let prior = (c.examples as f64 / self.examples as f64).ln();
                let s = grams.iter().map(|b| self.log_p(c, b)).sum::<f64>() + prior;
                (code, s, c)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let top = scored.first().map_or(0.0, |s| s.1);
        let norm: f64 = scored.iter().map(|s| (s.1 - top).exp()).sum();
        scored
            .iter()
            .take(limit)
            .map(|(code, s, c)| {
                // Evidence: the pairs most likelier in this category than on average.
                let mut ev: Vec<(&String, f64)> = grams
                    .iter()
                    .map(|b| {
                        let avg = self.classes.values().map(|o| self.log_p(o, b)).sum::<f64>()
                            / self.classes.len() as f64;
                        (b, self.log_p(c, b) - avg)
                    })
                    .filter(|e| e.1 > 0.0)
                    .collect();
                ev.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                ev.dedup_by(|a, b| a.0 == b.0);
                Guess {
                    code: (*code).clone(),
                    probability: (s - top).exp() / norm,
                    evidence: ev.into_iter().take(4).map(|e| e.0.clone()).collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_of_chinese_characters_only() {
        assert_eq!(
            bigrams("路灯不亮！3号楼"),
            vec!["路灯", "灯不", "不亮", "号楼"]
        );
        assert!(bigrams("abc 1").is_empty());
    }

    #[test]
    fn learns_the_streets_words_and_says_why() {
        let mut ex = Vec::new();
        for i in 0..30 {
            ex.push((
                "HJ01",
                if i % 2 == 0 {
                    "东门垃圾站满了没人清"
                } else {
                    "垃圾站臭气熏天"
                },
            ));
            ex.push((
                "SZ02",
                if i % 2 == 0 {
                    "夜里广场舞噪音扰民"
                } else {
                    "装修噪音太大"
                },
            ));
        }
        assert!(Model::train(ex[..10].iter().copied()).is_none(), "too few");
        let m = Model::train(ex.iter().copied()).expect("enough");
        assert_eq!(m.examples(), 60);
        let g = m.predict("小区东门垃圾站又满了", 2);
        assert_eq!(g[0].code, "HJ01");
        assert!(g[0].probability > 0.9, "{g:?}");
        assert!(g[0].evidence.iter().any(|e| e == "垃圾"), "{g:?}");
        assert!(m.predict("abc", 2).is_empty());
        let total: f64 = m.predict("噪音", 5).iter().map(|g| g.probability).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}
