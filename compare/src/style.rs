//! What every chart shares, so that they read alike on a projector: the
//! font sizes, one colour per strategy, how numbers are printed on an axis,
//! and where a log axis puts its labels.

use plotters::style::RGBColor;

use crate::strategy::Strategy;

// plotters' SVG backend writes a font at about 0.81 of the size asked for
// (18 asked is `font-size="14.5"` in the file), so the sizes below are what
// to ask for to get the size wanted in the picture.

/// The title's font size (about 21 px in the SVG).
pub(crate) const TITLE: u32 = 26;
/// A panel's caption (about 18 px).
pub(crate) const CAPTION: u32 = 22;
/// Every other text: axis labels, tick labels, legends, bar labels (about
/// 14.5 px). A projected chart is unreadable below 14 px.
pub(crate) const TEXT: u32 = 18;

/// The colour of a bar or line whose strategy did not run cleanly.
pub(crate) const FAILED: RGBColor = RGBColor(150, 150, 150);

/// A strategy's colour, the same in every chart; grey for a name that is
/// not a strategy's.
pub(crate) fn colour_of(strategy: &str) -> RGBColor {
    Strategy::from_name(strategy).map_or(FAILED, |s| {
        let (r, g, b) = s.spec().rgb;
        RGBColor(r, g, b)
    })
}

/// An axis number: whole numbers with no decimals (`10000`, not
/// `10000.0`), others with as many as they need, up to three (the unit
/// tests below show both).
pub(crate) fn tick(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{}", value.round() as i64)
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// The labels of a log axis from `low` to `high`: 1, 2 and 5 of every
/// decade (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …), so that a range narrower
/// than a decade still has labels.
pub(crate) fn one_two_five(low: f64, high: f64) -> Vec<f64> {
    let mut points = Vec::new();
    if !(low > 0.0 && high >= low && high.is_finite()) {
        return points;
    }
    let mut decade = 10f64.powf(low.log10().floor());
    while decade <= high {
        for step in [1.0, 2.0, 5.0] {
            let v = decade * step;
            if v >= low && v <= high {
                points.push(v);
            }
        }
        decade *= 10.0;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_print_whole_numbers_without_decimals() {
        assert_eq!(tick(10000.0), "10000");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(1.5), "1.5");
    }

    #[test]
    fn a_log_axis_gets_labels_at_one_two_and_five() {
        assert_eq!(one_two_five(8.0, 4096.0)[..3], [10.0, 20.0, 50.0]);
        assert_eq!(one_two_five(0.9, 1.6), vec![1.0]);
        assert_eq!(one_two_five(0.15, 0.6), vec![0.2, 0.5]);
        assert!(one_two_five(0.0, 1.0).is_empty());
    }
}
