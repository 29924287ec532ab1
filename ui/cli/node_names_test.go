package cli

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/mesh"
)

// meshName is the mesh's rule for node and tag names, checked where the
// flags are read (the CLI may not import the mesh): the two must agree,
// or node run either refuses a name the mesh takes or lets through one
// the mesh then refuses as a failure to listen.
func TestMeshNameAgreesWithMesh(t *testing.T) {
	names := []string{"", "a", "gpu-box", "gpu_box.lan", "GPU9", "bad name", "tab\tname", "ünï", "a/b", "a:b",
		"tag:aiex", strings.Repeat("n", 63), strings.Repeat("n", 64), "-lead", ".", "x\n"}
	for _, n := range names {
		if got, want := meshName(n), mesh.ValidName(n); got != want {
			t.Errorf("meshName(%q) = %v, mesh.ValidName says %v", n, got, want)
		}
	}
}
