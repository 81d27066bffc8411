//go:build !race

package structured_test

const raceEnabled = false
