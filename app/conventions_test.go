package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/tokens"
)

func TestProjectConventions(t *testing.T) {
	count := tokens.Estimate{Family: tokens.FamilyGeneric}
	write := func(t *testing.T, content string) string {
		t.Helper()
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, ConventionsFile), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return root
	}
	long := strings.Repeat("- Keep functions short and name them for what they return.\n", 400)

	for _, tc := range []struct {
		name    string
		root    func(t *testing.T) string
		window  int
		want    string // the text; "" for none
		cut     bool
		wantErr string
	}{
		{"none", func(t *testing.T) string { return t.TempDir() }, 4096, "", false, ""},
		{"short", func(t *testing.T) string { return write(t, "\r\n# App\r\n- Errors wrap with %w.\r\n\r\n") }, 4096,
			"# App\n- Errors wrap with %w.", false, ""},
		{"empty", func(t *testing.T) string { return write(t, " \n\n") }, 4096, "", false, ""},
		{"binary", func(t *testing.T) string { return write(t, "a\x00b") }, 4096, "", false, "not UTF-8 text"},
		{"latin-1", func(t *testing.T) string { return write(t, "caf\xe9") }, 4096, "", false, "not UTF-8 text"},
		{"a symlink out of the project", func(t *testing.T) string {
			outside := filepath.Join(t.TempDir(), "credentials")
			if err := os.WriteFile(outside, []byte("aws_secret_access_key = x"), 0o600); err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			if err := os.Symlink(outside, filepath.Join(root, ConventionsFile)); err != nil {
				t.Fatal(err)
			}
			return root
		}, 4096, "", false, "outside the project"},
		{"a symlink inside the project", func(t *testing.T) string {
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "RULES.md"), []byte("- Be brief."), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("RULES.md", filepath.Join(root, ConventionsFile)); err != nil {
				t.Fatal(err)
			}
			return root
		}, 4096, "- Be brief.", false, ""},
		{"cut to an eighth of the window", func(t *testing.T) string { return write(t, long) }, 4096, "cut", true, ""},
		{"too little room for a line", func(t *testing.T) string { return write(t, long) }, 64, "", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, info, err := projectConventions(tc.root(t), "", tc.window, count)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || text != "" || info != nil {
					t.Fatalf("got %q, %+v, %v; want no text and an error saying %q", text, info, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == "":
				if text != "" || info != nil {
					t.Fatalf("got %q, %+v; want nothing", text, info)
				}
			case tc.want == "cut":
				budget := tc.window / conventionsShare
				if info == nil || !info.Cut || info.Tokens > budget || info.Tokens != count.Count(text) ||
					!strings.HasSuffix(text, "\n"+conventionsCut(ConventionsFile)) || !strings.HasPrefix(long, strings.TrimSuffix(text, conventionsCut(ConventionsFile))) {
					t.Fatalf("cut: %+v (budget %d), text ends %q", info, budget, text[max(0, len(text)-80):])
				}
			default:
				if text != tc.want || info == nil || info.Path != ConventionsFile || info.Cut || info.Tokens != count.Count(text) {
					t.Fatalf("got %q, %+v; want %q whole", text, info, tc.want)
				}
			}
		})
	}
}

// A file over maxConventionsBytes is read only that far, and what goes in
// ends at a whole line, with the note that the rest was left out.
func TestProjectConventionsHugeFile(t *testing.T) {
	root := t.TempDir()
	line := "- é rule\n"
	content := strings.Repeat(line, maxConventionsBytes/len(line)+100)
	if err := os.WriteFile(filepath.Join(root, ConventionsFile), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	text, info, err := projectConventions(root, "", 1<<30, tokens.Estimate{Family: tokens.FamilyGeneric})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimSuffix(text, "\n"+conventionsCut(ConventionsFile))
	if info == nil || !info.Cut || body == text || !strings.HasPrefix(content, body+"\n") || strings.Count(body, "\n")+1 != strings.Count(body, "rule") {
		t.Fatalf("huge file: %+v, %d bytes of text", info, len(text))
	}
}

// The AGENTS.md nearest the code counts: in its directory, else the
// closest one above it.
func TestNearestConventions(t *testing.T) {
	root := t.TempDir()
	for dir, text := range map[string]string{"": "root rules", "apps/web": "web rules", "apps/web/lib/deep": ""} {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(dir)), 0o755); err != nil {
			t.Fatal(err)
		}
		if text != "" {
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(dir), ConventionsFile), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	count := tokens.Estimate{Family: tokens.FamilyGeneric}
	for dir, want := range map[string]string{
		"":                  "root rules",
		"lib":               "root rules",
		"apps":              "root rules",
		"apps/web":          "web rules",
		"apps/web/lib/deep": "web rules",
	} {
		text, info, err := projectConventions(root, dir, 4096, count)
		wantPath := ConventionsFile
		if want == "web rules" {
			wantPath = "apps/web/" + ConventionsFile
		}
		if err != nil || text != want || info == nil || info.Path != wantPath {
			t.Errorf("dir %q: %q, %+v, %v; want %q from %s", dir, text, info, err, want, wantPath)
		}
	}
}

// A directory without AGENTS.md may hold CLAUDE.md: it counts as the
// conventions file there, AGENTS.md winning where both are, and the nearest
// of either kind counts.
func TestConventionsFallback(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		ConventionsFallback:               "root claude rules",
		"apps/web/" + ConventionsFile:     "web agents rules",
		"apps/web/" + ConventionsFallback: "web claude rules",
		"apps/api/" + ConventionsFallback: "api claude rules",
	}
	for rel, text := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	count := tokens.Estimate{Family: tokens.FamilyGeneric}
	for dir, want := range map[string]string{
		"":             ConventionsFallback,
		"lib":          ConventionsFallback,
		"apps/web/lib": "apps/web/" + ConventionsFile,
		"apps/api":     "apps/api/" + ConventionsFallback,
	} {
		text, info, err := projectConventions(root, dir, 4096, count)
		if err != nil || info == nil || info.Path != want || text != files[want] {
			t.Errorf("dir %q: %q, %+v, %v; want %s", dir, text, info, err, want)
		}
	}
	// A directory or a dangling link named AGENTS.md does not hide the
	// CLAUDE.md beside it.
	for name, mk := range map[string]func(string) error{
		"a directory":     func(p string) error { return os.Mkdir(p, 0o755) },
		"a dangling link": func(p string) error { return os.Symlink("gone.md", p) },
	} {
		dir := filepath.Join(root, "other", strings.ReplaceAll(name, " ", "-"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := mk(filepath.Join(dir, ConventionsFile)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ConventionsFallback), []byte("claude"), 0o644); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, dir)
		text, info, err := projectConventions(root, filepath.ToSlash(rel), 4096, count)
		if err != nil || text != "claude" || info == nil || info.Path != filepath.ToSlash(rel)+"/"+ConventionsFallback {
			t.Errorf("%s named AGENTS.md: %q, %+v, %v; want the CLAUDE.md beside it", name, text, info, err)
		}
	}
	// Cut to fit, it says which file was cut.
	long := strings.Repeat("- a rule of the project\n", 400)
	if err := os.WriteFile(filepath.Join(root, "apps/api", ConventionsFallback), []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	text, info, err := projectConventions(root, "apps/api", 1024, count)
	if err != nil || info == nil || !info.Cut || !strings.HasSuffix(text, "\n"+conventionsCut(ConventionsFallback)) {
		t.Fatalf("cut CLAUDE.md: %+v, %v, ends %q", info, err, text[max(0, len(text)-90):])
	}
}
