//go:build race

package structured_test

// raceEnabled scales the large tests down under the race detector.
const raceEnabled = true
