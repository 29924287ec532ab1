-- keys: provider API keys, encrypted at rest.
-- Statements end with ";" at the end of a line (see migrate.go).

-- Each node encrypts with its own key file (DIR/secret.key), so a row can
-- be decrypted only by the node that stored it: node is part of the key.
-- The plaintext is never written, not even to the Raft log.
CREATE TABLE keys (
	node        TEXT NOT NULL,             -- Raft node ID of the node that stored it
	provider    TEXT NOT NULL,             -- provider name, e.g. openai
	fingerprint TEXT NOT NULL,             -- "sha256:" + 12 hex chars of the key's SHA-256
	ciphertext  BLOB NOT NULL,             -- age (X25519) ciphertext of the key
	created_at  INTEGER NOT NULL,          -- Unix ms
	PRIMARY KEY (node, provider)
);
