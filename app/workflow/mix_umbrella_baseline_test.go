package workflow

import (
	"strings"
	"testing"
)

// shopWebBroken is shop_web's cart calling a local function it does not
// define: the umbrella's shop_web app has never compiled.
var shopWebBroken = strings.Replace(shopWebCart, "Rules.stack(price, rules)", "undefined_local(Rules.stack(price, rules))", 1)

// TestMixUmbrellaAlreadyFailing: in an umbrella whose shop_web app already
// failed to compile, a change to shop_core (which mix compiles first,
// shop_web depending on it) is judged as in a single project, although
// mix names each app's files relative to the app: one that compiles adds
// no error, and passes with a note naming the old error's file as the
// project does; one that adds an error fails with it.
func TestMixUmbrellaAlreadyFailing(t *testing.T) {
	needMix(t)
	const path = "apps/shop_core/lib/shop_core/pricing/rules.ex"
	for name, tc := range map[string]struct {
		code   string
		status string
		detail string // in mix compile's detail
		note   string // in a note ("" for none)
	}{
		"adds none": {"# Rules.\n" + shopCoreRules, OK, "already failing before the change: 1",
			"mix compile: already failing before the change: 1 (apps/shop_web/lib/shop_web/handlers/cart.ex"},
		"new error": {strings.Replace(shopCoreRules, "Enum.reduce(", "other_undefined(", 1), Failed, "other_undefined/3", ""},
	} {
		t.Run(name, func(t *testing.T) {
			root := writeTree(t, map[string]string{"mix.exs": umbrellaMixExs,
				"apps/shop_core/mix.exs": shopCoreMixExs, "apps/shop_core/lib/shop_core/pricing/rules.ex": shopCoreRules,
				"apps/shop_web/mix.exs": shopWebMixExs, "apps/shop_web/lib/shop_web/handlers/cart.ex": shopWebBroken})
			p, err := FromFile("refactor", "", "```elixir "+path+"\n"+tc.code+"```\n", "", "elixir", reader(root))
			if err != nil {
				t.Fatal(err)
			}
			checkMixCompile(t, root, p, tc.status, tc.detail, tc.note)
		})
	}
}
