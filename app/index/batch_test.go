package index

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// batchesOf indexes root into a new store with one worker and the given
// batch size, and returns the sizes (bytes of rows) of the batches the
// writer sent, in order.
func batchesOf(t *testing.T, root string, batchBytes int) []int {
	t.Helper()
	var sizes []int
	ix := New(Config{Store: dbtest.Open(t), Workers: 1, BatchBytes: batchBytes, batched: func(n int) { sizes = append(sizes, n) }})
	sum := index(t, ix, root, Options{})
	if sum.Batches != len(sizes) {
		t.Fatalf("%d batches in the summary, %d seen", sum.Batches, len(sizes))
	}
	return sizes
}

// The last batch is applied after the workers are done, while a core
// idles: the batches shrink as the run nears its end, so that it is
// small, where it was whatever the last full batch had left (up to all of
// one).
func TestLastBatchIsSmall(t *testing.T) {
	files := map[string]string{}
	for i := range 56 {
		var b strings.Builder
		for j := range 60 {
			fmt.Fprintf(&b, "Paragraph %d of note %d says something.\n\n", j, i)
		}
		files[fmt.Sprintf("notes/n%02d.md", i)] = b.String()
	}
	root := writeTree(t, files)
	one := batchesOf(t, root, 1<<30)
	if len(one) != 1 {
		t.Fatalf("batches of 1 GiB: %v", one)
	}
	// 3.5 batches' worth of rows: in full batches, half of one is left.
	limit := one[0] * 2 / 7
	sizes := batchesOf(t, root, limit)
	t.Logf("batches of %d bytes: %v", limit, sizes)
	total := 0
	for _, n := range sizes {
		total += n
		if n > limit+limit/8 {
			t.Errorf("a batch of %d bytes, over the limit %d: %v", n, limit, sizes)
		}
	}
	if total != one[0] {
		t.Errorf("the batches hold %d bytes of rows, one batch %d", total, one[0])
	}
	if last := sizes[len(sizes)-1]; last > limit/8 {
		t.Errorf("last batch %d bytes of a limit of %d: %v", last, limit, sizes)
	}
	if len(sizes) > 12 {
		t.Errorf("%d batches for 3.5 batches' worth of rows: %v", len(sizes), sizes)
	}
}
