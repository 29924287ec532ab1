package db

import (
	"path/filepath"
	"time"
)

// CheckLog runs Open's check of the Raft log of data dir dir.
func CheckLog(dir string) error {
	_, err := checkLog(filepath.Join(dir, storeDirName))
	return err
}

// SetLostEvery sets how often stores opened from now on check their data
// dir, and returns the previous value.
func SetLostEvery(d time.Duration) time.Duration {
	old := lostEvery
	lostEvery = d
	return old
}
