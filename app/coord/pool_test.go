package coord_test

import (
	"bytes"
	"net/http"
	"os"
	"strconv"
	"time"
)

// pooledClient keeps enough idle connections for n concurrent streams.
func pooledClient(n int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = n, n
	tr.IdleConnTimeout = 5 * time.Second
	return &http.Client{Transport: tr}
}

// rssBytes is this process's resident set size, from /proc (0 elsewhere).
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize())
}
