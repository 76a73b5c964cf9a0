//! The learned half of classification: a multinomial logistic regression over hashed features
//! of the normalised subject and new text (character 1–5-grams, word uni- and bigrams, subject
//! words apart), one model for every language. [`train`] fits it by seeded SGD, so the same
//! corpus always gives the same bytes; [`Model::to_bytes`] / [`Model::from_bytes`] are the
//! file format that `mailtriage train` writes and the binary embeds.

use std::borrow::Cow;

/// What a model file starts with; the digit is the format version.
const MAGIC: &[u8; 4] = b"MTM1";

/// The settings of one training run; part of the model file, so a model says how it was made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyper {
    /// log2 of the number of hashed feature buckets.
    pub bits: u8,
    pub epochs: u32,
    /// Initial learning rate; it decays as 1 / sqrt(1 + epoch).
    pub rate: f32,
    /// L2 penalty per example.
    pub l2: f32,
}

impl Default for Hyper {
    fn default() -> Self {
        // Chosen by cross-validation on corpus/train (see `mailtriage train`): 2^18 buckets
        // gained 0.3 points over 2^17 at twice the file size; rates below 2 under-fit.
        Hyper {
            bits: 17,
            epochs: 12,
            rate: 2.0,
            l2: 1e-6,
        }
    }
}

/// The most classes [`Model::logits`] adds up side by side.
const LANES: usize = 16;

/// Sparse features of one message: (bucket, value), buckets unique, L2 norm 1.
pub type Features = Vec<(u32, f32)>;

/// A trained model: weights per bucket and class, a bias per class.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub classes: Vec<String>,
    pub hyper: Hyper,
    /// How much one unit of rule score adds to a class's log-probability when the two are
    /// combined (chosen by cross-validation in training; 0 = the rules do not count).
    pub rule_weight: f32,
    /// (combined probability, share of such predictions that were right), increasing in both:
    /// the calibration that makes a confidence mean what it says. Empty = uncalibrated.
    pub calibration: Vec<(f32, f32)>,
    /// `weights[bucket * classes + class]`, a signed byte, times its class's `scales` entry is
    /// the weight: kept as the file stores it, a quarter of the memory of `f32`s (2^18 buckets
    /// × 13 classes is 3.4 MB, not 13.6 MB) for the same products. The built-in model's are
    /// the bytes compiled into the binary, not a copy of them.
    weights: Cow<'static, [u8]>,
    /// Per class, the step of the 8-bit grid the weights are stored on.
    scales: Vec<f32>,
    bias: Vec<f32>,
}

/// A model file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ModelError(pub String);

/// FNV-1a, fed piece by piece so that no feature needs a string of its own.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new(namespace: u8) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325).bytes(&[namespace])
    }

    fn bytes(mut self, bytes: &[u8]) -> Fnv {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }
}

/// Characters that belong to a word: letters, digits, marks (Hebrew points, Devanagari signs).
fn word_char(c: char) -> bool {
    crate::rules::alphanumeric(c) || c == '\''
}

/// Scripts written without spaces, where one character already carries meaning.
pub fn ideographic(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// Sorts bucket numbers below `2^bits` (at most 24 bits) in two counting passes: a message
/// has thousands of them, and this is about three times quicker than a comparison sort.
fn sort_buckets(v: &mut Vec<u32>, bits: u8) {
    if v.len() < 512 || bits > 24 {
        v.sort_unstable();
        return;
    }
    let low = bits.div_ceil(2);
    let mut spare = vec![0u32; v.len()];
    for (shift, width) in [(0, low), (low, bits - low)] {
        let mask = (1u32 << width) - 1;
        let mut starts = vec![0usize; (1usize << width) + 1];
        for &x in v.iter() {
            starts[((x >> shift) & mask) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        for &x in v.iter() {
            let digit = ((x >> shift) & mask) as usize;
            spare[starts[digit]] = x;
            starts[digit] += 1;
        }
        std::mem::swap(v, &mut spare);
    }
}

/// The hashed features of a message, from its normalised subject and normalised new text
/// (as [`crate::rules::normalize`] makes them).
pub fn features(subject_norm: &str, text_norm: &str, bits: u8) -> Features {
    let mask = (1u64 << bits) - 1;
    let mut buckets: Vec<u32> = Vec::with_capacity(text_norm.len() * 5);
    let mut add = |h: Fnv| buckets.push((h.0 & mask) as u32);
    for (ns_word, ns_pair, text) in [(b'w', b'b', text_norm), (b's', b't', subject_norm)] {
        let mut previous: Option<&str> = None;
        for w in text
            .split(|c: char| !word_char(c))
            .filter(|w| !w.is_empty())
        {
            add(Fnv::new(ns_word).bytes(w.as_bytes()));
            if let Some(p) = previous {
                add(Fnv::new(ns_pair)
                    .bytes(p.as_bytes())
                    .bytes(b" ")
                    .bytes(w.as_bytes()));
            }
            previous = Some(w);
        }
    }
    // Character n-grams over the text with every run of non-word characters made one space,
    // so no gram of two or more is spaces alone. The text is kept as UTF-8 with where each
    // character starts: a gram is then one run of bytes to hash.
    let mut bytes: Vec<u8> = Vec::with_capacity(text_norm.len() + 2);
    let mut starts: Vec<usize> = Vec::with_capacity(text_norm.len() + 3);
    let mut ideographs: Vec<bool> = Vec::with_capacity(text_norm.len() + 2);
    let mut push = |c: char| {
        starts.push(bytes.len());
        bytes.extend_from_slice(c.encode_utf8(&mut [0u8; 4]).as_bytes());
        ideographs.push(ideographic(c));
    };
    push(' ');
    let mut last_space = true;
    for c in text_norm.chars() {
        if word_char(c) {
            push(c);
            last_space = false;
        } else if !last_space {
            push(' ');
            last_space = true;
        }
    }
    if !last_space {
        push(' ');
    }
    starts.push(bytes.len());
    let chars = ideographs.len();
    for i in 0..chars {
        if ideographs[i] {
            add(Fnv::new(b'1').bytes(&bytes[starts[i]..starts[i + 1]]));
        }
        for n in 2..=5.min(chars - i) {
            add(Fnv::new(b'0' + n as u8).bytes(&bytes[starts[i]..starts[i + n]]));
        }
    }
    sort_buckets(&mut buckets, bits);
    let mut out: Features = Vec::with_capacity(buckets.len());
    for run in buckets.chunk_by(|a, b| a == b) {
        out.push((run[0], (1.0 + run.len() as f32).ln()));
    }
    let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, v) in &mut out {
            *v /= norm;
        }
    }
    out
}

/// Turns scores into probabilities, in place.
pub fn softmax(logits: &mut [f32]) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for l in logits.iter_mut() {
        *l = (*l - max).exp();
        sum += *l;
    }
    for l in logits.iter_mut() {
        *l /= sum;
    }
}

/// A small seeded generator for the shuffle: the same corpus gives the same model.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

impl Model {
    /// Raw scores per class (before softmax).
    pub fn logits(&self, f: &Features) -> Vec<f32> {
        let k = self.classes.len();
        if k <= LANES {
            return self.logits_in_lanes(f);
        }
        self.logits_one_by_one(f)
    }

    fn logits_one_by_one(&self, f: &Features) -> Vec<f32> {
        let k = self.classes.len();
        let mut out = self.bias.clone();
        for &(bucket, v) in f {
            let row = &self.weights[bucket as usize * k..][..k];
            for ((o, &q), scale) in out.iter_mut().zip(row).zip(&self.scales) {
                *o += f32::from(q as i8) * scale * v;
            }
        }
        out
    }

    /// [`Model::logits`] for up to [`LANES`] classes: the same operations per class, in a
    /// fixed-width array the compiler turns into vector instructions (a third of the model's
    /// time went into this loop one class at a time).
    fn logits_in_lanes(&self, f: &Features) -> Vec<f32> {
        let k = self.classes.len();
        let mut out = [0f32; LANES];
        out[..k].copy_from_slice(&self.bias);
        let mut scales = [0f32; LANES];
        scales[..k].copy_from_slice(&self.scales);
        for &(bucket, v) in f {
            let mut row = [0i8; LANES];
            for (r, &q) in row
                .iter_mut()
                .zip(&self.weights[bucket as usize * k..][..k])
            {
                *r = q as i8;
            }
            for c in 0..LANES {
                out[c] += f32::from(row[c]) * scales[c] * v;
            }
        }
        out[..k].to_vec()
    }

    /// Probabilities per class, in the order of [`Model::classes`].
    pub fn predict(&self, f: &Features) -> Vec<f32> {
        let mut p = self.logits(f);
        softmax(&mut p);
        p
    }

    /// The calibrated confidence of a combined probability (identity without a table).
    pub fn calibrate(&self, p: f32) -> f32 {
        let t = &self.calibration;
        match t.iter().position(|&(x, _)| x >= p) {
            None => t.last().map_or(p, |&(_, y)| y),
            Some(0) => t[0].1,
            Some(i) => {
                let ((x0, y0), (x1, y1)) = (t[i - 1], t[i]);
                if x1 > x0 {
                    y0 + (y1 - y0) * (p - x0) / (x1 - x0)
                } else {
                    y1
                }
            }
        }
    }

    /// The model file: magic, a header line of JSON, the biases as little-endian f32, then the
    /// weights as one signed byte each (times their class's scale from the header).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::json!({
            "classes": self.classes,
            "bits": self.hyper.bits,
            "epochs": self.hyper.epochs,
            "rate": self.hyper.rate,
            "l2": self.hyper.l2,
            "rule_weight": self.rule_weight,
            "calibration": self.calibration,
            "scales": self.scales,
        });
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(header.to_string().as_bytes());
        out.push(b'\n');
        for b in &self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        out.extend_from_slice(&self.weights);
        out
    }

    /// Reads what [`Model::to_bytes`] wrote; checks every size.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        Model::read(bytes, |w| Cow::Owned(w.to_vec()))
    }

    /// [`Model::from_bytes`] for bytes that live as long as the program (the built-in model):
    /// its weights are read where they are rather than copied.
    pub fn from_static(bytes: &'static [u8]) -> Result<Model, ModelError> {
        Model::read(bytes, Cow::Borrowed)
    }

    fn read<'b>(
        bytes: &'b [u8],
        weights_of: impl FnOnce(&'b [u8]) -> Cow<'static, [u8]>,
    ) -> Result<Model, ModelError> {
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| ModelError("not a mailtriage model file (bad magic)".into()))?;
        let nl = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| ModelError("model file has no header".into()))?;
        let header: Header = serde_json::from_slice(&rest[..nl])
            .map_err(|e| ModelError(format!("model header: {e}")))?;
        let k = header.classes.len();
        if k == 0 || !(1..=24).contains(&header.bits) || header.scales.len() != k {
            return Err(ModelError(
                "model header: no classes, bad bits or one scale per class missing".into(),
            ));
        }
        let body = &rest[nl + 1..];
        let want = k * 4 + (k << header.bits);
        if body.len() != want {
            return Err(ModelError(format!(
                "model file holds {} bytes after its header, {want} expected",
                body.len()
            )));
        }
        let (bias, weights) = body.split_at(k * 4);
        let bias = bias
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let weights = weights_of(weights);
        Ok(Model {
            classes: header.classes,
            hyper: Hyper {
                bits: header.bits,
                epochs: header.epochs,
                rate: header.rate,
                l2: header.l2,
            },
            rule_weight: header.rule_weight,
            calibration: header.calibration,
            weights,
            scales: header.scales,
            bias,
        })
    }
}

#[derive(serde::Deserialize)]
struct Header {
    classes: Vec<String>,
    bits: u8,
    epochs: u32,
    rate: f32,
    l2: f32,
    rule_weight: f32,
    calibration: Vec<(f32, f32)>,
    scales: Vec<f32>,
}

/// Puts the weights on the 8-bit grid the file stores (one step per class), so a model in
/// memory is the one its file holds.
fn quantize(weights: &[f32], k: usize) -> (Vec<u8>, Vec<f32>) {
    let mut scales = vec![0.0f32; k];
    for (i, w) in weights.iter().enumerate() {
        scales[i % k] = scales[i % k].max(w.abs());
    }
    for s in &mut scales {
        *s /= 127.0;
    }
    let q = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let step = scales[i % k];
            if step > 0.0 {
                (w / step).round().clamp(-127.0, 127.0) as i8 as u8
            } else {
                0
            }
        })
        .collect();
    (q, scales)
}

/// Fits a model to `examples` (features made with `hyper.bits`, class index into `classes`).
pub fn train(classes: &[String], examples: &[(Features, usize)], hyper: Hyper) -> Model {
    let k = classes.len();
    let mut model = Model {
        classes: classes.to_vec(),
        hyper,
        rule_weight: 0.0,
        calibration: Vec::new(),
        weights: Cow::Owned(Vec::new()),
        scales: Vec::new(),
        bias: vec![0.0; k],
    };
    let mut weights = vec![0.0f32; k << hyper.bits];
    // L2 by a global scale: the stored weights times `scale` are the real ones.
    let mut scale = 1.0f32;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut probs = vec![0.0f32; k];
    for epoch in 0..hyper.epochs {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let rate = hyper.rate / (1.0 + epoch as f32).sqrt();
        for &e in &order {
            let (f, y) = &examples[e];
            probs.copy_from_slice(&model.bias);
            for &(bucket, v) in f {
                let row = &weights[bucket as usize * k..][..k];
                for (p, w) in probs.iter_mut().zip(row) {
                    *p += w * v * scale;
                }
            }
            softmax(&mut probs);
            scale *= 1.0 - rate * hyper.l2;
            for (c, p) in probs.iter().enumerate() {
                let g = p - if c == *y { 1.0 } else { 0.0 };
                model.bias[c] -= rate * g;
                let step = rate * g / scale;
                for &(bucket, v) in f {
                    weights[bucket as usize * k + c] -= step * v;
                }
            }
            if scale < 1e-3 {
                for w in &mut weights {
                    *w *= scale;
                }
                scale = 1.0;
            }
        }
    }
    for w in &mut weights {
        *w *= scale;
    }
    let (q, scales) = quantize(&weights, k);
    (model.weights, model.scales) = (Cow::Owned(q), scales);
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(s: &str, y: usize) -> (Features, usize) {
        (features("", s, 12), y)
    }

    #[test]
    fn bucket_sort_agrees_with_a_comparison_sort() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for (n, bits) in [
            (0, 17),
            (100, 17),
            (3000, 17),
            (5000, 24),
            (4000, 1),
            (2000, 12),
        ] {
            let mask = (1u64 << bits) - 1;
            let mut v: Vec<u32> = (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state & mask) as u32
                })
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            sort_buckets(&mut v, bits);
            assert_eq!(v, want, "{n} buckets of {bits} bits");
        }
    }

    #[test]
    fn features_are_unit_length_and_sorted() {
        let f = features("re: rechnung", "ich wurde doppelt belastet", 16);
        let norm: f32 = f.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
        assert!(f.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(features("", "", 16).is_empty());
        // CJK text without spaces still has features, single characters among them.
        assert!(features("", "同步", 16).len() >= 3);
    }

    #[test]
    fn learns_a_separable_toy_problem_and_round_trips() {
        let classes = vec!["a".to_string(), "b".to_string()];
        let data = vec![
            ex("the site is down", 0),
            ex("server down again", 0),
            ex("charged twice on my card", 1),
            ex("refund the double charge", 1),
        ];
        let m = train(
            &classes,
            &data,
            Hyper {
                bits: 12,
                ..Hyper::default()
            },
        );
        assert!(m.predict(&features("", "down", 12))[0] > 0.6);
        assert!(m.predict(&features("", "charged", 12))[1] > 0.6);
        let again = Model::from_bytes(&m.to_bytes()).expect("round trip");
        assert_eq!(again, m);
        let same = train(
            &classes,
            &data,
            Hyper {
                bits: 12,
                ..Hyper::default()
            },
        );
        assert_eq!(
            same.to_bytes(),
            m.to_bytes(),
            "training is not reproducible"
        );
    }

    #[test]
    fn lanes_add_up_exactly_as_one_class_at_a_time() {
        let m = Model::from_bytes(crate::builtin::MODEL).expect("built-in model");
        assert!(
            m.classes.len() <= LANES,
            "the built-in model takes the lane path"
        );
        for (subject, text) in [
            (
                "re: rechnung",
                "ich wurde doppelt belastet, bitte erstatten sie den betrag",
            ),
            ("", "同步从昨天开始就失败了，整个办公室都受影响"),
            (
                "login",
                "i can't log in since the update. tried resetting my password twice",
            ),
        ] {
            let f = features(subject, text, m.hyper.bits);
            let lanes: Vec<u32> = m.logits(&f).iter().map(|x| x.to_bits()).collect();
            let one: Vec<u32> = m
                .logits_one_by_one(&f)
                .iter()
                .map(|x| x.to_bits())
                .collect();
            assert_eq!(lanes, one, "{text}");
        }
    }

    #[test]
    fn calibration_interpolates_within_its_table() {
        let mut m = train(
            &["a".into()],
            &[],
            Hyper {
                bits: 4,
                ..Hyper::default()
            },
        );
        assert_eq!(m.calibrate(0.42), 0.42);
        m.calibration = vec![(0.2, 0.1), (0.6, 0.5), (1.0, 0.99)];
        assert_eq!(m.calibrate(0.1), 0.1);
        assert!((m.calibrate(0.4) - 0.3).abs() < 1e-6);
        assert_eq!(m.calibrate(1.0), 0.99);
    }

    #[test]
    fn bad_files_are_refused() {
        assert!(Model::from_bytes(b"nope").is_err());
        let header = br#"MTM1{"classes":["a"],"bits":4,"epochs":1,"rate":0.1,"l2":0,"rule_weight":0,"calibration":[],"scales":[0.1]}"#;
        let mut file = header.to_vec();
        file.push(b'\n');
        file.extend_from_slice(&[0; 4 + 16]);
        assert!(Model::from_bytes(&file).is_ok());
        file.push(0);
        assert!(Model::from_bytes(&file).is_err());
    }
}
