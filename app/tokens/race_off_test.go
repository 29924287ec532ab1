//go:build !race

package tokens

// raceEnabled tells slow tests to do less under the race detector.
const raceEnabled = false
