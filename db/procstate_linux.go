package db

import (
	"bytes"
	"os"
	"strconv"
)

// ProcessState returns process pid's scheduler state as /proc/PID/stat
// gives it ('R' running, 'S' sleeping, 'T' stopped by a signal, 't'
// stopped by a tracer, …), or 0 when it cannot be read.
func ProcessState(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// "PID (COMM) STATE …": COMM may hold spaces and parentheses; the
	// state follows the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0
	}
	return b[i+2]
}
