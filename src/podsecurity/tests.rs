//! Unit tests of the checks, with expected strings from upstream policy/check_*_test.go.
