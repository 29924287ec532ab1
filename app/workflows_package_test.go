package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// pricingProject is a Go package of one file whose header imports a group
// of which its function uses one.
var pricingProject = map[string]string{
	"go.mod": "module example.com/shop\n\ngo 1.22\n",
	"pricing/pricing.go": "package pricing\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n)\n\n// ErrNegative is a price below zero.\nvar ErrNegative = errors.New(\"negative\")\n\n" +
		"// Price formats cents.\nfunc Price(cents int) string { return fmt.Sprintf(\"%d.%02d\", cents/100, cents%100) }\n",
}

// TestGenTestsOfPackageRefused: gen tests and refactor of a Go package
// named by its name are a usage mistake naming what to take instead, and
// the model is never asked: gen tests wrote tests of the package clause,
// with nothing to mutate, and scored 1.00.
func TestGenTestsOfPackageRefused(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	ctx := context.Background()
	root := writeProject(t, pricingProject)
	fake := providertest.NewOllama(t, providertest.WithReply("```go pricing/pricing_test.go\npackage pricing\n```\n"))
	a := taskApp(t, fake.URL())
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	for name, run := range map[string]func() (*app.TaskResult, error){
		"gen tests": func() (*app.TaskResult, error) {
			return a.GenTests(ctx, app.TaskRequest{Root: root, Target: "pricing", Actor: "test"}, func(string) error { return nil })
		},
		"refactor": func() (*app.TaskResult, error) {
			return a.Refactor(ctx, app.TaskRequest{Root: root, Target: "pricing", Goal: "shorter", Actor: "test"}, func(string) error { return nil })
		},
	} {
		_, err := run()
		ue := usererr.As(err)
		if ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(ue.Msg, "pricing/pricing.go") || !strings.Contains(ue.Msg, "pricing.Price") {
			t.Errorf("%s pricing: %v; want a usage mistake naming pricing/pricing.go and pricing.Price", name, err)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("the model was asked %d times", n)
	}
}

// TestRefactorHeaderExact: the refactor prompt shows a Go target's header
// as the file's lines it names — the import group as it is — not the
// imports the target uses rewritten under those lines: a diff built on
// `import "fmt"` at line 3 did not apply.
func TestRefactorHeaderExact(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	ctx := context.Background()
	root := writeProject(t, pricingProject)
	fake := providertest.NewOllama(t, providertest.WithReply("```diff\n```\n"))
	a := taskApp(t, fake.URL())
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	_, _ = a.Refactor(ctx, app.TaskRequest{Root: root, Target: "pricing.Price", Goal: "round up", Actor: "test"}, func(string) error { return nil })
	reqs := fake.Requests()
	if len(reqs) == 0 {
		t.Fatal("the model was not asked")
	}
	msgs := reqs[len(reqs)-1].Messages
	user := msgs[len(msgs)-1].Content
	if want := "pricing/pricing.go:1-6 (pricing):\n```go\npackage pricing\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n)\n```"; !strings.Contains(user, want) {
		t.Errorf("the prompt lacks the header as the file has it, %q:\n%s", want, user)
	}
}
