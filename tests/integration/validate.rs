//! `validate` end to end: the fixture corpus under testdata/config and bad-input robustness.
