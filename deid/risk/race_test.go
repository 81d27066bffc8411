//go:build race

package risk_test

// raceEnabled scales the large tests down under the race detector.
const raceEnabled = true
