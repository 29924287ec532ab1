package audit

import (
	"context"
	"fmt"
	"time"
)

// Query selects the rows List returns.
type Query struct {
	Since time.Time // only rows recorded at or after it; zero: all
	Limit int       // the most recent Limit rows; 0: all
}

// List returns the rows q selects, oldest first.
func (l *Log) List(ctx context.Context, q Query) ([]Record, error) {
	rows, err := l.st.AuditRecent(ctx, q.Since, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return rows, nil
}

// Report is the outcome of Verify.
type Report struct {
	Intact   bool   `json:"intact"`
	Rows     int64  `json:"rows"`                // rows checked: all of them when intact
	BrokenAt int64  `json:"broken_at,omitempty"` // the first row whose link is broken
	Reason   string `json:"reason,omitempty"`    // what is wrong with it
}

// String is the report as one line.
func (r Report) String() string {
	if r.Intact {
		return fmt.Sprintf("audit chain intact: %d rows", r.Rows)
	}
	return fmt.Sprintf("audit chain broken at row %d: %s", r.BrokenAt, r.Reason)
}

// verifyPage is how many rows Verify reads at a time.
const verifyPage = 5000

// Verify walks the whole chain from its first row and checks every link:
// ids follow one another from 1 (a gap is a deleted row), each row's hash
// matches its fields (else it was changed or moved), each row's prev_hash
// is the hash of the row before it (else a row was replaced), and no rows
// were deleted from the end (the highest id ever written is the last
// row's). It stops at the first broken link. The error is for failures to
// read, not for a broken chain.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	// Read the tip first: rows appended while the walk runs lie beyond it
	// and are checked next time, but deleted tail rows are seen.
	tip, err := l.st.AuditTip(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	var rep Report
	prevID, prevHash := int64(0), ""
walk:
	for prevID < tip.ID {
		rows, err := l.st.AuditRows(ctx, prevID, verifyPage)
		if err != nil {
			return Report{}, fmt.Errorf("audit: verify: %w", err)
		}
		if len(rows) == 0 {
			break // the tip was deleted meanwhile: the Seq check reports it
		}
		for i := range rows {
			r := &rows[i]
			if reason := checkLink(prevID, prevHash, r); reason != "" {
				rep.BrokenAt, rep.Reason = r.ID, reason
				return rep, nil
			}
			rep.Rows++
			prevID, prevHash = r.ID, r.Hash
			if r.ID >= tip.ID {
				break walk
			}
		}
	}
	if tip.Seq > prevID {
		rep.BrokenAt, rep.Reason = prevID+1, missing(prevID+1, tip.Seq)+" at the end of the chain"
		return rep, nil
	}
	rep.Intact = true
	return rep, nil
}

// checkLink says what is wrong with r following the row prevID whose hash
// is prevHash; "" when nothing is.
func checkLink(prevID int64, prevHash string, r *Record) string {
	switch {
	case r.ID != prevID+1:
		return missing(prevID+1, r.ID-1) + " before it"
	case Hash(r) != r.Hash:
		return "its fields do not match its hash: the row was changed or moved"
	case r.PrevHash != prevHash && prevID == 0:
		return "it is the first row but names a previous hash: rows before it were removed"
	case r.PrevHash != prevHash:
		return fmt.Sprintf("its prev_hash is not the hash of row %d: a row was replaced or moved", prevID)
	}
	return ""
}

func missing(from, to int64) string {
	if from == to {
		return fmt.Sprintf("row %d is missing (deleted)", from)
	}
	return fmt.Sprintf("rows %d–%d are missing (deleted)", from, to)
}
