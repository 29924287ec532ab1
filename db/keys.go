package db

import (
	"context"
	"fmt"
	"time"
)

// Key is one row of the keys table: a provider API key, encrypted by the
// node that stored it. The plaintext is never stored.
type Key struct {
	Node        string    `json:"node"`
	Provider    string    `json:"provider"`
	Fingerprint string    `json:"fingerprint"`
	Ciphertext  []byte    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// PutKeyStmt stores k, replacing the node's earlier key for the provider.
func PutKeyStmt(k *Key) Statement {
	return Stmt(`INSERT INTO keys (node, provider, fingerprint, ciphertext, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (node, provider) DO UPDATE SET fingerprint = excluded.fingerprint,
			ciphertext = excluded.ciphertext, created_at = excluded.created_at`,
		k.Node, k.Provider, k.Fingerprint, k.Ciphertext, k.CreatedAt)
}

// PutKey stores k, replacing the node's earlier key for the provider.
func (s *Store) PutKey(ctx context.Context, k *Key) error {
	if _, err := s.Execute(ctx, PutKeyStmt(k)); err != nil {
		return fmt.Errorf("db: put key: %w", err)
	}
	return nil
}

const keyColumns = `node, provider, fingerprint, ciphertext, created_at`

// Key returns the key node stored for provider; ok is false if there is none.
func (s *Store) Key(ctx context.Context, node, provider string) (k Key, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT `+keyColumns+` FROM keys WHERE node = ? AND provider = ?`, node, provider)
	if err != nil {
		return k, false, fmt.Errorf("db: key: %w", err)
	}
	if len(rows.Values) == 0 {
		return k, false, nil
	}
	return scanKey(rows.Values[0]), true, nil
}

// Keys returns the keys node stored, by provider name.
func (s *Store) Keys(ctx context.Context, node string) ([]Key, error) {
	rows, err := s.Query(ctx, `SELECT `+keyColumns+` FROM keys WHERE node = ? ORDER BY provider`, node)
	if err != nil {
		return nil, fmt.Errorf("db: keys: %w", err)
	}
	out := make([]Key, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, scanKey(r))
	}
	return out, nil
}

// DeleteKey deletes the key node stored for provider; deleted is false if
// there was none.
func (s *Store) DeleteKey(ctx context.Context, node, provider string) (deleted bool, err error) {
	res, err := s.Execute(ctx, Stmt(`DELETE FROM keys WHERE node = ? AND provider = ?`, node, provider))
	if err != nil {
		return false, fmt.Errorf("db: delete key: %w", err)
	}
	return len(res) == 1 && res[0].RowsAffected > 0, nil
}

func scanKey(r []any) Key {
	return Key{
		Node:        asString(r[0]),
		Provider:    asString(r[1]),
		Fingerprint: asString(r[2]),
		Ciphertext:  asBytes(r[3]),
		CreatedAt:   time.UnixMilli(asInt(r[4])),
	}
}

func asBytes(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
}
