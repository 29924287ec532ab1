package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestSchemaVersionJSON: the store's schema version has one name in every
// command's JSON, schema_version: version's is the newest this aiex knows,
// status's the store's own, which a fresh data dir is migrated to.
func TestSchemaVersionJSON(t *testing.T) {
	t.Setenv("OLLAMA_HOST", providertest.Unreachable(t))
	dir := t.TempDir()
	versions := map[string]float64{}
	for _, cmd := range []string{"version", "status"} {
		r := runCLI(t, false, nil, "--data-dir", dir, cmd, "--json")
		if r.code != 0 {
			t.Fatalf("%s --json: exit %d: %s", cmd, r.code, r.stderr)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("%s --json: %v\n%s", cmd, err, r.stdout)
		}
		n, ok := v["schema_version"].(float64)
		if !ok || n < 1 {
			t.Errorf("%s --json has no schema_version: %s", cmd, r.stdout)
		}
		if _, ok := v["schema"]; ok {
			t.Errorf("%s --json names the schema version schema too: %s", cmd, r.stdout)
		}
		versions[cmd] = n
	}
	if versions["version"] != versions["status"] {
		t.Errorf("version knows schema %v, a fresh store has %v", versions["version"], versions["status"])
	}
}
